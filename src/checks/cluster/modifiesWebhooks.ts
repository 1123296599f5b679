/** Whoever writes admission webhooks sees (and can rewrite) every object the API server admits. */
import { MITRE, NSA } from '../common/frameworks.js';
import { grants } from './rbacRules.js';
import { ruleCheck } from './ruleCheck.js';

const GROUP = 'admissionregistration.k8s.io';
const WRITE = ['create', 'update', 'patch'];

export const modifiesWebhooks = ruleCheck(
  {
    id: 'role-modifies-admission-webhooks',
    title: 'Role can change admission webhooks',
    category: 'cluster',
    description: 'A rule grants create, update or patch on mutatingwebhookconfigurations or validatingwebhookconfigurations. The subject can register a webhook that receives every admitted object (Secrets included) and, when mutating, rewrites pods as they are created.',
    remediation: 'Restrict webhook configuration rights to the cluster’s installation tooling.',
    severity: { gain: 'control', effort: 'foothold', reason: 'A mutating webhook injects code into every new pod of the cluster.' },
    nsa: [NSA.rbac],
    mitre: [MITRE.impairDefenses, MITRE.deployContainer],
    equivalents: ['kubescape:rule-can-modify-admission-webhooks'],
  },
  (rule) => {
    for (const resource of ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']) if (grants(rule, GROUP, resource, WRITE)) return `grants write access to ${resource}`;
    return undefined;
  },
);
