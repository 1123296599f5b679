/** A pod no network policy selects accepts traffic from every pod in the cluster and may connect anywhere. */
import { namespaceOf, podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { podLabels, policiesSelecting } from './podIsolation.js';

export const podNotSelected = podCheck(
  {
    id: 'pod-not-selected-by-network-policy',
    title: 'Pod is not selected by any network policy',
    category: 'network',
    description:
      'No NetworkPolicy in the pod’s namespace, and no CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, in the input selects the pod’s labels. Its traffic is not restricted at all: every pod in the cluster can connect to it, and it can connect anywhere. Judged after the whole input is read; host-network pods are exempt (policies do not apply to them).',
    remediation: 'Add a default-deny NetworkPolicy to the namespace (podSelector: {}, policyTypes: [Ingress, Egress]) and policies that allow the traffic the workload needs.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold anywhere in the cluster can reach this pod directly, and from this pod reach anything.' },
    cis: ['5.3.2'],
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.networkDiscovery, MITRE.remoteServices],
    equivalents: ['kube-score:pod-networkpolicy', 'polaris:missingNetworkPolicy', 'kube-linter:non-isolated-pod', 'kubescape:ensure_network_policy_configured_in_labels', 'kubescape:C-0260', 'kubescape:C-0030'],
  },
  (pod, { object, cluster }) => {
    if (pod.hostNetwork?.value === true || policiesSelecting(cluster, namespaceOf(object), podLabels(pod)).length > 0) return [];
    return [{ message: `no network policy in namespace ${namespaceOf(object)} selects this pod`, path: [...pod.metadataPath, 'labels'] }];
  },
  { afterInput: true },
);
