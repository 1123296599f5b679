/** A rule with no peers and no ports allows everything: a policy that looks like isolation but is not. */
import { objectCheck } from '../common/define.js';
import { list, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

function allowsAll(rule: unknown, peersKey: 'from' | 'to'): boolean {
  const entry = mapping(rule);
  if (entry === undefined) return false;
  return list(entry[peersKey]).length === 0 && list(entry.ports).length === 0;
}

export const allowAllPolicy = objectCheck(
  {
    id: 'network-policy-allows-all',
    title: 'NetworkPolicy allows all traffic',
    category: 'network',
    description: 'An ingress or egress rule of the NetworkPolicy has neither peers nor ports (for example ingress: [{}]), which allows every source or destination on every port for the pods it selects, overriding any default deny.',
    remediation: 'List the peers (podSelector, namespaceSelector, ipBlock) and ports the workload needs in each rule.',
    severity: { gain: 'access', effort: 'foothold', reason: 'Undoes isolation for the selected pods; a foothold elsewhere reaches them.' },
    cis: ['5.3.2'],
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.remoteServices],
    equivalents: ['kubeaudit:AllowAllIngressNetworkPolicyExists', 'kubeaudit:AllowAllEgressNetworkPolicyExists'],
  },
  ['NetworkPolicy'],
  (object) => {
    const spec = mapping(object.raw.spec) ?? {};
    return (['ingress', 'egress'] as const).flatMap((direction) =>
      list(spec[direction]).flatMap((rule, index) =>
        allowsAll(rule, direction === 'ingress' ? 'from' : 'to') ? [{ message: `NetworkPolicy ${object.name} ${direction} rule ${index} allows all traffic`, path: ['spec', direction, index] }] : [],
      ),
    );
  },
  { group: 'networking.k8s.io' },
);
