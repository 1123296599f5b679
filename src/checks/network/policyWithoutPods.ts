/** A NetworkPolicy whose podSelector matches nothing protects nothing, though it reads as if it did. */
import { selectorMatches } from '../../rbac/labelSelector.js';
import { namespaceOf, objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { selectsEveryPod } from './defaultDeny.js';

export const policyWithoutPods = objectCheck(
  {
    id: 'network-policy-selects-no-pods',
    title: 'NetworkPolicy selects no pods',
    category: 'network',
    description: 'The NetworkPolicy’s podSelector matches no pod template in its namespace in the input, so the isolation it describes applies to nothing. Policies that select every pod are exempt. Judged after the whole input is read.',
    remediation: 'Fix the podSelector to match the workload’s pod labels, or delete the policy.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'Isolation that was intended is missing; a foothold reaches pods that look protected.' },
    cis: ['5.3.2'],
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.remoteServices],
    equivalents: ['kube-score:networkpolicy-targets-pod', 'kube-linter:dangling-networkpolicy', 'kubescape:dangling-networkpolicy'],
  },
  ['NetworkPolicy'],
  (object, { cluster }) => {
    const policy = cluster.networkPoliciesIn(namespaceOf(object)).find((candidate) => candidate.object === object);
    if (policy?.podSelector === undefined || selectsEveryPod(policy)) return [];
    const selector = policy.podSelector;
    if (cluster.podsIn(namespaceOf(object)).some((pod) => selectorMatches(selector, pod.labels))) return [];
    return [{ message: `NetworkPolicy ${object.name} selects no pod in namespace ${namespaceOf(object)}`, path: ['spec', 'podSelector'] }];
  },
  { group: 'networking.k8s.io', afterInput: true },
);
