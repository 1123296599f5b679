/** An explicit `runAsGroup: 0`: files owned by root’s group become writable where group-writable. */
import { containerCheck } from '../common/define.js';
import { isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const runAsRootGroup = containerCheck(
  {
    id: 'container-run-as-root-group',
    title: 'Container explicitly runs with GID 0',
    category: 'container',
    description: 'The container’s effective securityContext.runAsGroup is 0, set on the container or inherited from the pod, giving the process root’s group on files in the image and on any host or shared volume.',
    remediation: 'Set runAsGroup to a non-zero GID on the pod or container.',
    severity: { gain: 'weakening', effort: 'foothold', reason: 'Gives a foothold write access to group-writable root files; not node control by itself.' },
    cis: ['5.7.3'],
    nsa: [NSA.nonRoot],
    mitre: [MITRE.privilegeEscalationExploit],
    equivalents: ['trivy:KSV029'],
  },
  (container, pod) => {
    // Windows pods run without Linux user IDs and read-only root filesystems (the API rejects them with os.name windows).
    if (isWindows(pod)) return undefined;
    const group = container.effective.runAsGroup;
    if (group?.value !== 0) return undefined;
    return { predicate: `must not set securityContext.runAsGroup=0${group.level === 'pod' ? ' (inherited from the pod)' : ''}`, path: group.path };
  },

);
