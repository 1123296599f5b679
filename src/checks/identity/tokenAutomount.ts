/**
 * The API token is mounted unless the pod says false, or the pod says
 * nothing and its ServiceAccount (when it is in the input) says false.
 */
import { namespaceOf, podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { serviceAccountName } from './serviceAccount.js';

export const tokenAutomount = podCheck(
  {
    id: 'pod-service-account-token-mounted',
    title: 'Service account token is mounted',
    category: 'identity',
    description:
      'The pod gets a Kubernetes API token: it does not set spec.automountServiceAccountToken=false, and its ServiceAccount (when the input contains it) does not either, or the pod sets true explicitly (which overrides the ServiceAccount). Anyone who runs code in the pod can call the API with the pod’s identity.',
    remediation: 'Set automountServiceAccountToken: false on the pod (or on its ServiceAccount) unless the application calls the Kubernetes API; if it does, give it a dedicated ServiceAccount with minimal RBAC.',
    severity: { gain: 'access', effort: 'foothold', reason: 'A foothold obtains the pod’s API identity; what that is worth depends on its RBAC.' },
    cis: ['5.1.6'],
    nsa: [NSA.serviceAccountTokens],
    mitre: [MITRE.containerApiCredentials, MITRE.stealAccessToken],
    fixable: true,
    equivalents: ['kubescape:C-0034', 'polaris:automountServiceAccountToken', 'kubesec:AutomountServiceAccountToken', 'trivy:KSV036'],
  },
  (pod, { object, cluster }) => {
    const own = pod.spec.automountServiceAccountToken;
    if (own === false) return [];
    const path = [...pod.specPath, 'automountServiceAccountToken'];
    if (own === true) return [{ message: 'pod must not set spec.automountServiceAccountToken=true unless it calls the Kubernetes API', path }];
    const account = cluster.serviceAccount(namespaceOf(object), serviceAccountName(pod));
    if (account?.raw.automountServiceAccountToken === false) return [];
    // An explicit true says the application calls the API: only the unset default is fixed.
    return [{ message: 'pod must set spec.automountServiceAccountToken=false (or its ServiceAccount must) unless it calls the Kubernetes API', path, fix: [{ op: 'set', path, value: false }] }];
  },
  { afterInput: true },
);
