/** A namespace without a ResourceQuota has no ceiling on what its tenants consume. */
import { objectCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const namespaceQuota = objectCheck(
  {
    id: 'namespace-without-resource-quota',
    title: 'Namespace has no ResourceQuota',
    category: 'resources',
    description: 'A Namespace in the input has no ResourceQuota in the input. Nothing caps the CPU, memory, storage or object counts its workloads may claim, so one tenant (or one compromised deployment) can exhaust the cluster. Judged after the whole input is read.',
    remediation: 'Add a ResourceQuota to the namespace with limits for requests.cpu, requests.memory, limits.memory and object counts.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'Someone able to create workloads in the namespace can exhaust cluster capacity.' },
    cis: ['5.7.1'],
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.resourceHijacking],
    equivalents: [],
  },
  ['Namespace'],
  (object, { cluster }) => (cluster.hasResourceQuota(object.name) ? [] : [{ message: `namespace ${object.name} has no ResourceQuota`, path: ['metadata', 'name'] }]),
  { group: '', afterInput: true },
);
