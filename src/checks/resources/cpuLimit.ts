/** Without a CPU limit one container can take every core of its node. */
import { MITRE, NSA } from '../common/frameworks.js';
import { resourceCheck } from './resourceCheck.js';

export const cpuLimit = resourceCheck(
  {
    id: 'container-cpu-limit-missing',
    title: 'CPU limit not set',
    category: 'resources',
    description: 'The container sets no resources.limits.cpu. A busy or compromised container (a cryptominer, a runaway loop) can then use all spare CPU on its node, starving neighbours that rely on bursting.',
    remediation: 'Set resources.limits.cpu, or enforce a default with a LimitRange in the namespace.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'A foothold can hijack node CPU and degrade other workloads; no data access.' },
    cis: ['5.7.1'],
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.resourceHijacking, MITRE.endpointDenialOfService],
    equivalents: ['kube-score:container-resources', 'polaris:cpuLimitsMissing', 'kube-linter:unset-cpu-requirements', 'kubesec:LimitsCPU', 'kubescape:C-0050', 'kubescape:resources-cpu-limits', 'kubeaudit:LimitsNotSet', 'kubeaudit:LimitsCPUNotSet', 'trivy:KSV011'],
  },
  'limits',
  'cpu',
);
