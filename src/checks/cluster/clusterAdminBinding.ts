/** Binding cluster-admin hands over the whole cluster. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { BINDING_KINDS, RBAC_GROUP, roleRefOf, subjectsOf } from './rbacRules.js';

export const clusterAdminBinding = objectCheck(
  {
    id: 'binding-cluster-admin',
    title: 'Binding grants cluster-admin',
    category: 'cluster',
    description: 'A RoleBinding or ClusterRoleBinding references the ClusterRole cluster-admin (superuser: every verb on every resource; in a RoleBinding, everything in the namespace including its Secrets and RBAC). The bootstrap binding of the system:masters group is exempt.',
    remediation: 'Bind a role with only the permissions the subject needs; keep cluster-admin for break-glass accounts outside manifests.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever obtains the subject’s credentials (for a ServiceAccount, a foothold in any pod using it) controls the cluster.' },
    cis: ['5.1.1'],
    nsa: [NSA.rbac],
    mitre: [MITRE.validAccounts, MITRE.additionalRoles],
    equivalents: ['kube-linter:cluster-admin-role-binding', 'polaris:clusterrolebindingClusterAdmin', 'polaris:rolebindingClusterAdminClusterRole', 'kubescape:C-0035', 'kubescape:cluster-admin-role'],
  },
  BINDING_KINDS,
  (object) => {
    const ref = roleRefOf(object);
    if (ref?.kind !== 'ClusterRole' || ref.name !== 'cluster-admin') return [];
    const subjects = subjectsOf(object);
    if (subjects.length > 0 && subjects.every((subject) => subject.kind === 'Group' && subject.name === 'system:masters')) return [];
    return [{ message: `${object.kind} ${object.name} grants cluster-admin to ${subjects.map((subject) => `${subject.kind} ${subject.name}`).join(', ') || 'no subject yet'}`, path: ['roleRef', 'name'] }];
  },
  { group: RBAC_GROUP },
);
