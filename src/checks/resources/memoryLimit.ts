/** Without a memory limit one container can push its node into OOM, killing neighbours. */
import { MITRE, NSA } from '../common/frameworks.js';
import { resourceCheck } from './resourceCheck.js';

export const memoryLimit = resourceCheck(
  {
    id: 'container-memory-limit-missing',
    title: 'Memory limit not set',
    category: 'resources',
    description: 'The container sets no resources.limits.memory. A leak or a compromised process can consume the node’s memory until the kernel’s OOM killer or kubelet eviction takes down other pods.',
    remediation: 'Set resources.limits.memory (usually equal to the request), or enforce a default with a LimitRange.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'A foothold can exhaust node memory and take down other workloads; no data access.' },
    cis: ['5.7.1'],
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: ['kube-score:container-resources', 'polaris:memoryLimitsMissing', 'kube-linter:unset-memory-requirements', 'kubesec:LimitsMemory', 'kubescape:C-0004', 'kubescape:resources-memory-limits', 'kubeaudit:LimitsNotSet', 'kubeaudit:LimitsMemoryNotSet', 'trivy:KSV018'],
  },
  'limits',
  'memory',
);
