/** Service externalIPs can claim any address for cluster traffic (CVE-2020-8554, unpatchable by design). */
import { objectCheck } from '../common/define.js';
import { list, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const externalIps = objectCheck(
  {
    id: 'service-external-ips',
    title: 'Service sets externalIPs (CVE-2020-8554)',
    category: 'vulnerable',
    description: 'The Service sets spec.externalIPs. kube-proxy then captures traffic from every pod and node to those addresses, whoever owns them: a Service author can intercept connections to any external IP (CVE-2020-8554, a design flaw with no patch).',
    remediation: 'Remove externalIPs and use a LoadBalancer Service; block the field cluster-wide with the DenyServiceExternalIPs admission plugin or a policy.',
    severity: { gain: 'access', effort: 'foothold', reason: 'Needs the right to write a Service; yields interception of other workloads’ traffic.' },
    nsa: [NSA.networkPolicies],
    mitre: [MITRE.adversaryInTheMiddle],
    equivalents: [],
  },
  ['Service'],
  (object) => (list(mapping(object.raw.spec)?.externalIPs).length > 0 ? [{ message: `Service ${object.name} sets externalIPs`, path: ['spec', 'externalIPs'] }] : []),
  { group: '' },
);
