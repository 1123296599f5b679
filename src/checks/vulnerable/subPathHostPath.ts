/** subPath into a hostPath volume is the shape of CVE-2021-25741 (symlink exchange reaching the node’s filesystem). */
import { containerCheck } from '../common/define.js';
import { hostPathVolumes, mountsOf } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const subPathHostPath = containerCheck(
  {
    id: 'container-subpath-host-path',
    title: 'subPath mount of a hostPath volume (CVE-2021-25741 class)',
    category: 'vulnerable',
    description: 'A container mounts a hostPath volume with subPath or subPathExpr. On kubelets before 1.19.15, 1.20.11, 1.21.5 and 1.22.2 (CVE-2021-25741), and in the broader class of subPath symlink races, a process that can write to the volume swaps a path for a symlink and gets the node’s filesystem mounted instead.',
    remediation: 'Mount the hostPath directory without subPath (or point hostPath.path at the subdirectory), mount it read-only, and keep kubelets patched.',
    severity: { gain: 'control', effort: 'chained', reason: 'Needs a vulnerable kubelet (or a new race of the same class) in addition to a foothold; then it exposes the node’s root filesystem.' },
    nsa: [NSA.upgrading],
    mitre: [MITRE.escapeToHost, MITRE.privilegeEscalationExploit],
    equivalents: [],
  },
  (container, pod) => {
    const hostVolumes = hostPathVolumes(pod);
    if (hostVolumes.size === 0) return undefined;
    return mountsOf(container)
      .filter((mount) => mount.subPath && hostVolumes.has(mount.name))
      .map((mount) => ({ predicate: `must not mount hostPath volume ${JSON.stringify(mount.name)} with subPath`, path: mount.path }));
  },
);
