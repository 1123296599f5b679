/**
 * A fail-closed webhook that also intercepts kube-system can deadlock the
 * cluster: if its pods are down, the system pods that would bring it back
 * cannot be admitted.
 */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { ADMISSION_GROUP, selectsNamespace, WEBHOOK_KINDS, webhooksOf } from './webhooks.js';

const KUBE_SYSTEM_LABELS = { 'kubernetes.io/metadata.name': 'kube-system' };

export const webhookKubeSystem = objectCheck(
  {
    id: 'webhook-intercepts-kube-system',
    title: 'Fail-closed webhook intercepts kube-system',
    category: 'cluster',
    description: 'A webhook with effective failurePolicy Fail has a namespaceSelector that matches kube-system (judged against its kubernetes.io/metadata.name label). When the webhook is unavailable, kube-system objects (DNS, CNI, kube-proxy pods) cannot be created or updated, which can keep the cluster from recovering.',
    remediation: 'Add a namespaceSelector expression such as kubernetes.io/metadata.name NotIn [kube-system] to the webhook.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'A cluster-wide availability risk; no access is gained.' },
    nsa: [NSA.controlPlane],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: [],
  },
  WEBHOOK_KINDS,
  (object) =>
    webhooksOf(object)
      .filter((webhook) => webhook.failurePolicy === 'Fail' && selectsNamespace(webhook, KUBE_SYSTEM_LABELS))
      .map((webhook) => ({ message: `webhook ${webhook.name} fails closed and matches namespace kube-system`, path: [...webhook.path, 'namespaceSelector'] })),
  { group: ADMISSION_GROUP },
);
