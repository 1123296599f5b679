/** Without a memory request the pod is first in line for eviction and placed blind. */
import { MITRE, NSA } from '../common/frameworks.js';
import { resourceCheck } from './resourceCheck.js';

export const memoryRequest = resourceCheck(
  {
    id: 'container-memory-request-missing',
    title: 'Memory request not set',
    category: 'resources',
    description: 'The container sets no resources.requests.memory. A memory limit alone does not settle it: a LimitRange’s defaultRequest takes precedence over copying the limit. The scheduler cannot account for its memory, and the pod is among the first evicted under memory pressure.',
    remediation: 'Set resources.requests.memory to the container’s working set.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'An availability and capacity problem; no access is gained.' },
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: ['kube-score:container-resources', 'polaris:memoryRequestsMissing', 'kube-linter:unset-memory-requirements', 'kubesec:RequestsMemory', 'kubescape:C-0004', 'kubescape:resources-memory-requests', 'trivy:KSV016'],
  },
  'requests',
  'memory',
);
