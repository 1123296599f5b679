/** A Service whose selector matches no pod template in the input: a typo, or a leftover that could be claimed. */
import { selectorMatches } from '../../rbac/labelSelector.js';
import { namespaceOf, objectCheck } from '../common/define.js';
import { mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const serviceWithoutPods = objectCheck(
  {
    id: 'service-selects-no-pods',
    title: 'Service selects no pods',
    category: 'network',
    description: 'The Service has a selector, but no pod template in its namespace in the input carries matching labels. Either the selector is wrong (the service is down), or the Service is a leftover that any pod with the right labels, created by whoever can create pods, would start receiving traffic for. Judged after the whole input is read, and only when the input holds pod templates at all (a Service scanned on its own is not judged).',
    remediation: 'Fix the selector to match the workload’s pod labels, or delete the Service.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'Mostly a broken deployment; hijacking the traffic needs pod creation rights.' },
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.adversaryInTheMiddle],
    equivalents: ['kube-score:service-targets-pod', 'kube-linter:dangling-service', 'kubescape:C-0293'],
  },
  ['Service'],
  (object, { cluster }) => {
    const spec = mapping(object.raw.spec) ?? {};
    const selector = mapping(spec.selector);
    if (selector === undefined || Object.keys(selector).length === 0 || spec.type === 'ExternalName') return [];
    if (!cluster.hasPods()) return [];
    const pods = cluster.podsIn(namespaceOf(object));
    const matchLabels: Record<string, string> = {};
    for (const [key, value] of Object.entries(selector)) matchLabels[key] = String(value);
    if (pods.some((pod) => selectorMatches({ matchLabels, matchExpressions: [] }, pod.labels))) return [];
    return [{ message: `Service ${object.name} selects no pod in namespace ${namespaceOf(object)}`, path: ['spec', 'selector'] }];
  },
  { group: '', afterInput: true },
);
