/** Without a liveness probe a hung process keeps its pod “running” forever. */
import { containerCheck, MAIN_CONTAINERS } from '../common/define.js';
import { mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const livenessProbe = containerCheck(
  {
    id: 'container-liveness-probe-missing',
    title: 'Liveness probe not set',
    category: 'resources',
    description: 'The container has no livenessProbe, so the kubelet restarts it only when the process exits; a deadlocked process stays in service. Checked for long-running workloads only (not Jobs, CronJobs or bare Pods with restartPolicy Never).',
    remediation: 'Add a livenessProbe that fails when the process can no longer make progress (and differs from the readiness probe).',
    severity: { gain: 'hygiene', effort: 'foothold', reason: 'Availability only.' },
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: ['polaris:livenessProbeMissing', 'kube-linter:no-liveness-probe', 'kubescape:C-0056'],
  },
  (container, pod, { object }) => {
    if (object.kind === 'Job' || object.kind === 'CronJob' || pod.spec.restartPolicy === 'Never' || pod.spec.restartPolicy === 'OnFailure') return undefined;
    return mapping(container.raw.livenessProbe) === undefined ? { predicate: 'should set a livenessProbe', path: [...container.path, 'livenessProbe'] } : undefined;
  },
  MAIN_CONTAINERS,
);
