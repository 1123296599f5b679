/** exec and attach open a shell in any pod of the scope, with its secrets and identity. */
import { MITRE, NSA } from '../common/frameworks.js';
import { grants } from './rbacRules.js';
import { ruleCheck } from './ruleCheck.js';

export const execPods = ruleCheck(
  {
    id: 'role-exec-into-pods',
    title: 'Role can exec or attach into pods',
    category: 'cluster',
    description: 'A rule grants create or get on pods/exec or pods/attach (WebSocket clients authorise exec as get). The subject can run commands in every pod of the scope and take over their mounted Secrets and ServiceAccount tokens.',
    remediation: 'Grant exec only to break-glass roles, scoped to one namespace, and audit its use.',
    severity: { gain: 'access', effort: 'foothold', reason: 'The subject’s holder takes every workload identity and Secret in scope.' },
    nsa: [NSA.rbac],
    mitre: [MITRE.containerAdministrationCommand],
    equivalents: ['polaris:clusterrolePodExecAttach', 'polaris:rolePodExecAttach', 'kubescape:C-0002'],
  },
  (rule) => {
    for (const resource of ['pods/exec', 'pods/attach']) if (grants(rule, '', resource, ['create', 'get'])) return `grants ${resource}`;
    return undefined;
  },
);
