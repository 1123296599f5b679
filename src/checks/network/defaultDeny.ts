/** A default-deny policy selects every pod and allows nothing for the direction it names. */
import type { NetworkPolicyInfo } from '../../model/clusterIndex.js';
import { list } from '../common/fields.js';

export function selectsEveryPod(policy: NetworkPolicyInfo): boolean {
  return policy.podSelector !== undefined && Object.keys(policy.podSelector.matchLabels).length === 0 && policy.podSelector.matchExpressions.length === 0;
}

export function deniesByDefault(policy: NetworkPolicyInfo, direction: 'ingress' | 'egress'): boolean {
  return selectsEveryPod(policy) && policy[direction] && list(policy.spec[direction]).length === 0;
}
