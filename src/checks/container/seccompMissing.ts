/** No seccomp profile at all: the container runs unconfined on runtimes that do not default to seccomp. */
import { containerCheck, contextPath } from '../common/define.js';
import { isWindows, mapping } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { effectiveSeccomp } from './seccompProfile.js';

export const seccompMissing = containerCheck(
  {
    id: 'container-seccomp-missing',
    title: 'No seccomp profile',
    category: 'container',
    description:
      'Neither the container nor the pod sets a seccomp profile (the deprecated alpha annotations are ignored, as Kubernetes has since 1.27). Unless the kubelet runs with --seccomp-default, such containers run Unconfined. The pod-level profile counts for every container; Windows pods are exempt.',
    remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod.',
    severity: { gain: 'control', effort: 'chained', reason: 'Like an explicit Unconfined profile it only matters with a kernel bug, and many clusters default to RuntimeDefault anyway.' },
    cis: ['5.7.2'],
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.escapeToHost],
    fixable: true,
    equivalents: ['kube-score:container-seccomp-profile', 'kubesec:SeccompAny', 'kubeaudit:SeccompProfileMissing', 'kubescape:set-seccomp-profile', 'trivy:KSV030'],
  },
  (container, pod) => {
    if (isWindows(pod) || effectiveSeccomp(container, pod) !== undefined) return undefined;
    // The pod level covers every container that sets no profile of its own; a container with a seccompProfile mapping (but no type) hides it.
    const onPod = mapping(container.securityContext?.seccompProfile) === undefined && pod.securityContext?.seccompProfile === undefined;
    const fixPath = onPod ? [...pod.specPath, 'securityContext', 'seccompProfile', 'type'] : [...contextPath(container), 'seccompProfile', 'type'];
    return { predicate: 'must set securityContext.seccompProfile.type (or inherit it from the pod)', path: [...contextPath(container), 'seccompProfile'], fix: [{ op: 'set', path: fixPath, value: 'RuntimeDefault' }] };
  },
);
