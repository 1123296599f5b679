/** `spec.serviceAccount` is the deprecated alias of serviceAccountName. */
import type { FixEdit } from '../../model/types.js';
import { podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const deprecatedServiceAccountField = podCheck(
  {
    fixable: true,
    id: 'pod-deprecated-service-account-field',
    title: 'Deprecated serviceAccount field',
    category: 'identity',
    description: 'The pod sets spec.serviceAccount, the deprecated alias of spec.serviceAccountName, without the same value in serviceAccountName. When the two differ, readers and tools may disagree about which identity the pod has. Both set to the same value is what the API server itself writes on pods, and passes.',
    remediation: 'Use spec.serviceAccountName and remove spec.serviceAccount.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'Clarity only; the identity is the same.' },
    nsa: [NSA.serviceAccountTokens],
    mitre: [MITRE.validAccounts],
    equivalents: ['kube-linter:deprecated-service-account-field', 'kubescape:C-0294', 'kubeaudit:AutomountServiceAccountTokenDeprecated'],
  },
  (pod) => {
    const legacy = pod.spec.serviceAccount;
    if (typeof legacy !== 'string' || legacy === '' || pod.spec.serviceAccountName === legacy) return [];
    const path = [...pod.specPath, 'serviceAccount'];
    // When serviceAccountName is set it already wins over the deprecated field; otherwise it takes the old value.
    const named = pod.spec.serviceAccountName;
    const fix: FixEdit[] = typeof named === 'string' && named !== '' ? [{ op: 'delete', path }] : [{ op: 'set', path: [...pod.specPath, 'serviceAccountName'], value: legacy }, { op: 'delete', path }];
    return [{ message: 'pod should use spec.serviceAccountName instead of the deprecated spec.serviceAccount', path, fix }];
  },
);
