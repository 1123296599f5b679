/** A webhook that fails open lets everything through while it is down, which an attacker can arrange. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { ADMISSION_GROUP, WEBHOOK_KINDS, webhooksOf } from './webhooks.js';

export const webhookFailOpen = objectCheck(
  {
    id: 'webhook-fails-open',
    title: 'Admission webhook fails open',
    category: 'cluster',
    description: 'A webhook’s effective failurePolicy is Ignore (set explicitly, or the v1beta1 default): when the webhook is unreachable or slow, the API server admits the request unchecked. A policy webhook that fails open can be bypassed by overloading or disrupting it.',
    remediation: 'Set failurePolicy: Fail on policy-enforcing webhooks, run them highly available, and exclude kube-system and the webhook’s own namespace so a failure cannot deadlock the cluster.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'Bypassing the policy needs the ability to disrupt the webhook; the gain is whatever the policy prevented.' },
    nsa: [NSA.controlPlane],
    mitre: [MITRE.impairDefenses],
    equivalents: [],
  },
  WEBHOOK_KINDS,
  (object) =>
    webhooksOf(object)
      .filter((webhook) => webhook.failurePolicy === 'Ignore')
      .map((webhook) => ({ message: `webhook ${webhook.name} fails open (failurePolicy Ignore${webhook.failurePolicySet ? '' : ', the v1beta1 default'})`, path: webhook.failurePolicySet ? [...webhook.path, 'failurePolicy'] : webhook.path })),
  { group: ADMISSION_GROUP },
);
