/** Without a user namespace, UID 0 in the container is UID 0 on the node. */
import { podCheck } from '../common/define.js';
import { isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const userNamespace = podCheck(
  {
    id: 'pod-user-namespace-disabled',
    title: 'Pod does not use a user namespace',
    category: 'container',
    description:
      'The pod does not set spec.hostUsers=false, so its UIDs are the node’s UIDs. With a user namespace (Kubernetes 1.30+ with a supporting runtime), root in the container maps to an unprivileged ID on the node, which defuses most escapes.',
    remediation: 'Set spec.hostUsers: false where the cluster supports user namespaces and the workload needs no host namespaces or host volumes.',
    severity: { gain: 'weakening', effort: 'chained', reason: 'An extra layer that matters only after an escape; informational hardening.' },
    nsa: [NSA.nonRoot],
    mitre: [MITRE.escapeToHost],
    equivalents: ['kubesec:HostUsers'],
  },
  (pod) => {
    if (isWindows(pod) || pod.hostUsers?.value === false) return [];
    return [{ message: 'pod should set spec.hostUsers=false to run in its own user namespace', path: pod.hostUsers?.path ?? [...pod.specPath, 'hostUsers'] }];
  },
);
