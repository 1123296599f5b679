/** A pod names a ServiceAccount the input does not define: the pod cannot start until someone creates it. */
import { namespaceOf, podCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { serviceAccountName } from './serviceAccount.js';

export const missingServiceAccount = podCheck(
  {
    id: 'pod-service-account-not-found',
    title: 'Pod names a ServiceAccount that the manifests do not define',
    category: 'identity',
    description: 'The pod’s serviceAccountName is not default and no ServiceAccount of that name exists in its namespace in the input. When ServiceAccounts are managed outside these manifests, disable the check. The pod will not start until someone creates it, and whoever does decides its permissions.',
    remediation: 'Add the ServiceAccount to the manifests, or correct the name.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'A deployment error rather than an exposure.' },
    nsa: [NSA.serviceAccountTokens],
    mitre: [MITRE.validAccounts],
    equivalents: ['kube-linter:non-existent-service-account', 'kubescape:C-0307'],
  },
  (pod, { object, cluster }) => {
    const name = serviceAccountName(pod);
    if (name === 'default' || cluster.serviceAccount(namespaceOf(object), name) !== undefined) return [];
    const path = typeof pod.spec.serviceAccountName === 'string' ? [...pod.specPath, 'serviceAccountName'] : [...pod.specPath, 'serviceAccount'];
    return [{ message: `pod runs as ServiceAccount ${JSON.stringify(name)}, which is not defined in namespace ${namespaceOf(object)}`, path }];
  },
  { afterInput: true },
);
