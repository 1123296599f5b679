/** Whether NetworkPolicies of the pod’s namespace select it, for ingress and for egress. */
import type { ClusterIndex, NetworkPolicyInfo } from '../../model/clusterIndex.js';
import { selectorMatches } from '../../rbac/labelSelector.js';

export function policiesSelecting(cluster: ClusterIndex, namespace: string, labels: Readonly<Record<string, string>>): NetworkPolicyInfo[] {
  return cluster.networkPoliciesIn(namespace).filter((policy) => policy.podSelector !== undefined && selectorMatches(policy.podSelector, labels));
}
