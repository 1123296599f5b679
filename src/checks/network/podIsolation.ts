/** Whether network policies of the pod’s namespace select it, for ingress and for egress. */
import type { ClusterIndex, NetworkPolicyInfo } from '../../model/clusterIndex.js';
import type { PodView } from '../../model/podView.js';
import { selectorMatches } from '../../rbac/labelSelector.js';
import { mapping } from '../common/fields.js';

export function policiesSelecting(cluster: ClusterIndex, namespace: string, labels: Readonly<Record<string, string>>): NetworkPolicyInfo[] {
  return cluster.networkPoliciesIn(namespace).filter((policy) => policy.podSelector !== undefined && selectorMatches(policy.podSelector, labels));
}

export function podLabels(pod: PodView): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(mapping(pod.metadata.labels) ?? {})) if (typeof value === 'string') labels[key] = value;
  return labels;
}
