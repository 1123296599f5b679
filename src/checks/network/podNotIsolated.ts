/**
 * A pod is isolated for a direction only when some policy selecting it has
 * that policy type; a pod selected for one direction only is open in the other.
 */
import { namespaceOf, podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { podLabels, policiesSelecting } from './podIsolation.js';

export const podNotIsolated = podCheck(
  {
    id: 'pod-not-isolated-by-network-policy',
    title: 'Pod traffic is restricted in one direction only',
    category: 'network',
    description:
      'Network policies select the pod, but none of them restricts one of the two directions: a NetworkPolicy restricts a direction only when its effective policyTypes include it (Egress only when listed or when egress rules are present). In the open direction every pod can connect to it, or it can connect anywhere. Pods no policy selects are reported by pod-not-selected-by-network-policy. Judged after the whole input is read.',
    remediation: 'Add the missing direction to a policy that selects the pod (for example a namespace default-deny with policyTypes: [Ingress, Egress]) and allow the traffic the workload needs.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold reaches this pod, or leaves it, through the unrestricted direction.' },
    cis: ['5.3.2'],
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.remoteServices],
    equivalents: ['kube-score:pod-networkpolicy', 'polaris:missingNetworkPolicy', 'kubescape:C-0030'],
  },
  (pod, { object, cluster }) => {
    if (pod.hostNetwork?.value === true) return [];
    const policies = policiesSelecting(cluster, namespaceOf(object), podLabels(pod));
    if (policies.length === 0) return [];
    const missing = (['ingress', 'egress'] as const).filter((direction) => !policies.some((policy) => policy[direction]));
    if (missing.length === 0) return [];
    return [{ message: `no network policy in namespace ${namespaceOf(object)} restricts this pod’s ${missing.join(' and ')} traffic`, path: [...pod.metadataPath, 'labels'] }];
  },
  { afterInput: true },
);
