/** `spec.serviceAccount` is the deprecated alias of serviceAccountName. */
import { podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const deprecatedServiceAccountField = podCheck(
  {
    id: 'pod-deprecated-service-account-field',
    title: 'Deprecated serviceAccount field',
    category: 'identity',
    description: 'The pod sets spec.serviceAccount, the deprecated alias of spec.serviceAccountName. When both are set and differ, readers and tools may disagree about which identity the pod has.',
    remediation: 'Use spec.serviceAccountName and remove spec.serviceAccount.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'Clarity only; the identity is the same.' },
    nsa: [NSA.serviceAccountTokens],
    mitre: [MITRE.validAccounts],
    equivalents: ['kube-linter:deprecated-service-account-field', 'kubescape:C-0294', 'kubeaudit:AutomountServiceAccountTokenDeprecated'],
  },
  (pod) => {
    const legacy = pod.spec.serviceAccount;
    return typeof legacy === 'string' && legacy !== '' ? [{ message: 'pod should use spec.serviceAccountName instead of the deprecated spec.serviceAccount', path: [...pod.specPath, 'serviceAccount'] }] : [];
  },
);
