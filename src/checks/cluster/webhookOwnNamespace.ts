/** A fail-closed webhook that intercepts its own namespace cannot restart itself once it is down. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { ADMISSION_GROUP, selectsNamespace, WEBHOOK_KINDS, webhooksOf } from './webhooks.js';

export const webhookOwnNamespace = objectCheck(
  {
    id: 'webhook-intercepts-own-namespace',
    title: 'Fail-closed webhook intercepts its own namespace',
    category: 'cluster',
    description: 'A webhook with effective failurePolicy Fail is served from a Service in a namespace that its namespaceSelector matches (judged with that Namespace’s labels from the input, or its kubernetes.io/metadata.name label). If the webhook’s pods go down, their replacements are themselves sent to the missing webhook and rejected: a deadlock. Judged after the whole input is read.',
    remediation: 'Exclude the webhook’s own namespace in its namespaceSelector (kubernetes.io/metadata.name NotIn [<namespace>]).',
    severity: { gain: 'hygiene', effort: 'none', reason: 'An availability risk; no access is gained.' },
    nsa: [NSA.controlPlane],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: [],
  },
  WEBHOOK_KINDS,
  (object, { cluster }) =>
    webhooksOf(object).flatMap((webhook) => {
      const namespace = webhook.serviceNamespace;
      if (webhook.failurePolicy !== 'Fail' || namespace === undefined) return [];
      const labels = { ...(cluster.namespace(namespace)?.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
      return selectsNamespace(webhook, labels) ? [{ message: `webhook ${webhook.name} fails closed and matches its own namespace ${namespace}`, path: [...webhook.path, 'namespaceSelector'] }] : [];
    }),
  { group: ADMISSION_GROUP, afterInput: true },
);
