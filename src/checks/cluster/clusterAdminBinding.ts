/**
 * Binding cluster-admin, or a role of the input that is cluster-admin in all
 * but name (every verb on every resource of every group), hands over the
 * whole cluster or namespace.
 */
import type { ClusterIndex } from '../../model/clusterIndex.js';
import type { KubeObject } from '../../model/types.js';
import { namespaceOf, objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { BINDING_KINDS, RBAC_GROUP, roleRefOf, rulesOf, subjectsOf } from './rbacRules.js';

const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

function grantsEverything(role: KubeObject): boolean {
  return rulesOf(role).some(
    (rule) => rule.apiGroups.includes('*') && rule.resources.includes('*') && (rule.verbs.includes('*') || ALL_VERBS.every((verb) => rule.verbs.includes(verb))),
  );
}

function adminEquivalent(binding: KubeObject, cluster: ClusterIndex): string | undefined {
  const ref = roleRefOf(binding);
  if (ref === undefined) return undefined;
  if (ref.kind === 'ClusterRole' && ref.name === 'cluster-admin') return 'cluster-admin';
  const role = cluster.role(ref.kind, ref.kind === 'Role' ? namespaceOf(binding) : undefined, ref.name);
  return role !== undefined && grantsEverything(role) ? `${ref.kind} ${ref.name}, which grants every verb on every resource` : undefined;
}

export const clusterAdminBinding = objectCheck(
  {
    id: 'binding-cluster-admin',
    title: 'Binding grants cluster-admin or an equivalent role',
    category: 'cluster',
    description: 'A RoleBinding or ClusterRoleBinding references the ClusterRole cluster-admin, or a Role or ClusterRole of the input that grants every verb on every resource of every API group. That is superuser: in a ClusterRoleBinding over the whole cluster, in a RoleBinding over the namespace, its Secrets and its RBAC. Bindings named with the reserved system: prefix (Kubernetes’ own, such as the system:masters binding) and bindings of only the system:masters group are exempt; `rampart rbac` judges those. Judged after the whole input is read.',
    remediation: 'Bind a role with only the permissions the subject needs; keep cluster-admin for break-glass accounts outside manifests.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever obtains the subject’s credentials (for a ServiceAccount, a foothold in any pod using it) controls the cluster.' },
    cis: ['5.1.1'],
    nsa: [NSA.rbac],
    mitre: [MITRE.validAccounts, MITRE.additionalRoles],
    equivalents: ['kube-linter:cluster-admin-role-binding', 'polaris:clusterrolebindingClusterAdmin', 'polaris:rolebindingClusterAdminClusterRole', 'polaris:rolebindingClusterAdminRole', 'kubescape:C-0035', 'kubescape:cluster-admin-role'],
  },
  BINDING_KINDS,
  (object, { cluster }) => {
    // `system:` names are reserved for Kubernetes’ own bindings (system:masters’ cluster-admin among them).
    if (object.name.startsWith('system:')) return [];
    const granted = adminEquivalent(object, cluster);
    if (granted === undefined) return [];
    const subjects = subjectsOf(object);
    if (subjects.length > 0 && subjects.every((subject) => subject.kind === 'Group' && subject.name === 'system:masters')) return [];
    return [{ message: `${object.kind} ${object.name} grants ${granted} to ${subjects.map((subject) => `${subject.kind} ${subject.name}`).join(', ') || 'no subject yet'}`, path: ['roleRef', 'name'] }];
  },
  { group: RBAC_GROUP, afterInput: true },
);
