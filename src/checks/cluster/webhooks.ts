/** The webhooks of a (Validating|Mutating)WebhookConfiguration with their defaults applied per API version. */
import { parseLabelSelector, selectorMatches } from '../../rbac/labelSelector.js';
import type { FieldPath, KubeObject } from '../../model/types.js';
import { list, mapping } from '../common/fields.js';

export const WEBHOOK_KINDS = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'] as const;
export const ADMISSION_GROUP = 'admissionregistration.k8s.io';

export interface WebhookView {
  readonly name: string;
  readonly path: FieldPath;
  /** Effective: v1 defaults to Fail, v1beta1 to Ignore. */
  readonly failurePolicy: string;
  readonly failurePolicySet: boolean;
  /** Effective: v1 defaults to 10 s, v1beta1 to 30 s. */
  readonly timeoutSeconds: number;
  readonly timeoutSet: boolean;
  readonly namespaceSelector: unknown;
  readonly serviceNamespace: string | undefined;
}

export function webhooksOf(object: KubeObject): WebhookView[] {
  const beta = object.apiVersion.endsWith('/v1beta1');
  return list(object.raw.webhooks).flatMap((entry, index) => {
    const webhook = mapping(entry);
    if (webhook === undefined) return [];
    const service = mapping(mapping(webhook.clientConfig)?.service);
    return [
      {
        name: typeof webhook.name === 'string' ? webhook.name : `webhooks[${index}]`,
        path: ['webhooks', index],
        failurePolicy: typeof webhook.failurePolicy === 'string' ? webhook.failurePolicy : beta ? 'Ignore' : 'Fail',
        failurePolicySet: typeof webhook.failurePolicy === 'string',
        timeoutSeconds: typeof webhook.timeoutSeconds === 'number' ? webhook.timeoutSeconds : beta ? 30 : 10,
        timeoutSet: typeof webhook.timeoutSeconds === 'number',
        namespaceSelector: webhook.namespaceSelector ?? {},
        serviceNamespace: typeof service?.namespace === 'string' ? service.namespace : undefined,
      },
    ];
  });
}

/** Whether the webhook’s namespaceSelector matches a namespace with these labels (unreadable selectors match, as the safe assumption). */
export function selectsNamespace(webhook: WebhookView, labels: Readonly<Record<string, string>>): boolean {
  const parsed = parseLabelSelector(webhook.namespaceSelector);
  return !('selector' in parsed) || selectorMatches(parsed.selector, labels);
}
