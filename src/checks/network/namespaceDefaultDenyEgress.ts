/** Without a default-deny egress policy, a compromised pod can reach any destination. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { deniesByDefault } from './defaultDeny.js';

export const namespaceDefaultDenyEgress = objectCheck(
  {
    id: 'namespace-without-default-deny-egress',
    title: 'Namespace has no default-deny egress policy',
    category: 'network',
    description: 'No NetworkPolicy in the input selects every pod of this Namespace with policy type Egress and no egress rules. Pods can then connect anywhere: other namespaces, the cloud metadata service, the internet, which is how stolen data leaves and how lateral movement starts. Judged after the whole input is read.',
    remediation: 'Add a NetworkPolicy with podSelector: {}, policyTypes: [Egress] and no egress rules, then allow DNS and the destinations each workload needs.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold in the namespace reaches metadata services, other namespaces and the internet.' },
    cis: ['5.3.2'],
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.remoteServices],
    equivalents: ['kubeaudit:MissingDefaultDenyEgressNetworkPolicy', 'kubeaudit:MissingDefaultDenyIngressAndEgressNetworkPolicy'],
  },
  ['Namespace'],
  (object, { cluster }) => (cluster.networkPoliciesIn(object.name).some((policy) => deniesByDefault(policy, 'egress')) ? [] : [{ message: `namespace ${object.name} has no default-deny egress NetworkPolicy`, path: ['metadata', 'name'] }]),
  { group: '', afterInput: true },
);
