/** Without a readiness probe traffic reaches a container before it can serve. */
import { containerCheck, MAIN_CONTAINERS } from '../common/define.js';
import { mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const readinessProbe = containerCheck(
  {
    id: 'container-readiness-probe-missing',
    title: 'Readiness probe not set',
    category: 'resources',
    description: 'The container has no readinessProbe, so Services send it traffic as soon as it starts and keep sending while it is overloaded. Checked for long-running workloads only (not Jobs, CronJobs or Pods that do not restart).',
    remediation: 'Add a readinessProbe that succeeds only when the container can serve requests.',
    severity: { gain: 'hygiene', effort: 'foothold', reason: 'Availability only.' },
    nsa: [NSA.resourcePolicies],
    mitre: [MITRE.endpointDenialOfService],
    equivalents: ['polaris:readinessProbeMissing', 'kube-linter:no-readiness-probe', 'kubescape:C-0018'],
  },
  (container, pod, { object }) => {
    if (object.kind === 'Job' || object.kind === 'CronJob' || pod.spec.restartPolicy === 'Never' || pod.spec.restartPolicy === 'OnFailure') return undefined;
    return mapping(container.raw.readinessProbe) === undefined ? { predicate: 'should set a readinessProbe', path: [...container.path, 'readinessProbe'] } : undefined;
  },
  MAIN_CONTAINERS,
);
