/** Creating pods is running any image, with any mounted Secret or ServiceAccount of the namespace. */
import { MITRE, NSA } from '../common/frameworks.js';
import { grants } from './rbacRules.js';
import { ruleCheck } from './ruleCheck.js';

export const createsPods = ruleCheck(
  {
    id: 'role-creates-pods',
    title: 'Role can create pods',
    category: 'cluster',
    description: 'A rule grants create on pods. A pod creator can run any image with any ServiceAccount and Secret of the namespace and, unless Pod Security admission forbids it, with host access: effectively every permission in the namespace and often the node.',
    remediation: 'Let controllers (Deployments, Jobs) create pods, grant people and pipelines rights on those instead, and enforce Pod Security admission in the namespace.',
    severity: { gain: 'control', effort: 'foothold', reason: 'Whoever holds the subject runs arbitrary workloads, which reaches the node without admission controls.' },
    cis: ['5.1.4'],
    nsa: [NSA.rbac],
    mitre: [MITRE.deployContainer],
    equivalents: ['kube-linter:access-to-create-pods', 'kubescape:rule-can-create-pod'],
  },
  (rule) => (grants(rule, '', 'pods', ['create']) ? 'grants create on pods' : undefined),
);
