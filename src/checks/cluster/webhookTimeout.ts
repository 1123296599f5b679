/** Every admitted request waits for the webhook: long timeouts turn a slow webhook into a slow control plane. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { ADMISSION_GROUP, WEBHOOK_KINDS, webhooksOf } from './webhooks.js';

export const MAX_WEBHOOK_TIMEOUT_SECONDS = 10;

export const webhookTimeout = objectCheck(
  {
    id: 'webhook-long-timeout',
    title: 'Admission webhook timeout is long',
    category: 'cluster',
    description: `A webhook’s effective timeoutSeconds exceeds ${MAX_WEBHOOK_TIMEOUT_SECONDS} seconds (v1beta1 defaults to 30). Each matching API request can hang that long; controllers retry, requests pile up, and a struggling webhook slows or stalls the whole control plane.`,
    remediation: `Set timeoutSeconds to ${MAX_WEBHOOK_TIMEOUT_SECONDS} or less (a few seconds is typical) and make the webhook answer fast.`,
    severity: { gain: 'hygiene', effort: 'none', reason: 'An availability risk for the control plane; no access.' },
    nsa: [NSA.controlPlane],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: [],
  },
  WEBHOOK_KINDS,
  (object) =>
    webhooksOf(object)
      .filter((webhook) => webhook.timeoutSeconds > MAX_WEBHOOK_TIMEOUT_SECONDS)
      .map((webhook) => ({ message: `webhook ${webhook.name} times out after ${webhook.timeoutSeconds}s${webhook.timeoutSet ? '' : ' (the v1beta1 default)'}`, path: webhook.timeoutSet ? [...webhook.path, 'timeoutSeconds'] : webhook.path })),
  { group: ADMISSION_GROUP },
);
