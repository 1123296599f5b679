/** bind, escalate and impersonate bypass RBAC’s own guard against privilege escalation. */
import { MITRE, NSA } from '../common/frameworks.js';
import { grants, RBAC_GROUP } from './rbacRules.js';
import { ruleCheck } from './ruleCheck.js';

export const escalationVerbs = ruleCheck(
  {
    id: 'role-escalation-verbs',
    title: 'Role can bind, escalate or impersonate',
    category: 'cluster',
    description: 'A rule grants bind or escalate on roles or clusterroles, or impersonate on users, groups or serviceaccounts. These verbs exist to bypass RBAC’s rule that nobody can grant what they do not hold: the subject can give itself any role, or act as any identity.',
    remediation: 'Remove the verbs; grant them only to the cluster’s own administration tooling.',
    severity: { gain: 'control', effort: 'foothold', reason: 'The subject’s holder can make itself cluster-admin.' },
    cis: ['5.1.8'],
    nsa: [NSA.rbac],
    mitre: [MITRE.additionalRoles],
    equivalents: ['kubescape:rule-can-bind-escalate', 'kubescape:C-0065'],
  },
  (rule) => {
    for (const resource of ['roles', 'clusterroles']) if (grants(rule, RBAC_GROUP, resource, ['bind', 'escalate'])) return `grants bind or escalate on ${resource}`;
    for (const resource of ['users', 'groups', 'serviceaccounts']) if (grants(rule, '', resource, ['impersonate'])) return `grants impersonate on ${resource}`;
    return undefined;
  },
);
