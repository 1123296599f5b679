/** An explicit Unconfined seccomp profile turns off the syscall filter. */
import { containerCheck } from '../common/define.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { effectiveSeccomp } from './seccompProfile.js';

export const seccompUnconfined = containerCheck(
  {
    fixable: true,
    id: 'container-seccomp-unconfined',
    title: 'Seccomp explicitly disabled',
    category: 'container',
    description: 'The container’s effective seccomp profile (its own, or the pod’s) is Unconfined, so every system call reaches the kernel, including the rarely used ones most kernel exploits need.',
    remediation: 'Set seccompProfile.type to RuntimeDefault (or a Localhost profile) on the pod and remove Unconfined from the container.',
    severity: { gain: 'control', effort: 'chained', reason: 'Needs a kernel vulnerability to pay off, but removes the filter that blocks many of them.' },
    cis: ['5.7.2'],
    nsa: [NSA.containerEnvironment],
    mitre: [MITRE.escapeToHost, MITRE.impairDefenses],
    equivalents: ['kubesec:SeccompUnconfined', 'kubesec:SeccompAny', 'kubeaudit:SeccompDisabledContainer', 'kubeaudit:SeccompDisabledPod'],
  },
  (container, pod) => {
    const profile = effectiveSeccomp(container, pod);
    if (profile?.type !== 'Unconfined') return undefined;
    // Where Unconfined is written (pod or container) is where RuntimeDefault goes: other containers inheriting it are fixed too.
    return { predicate: 'must not run with seccomp profile Unconfined', path: profile.path, fix: [{ op: 'set', path: profile.path, value: 'RuntimeDefault' }] };
  },
);
