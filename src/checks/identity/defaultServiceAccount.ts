/** Pods that all share `default` share one identity; its permissions accrue to every pod of the namespace. */
import { podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { serviceAccountName } from './serviceAccount.js';

export const defaultServiceAccount = podCheck(
  {
    id: 'pod-default-service-account',
    title: 'Pod runs as the default service account',
    category: 'identity',
    description: 'The pod sets no serviceAccountName (or names default), so it runs as the namespace’s default ServiceAccount. Every such pod shares that identity, and any permission granted to default for one application is granted to all of them.',
    remediation: 'Create a ServiceAccount per application and set spec.serviceAccountName; keep default without role bindings and with automountServiceAccountToken: false.',
    severity: { gain: 'access', effort: 'chained', reason: 'Only matters when the default account has permissions and a pod is compromised.' },
    cis: ['5.1.5'],
    nsa: [NSA.serviceAccountTokens],
    mitre: [MITRE.defaultAccounts],
    equivalents: ['kube-linter:default-service-account', 'kubesec:ServiceAccountName'],
  },
  (pod) => (serviceAccountName(pod) === 'default' ? [{ message: 'pod should set spec.serviceAccountName to a dedicated ServiceAccount', path: [...pod.specPath, 'serviceAccountName'] }] : []),
);
