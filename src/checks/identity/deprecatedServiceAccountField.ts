/** `spec.serviceAccount` is the deprecated alias of serviceAccountName. */
import { podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const deprecatedServiceAccountField = podCheck(
  {
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
    return typeof legacy === 'string' && legacy !== '' && pod.spec.serviceAccountName !== legacy ? [{ message: 'pod should use spec.serviceAccountName instead of the deprecated spec.serviceAccount', path: [...pod.specPath, 'serviceAccount'] }] : [];
  },
);
