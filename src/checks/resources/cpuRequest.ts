/** Without a CPU request the scheduler places the pod blind and it gets the smallest share under contention. */
import { MITRE, NSA } from '../common/frameworks.js';
import { resourceCheck } from './resourceCheck.js';

export const cpuRequest = resourceCheck(
  {
    id: 'container-cpu-request-missing',
    title: 'CPU request not set',
    category: 'resources',
    description: 'The container sets no resources.requests.cpu. A CPU limit alone does not settle it: a LimitRange’s defaultRequest in the namespace takes precedence over copying the limit, so the manifest does not say what the pod will ask for. The scheduler cannot account for it, nodes get overcommitted, and under contention the container gets the minimum CPU share.',
    remediation: 'Set resources.requests.cpu to the container’s typical usage.',
    severity: { gain: 'hygiene', effort: 'none', reason: 'An availability and capacity problem; no access is gained.' },
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: ['kube-score:container-resources', 'polaris:cpuRequestsMissing', 'kube-linter:unset-cpu-requirements', 'kubesec:RequestsCPU', 'kubescape:C-0050', 'kubescape:resources-cpu-requests', 'trivy:KSV015'],
  },
  'requests',
  'cpu',
);
