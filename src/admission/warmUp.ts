/**
 * JIT warm-up before the server reports ready. The decision core runs
 * several times slower until V8 has optimised the check functions (thousands
 * of reviews); a replica that takes traffic cold after a restart answers its
 * first requests at that speed. Reviewing a few typical objects for a bounded
 * time first means the first real request meets optimised code.
 */
import { performance } from 'node:perf_hooks';
import type { Decider } from './decide.js';
import type { AdmissionRequest } from './review.js';

const container = (securityContext: Record<string, unknown>) => ({ name: 'app', image: 'registry.example/app:1.0', securityContext });
const HARDENED = { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };

function sample(kind: string, group: string, object: Record<string, unknown>): AdmissionRequest {
  return {
    uid: 'warm-up',
    kind: { group, version: 'v1', kind },
    resource: { group, version: 'v1', resource: `${kind.toLowerCase()}s` },
    name: 'warm-up',
    namespace: 'warm-up',
    operation: 'CREATE',
    userInfo: { username: 'warm-up' },
    object,
    oldObject: null,
    dryRun: true,
  };
}

const SAMPLES: readonly AdmissionRequest[] = [
  sample('Pod', '', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'warm-up', namespace: 'warm-up' }, spec: { containers: [container(HARDENED)] } }),
  sample('Pod', '', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'warm-up', namespace: 'warm-up' }, spec: { hostPID: true, containers: [container({ privileged: true })] } }),
  sample('Deployment', 'apps', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'warm-up', namespace: 'warm-up' },
    spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [container({})] } } },
  }),
];

const LEVELS = ['baseline', 'restricted'];

/** Reviews the samples until `milliseconds` have passed; returns how many reviews ran. */
export function warmUp(decider: Decider, milliseconds: number): number {
  const deadline = performance.now() + milliseconds;
  let reviews = 0;
  while (performance.now() < deadline) {
    for (const request of SAMPLES) {
      decider.decide(request, { 'pod-security.kubernetes.io/enforce': LEVELS[reviews % 2] as string });
      reviews++;
    }
  }
  return reviews;
}
