/** A wildcard grants today’s resources and every one added later, CRDs included. */
import { MITRE, NSA } from '../common/frameworks.js';
import { ruleCheck } from './ruleCheck.js';

export const wildcardRule = ruleCheck(
  {
    id: 'role-wildcard',
    title: 'Role uses wildcards',
    category: 'cluster',
    description: 'A rule of the Role or ClusterRole uses * in verbs or resources. Wildcards grant every current and future verb or resource, including subresources such as pods/exec and custom resources added later, which makes the role’s real power impossible to review.',
    remediation: 'List the verbs and resources the subject needs explicitly.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever holds a subject of the role (often a ServiceAccount) gets powers nobody reviewed, frequently enough for control.' },
    cis: ['5.1.3'],
    nsa: [NSA.rbac],
    mitre: [MITRE.validAccounts],
    equivalents: ['kube-linter:wildcard-in-rules'],
  },
  (rule) => (rule.verbs.includes('*') || rule.resources.includes('*') ? `uses a wildcard in ${rule.verbs.includes('*') ? 'verbs' : 'resources'}` : undefined),
);
