/** nodes/proxy reaches the kubelet API: exec in any pod on the node, without the API server’s audit. */
import { MITRE, NSA } from '../common/frameworks.js';
import { grants } from './rbacRules.js';
import { ruleCheck } from './ruleCheck.js';

export const nodeProxy = ruleCheck(
  {
    id: 'role-nodes-proxy',
    title: 'Role can proxy to kubelets',
    category: 'cluster',
    description: 'A rule grants access to nodes/proxy. Through it the subject talks to each kubelet’s API directly and can run commands in any pod on any node, bypassing admission control and most audit logging.',
    remediation: 'Remove nodes/proxy; monitoring agents need nodes/metrics or nodes/stats instead.',
    severity: { gain: 'control', effort: 'foothold', reason: 'The subject’s holder runs commands in every pod of the cluster.' },
    nsa: [NSA.rbac],
    mitre: [MITRE.containerAdministrationCommand],
    equivalents: ['kubescape:rule-can-access-proxy-subresource'],
  },
  (rule) => (grants(rule, '', 'nodes/proxy', ['get', 'create', 'update', 'patch', 'delete', '*']) ? 'grants nodes/proxy' : undefined),
);
