/** A hostPath mounted read-write lets the pod change the node’s files. */
import { containerCheck } from '../common/define.js';
import { hostPathVolumes, mountsOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const writableHostPath = containerCheck(
  {
    id: 'container-writable-host-path',
    title: 'hostPath volume mounted writable',
    category: 'host',
    description: 'A container mounts a hostPath volume without readOnly: true, so it can create and modify files on the node, including, for system paths, what the node executes at its next start.',
    remediation: 'Set readOnly: true on the volumeMount, or replace the hostPath volume.',
    severity: { gain: 'control', effort: 'foothold', reason: 'A foothold writes to the node’s filesystem; for most paths that becomes code execution on the node.' },
    nsa: [NSA.podSecurity],
    mitre: [MITRE.escapeToHost],
    equivalents: ['kubescape:C-0045', 'kube-linter:writable-host-mount'],
  },
  (container, pod) => {
    const hostVolumes = hostPathVolumes(pod);
    if (hostVolumes.size === 0) return undefined;
    return mountsOf(container)
      .filter((mount) => hostVolumes.has(mount.name) && !mount.readOnly)
      .map((mount) => ({ predicate: `must mount hostPath volume ${JSON.stringify(mount.name)} (${hostVolumes.get(mount.name)}) read-only`, path: [...mount.path, 'readOnly'] }));
  },
);
