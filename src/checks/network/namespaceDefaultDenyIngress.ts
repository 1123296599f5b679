/** Without a default-deny ingress policy, new pods in the namespace start reachable from everywhere. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { deniesByDefault } from './defaultDeny.js';

export const namespaceDefaultDenyIngress = objectCheck(
  {
    id: 'namespace-without-default-deny-ingress',
    title: 'Namespace has no default-deny ingress policy',
    category: 'network',
    description: 'No NetworkPolicy in the input selects every pod of this Namespace (podSelector: {}) with policy type Ingress and no ingress rules. Without one, every pod the namespace gains later accepts connections from the whole cluster until someone writes a policy for it. Judged after the whole input is read.',
    remediation: 'Add a NetworkPolicy with podSelector: {}, policyTypes: [Ingress] and no ingress rules, then allow needed traffic per workload.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold elsewhere in the cluster reaches every unprotected pod of the namespace.' },
    cis: ['5.3.2'],
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.remoteServices],
    equivalents: ['kubeaudit:MissingDefaultDenyIngressNetworkPolicy', 'kubeaudit:MissingDefaultDenyIngressAndEgressNetworkPolicy'],
  },
  ['Namespace'],
  (object, { cluster }) => (cluster.networkPoliciesIn(object.name).some((policy) => deniesByDefault(policy, 'ingress')) ? [] : [{ message: `namespace ${object.name} has no default-deny ingress NetworkPolicy`, path: ['metadata', 'name'] }]),
  { group: '', afterInput: true },
);
