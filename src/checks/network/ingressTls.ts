/** An Ingress without TLS serves its hosts in clear text. */
import { objectCheck } from '../common/define.js';
import { list, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const ingressTls = objectCheck(
  {
    id: 'ingress-without-tls',
    title: 'Ingress without TLS',
    category: 'network',
    description: 'The Ingress has no spec.tls section, so its hosts are served over plain HTTP: credentials, session cookies and data cross the network readable and modifiable.',
    remediation: 'Add spec.tls with the hosts and a certificate Secret (cert-manager can issue and renew it), and redirect HTTP to HTTPS.',
    severity: { gain: 'access', effort: 'chained', reason: 'Exploitation needs a position on the network path; then credentials and sessions are readable.' },
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.adversaryInTheMiddle, MITRE.networkSniffing],
    equivalents: ['kubescape:ingress-no-tls', 'polaris:tlsSettingsMissing'],
  },
  ['Ingress'],
  (object) => (list(mapping(object.raw.spec)?.tls).length === 0 ? [{ message: `Ingress ${object.name} has no spec.tls`, path: ['spec'] }] : []),
);
