/** GIDs below 10000 may coincide with groups on the node (GID 0 is root’s group). */
import { containerCheck, contextPath } from '../common/define.js';
import { isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';
import { LOW_ID_LIMIT } from './lowUserId.js';

export const lowGroupId = containerCheck(
  {
    id: 'container-low-group-id',
    title: 'Group ID is unset or below 10000',
    category: 'container',
    description:
      'The container’s effective runAsGroup (container or inherited from the pod) is unset or lower than 10000, so the process may run with the image’s group, often root’s GID 0, and share group ownership with files on the node.',
    remediation: 'Set runAsGroup to 10000 or more on the pod or the container.',
    severity: { gain: 'weakening', effort: 'chained', reason: 'Group ownership only matters after an escape or through a shared host mount.' },
    cis: ['5.7.3'],
    nsa: [NSA.nonRoot],
    mitre: [MITRE.escapeToHost],
    equivalents: ['kube-score:container-security-context-user-group-id', 'kubesec:RunAsGroup', 'trivy:KSV021'],
  },
  (container, pod) => {
    // Windows pods run without Linux user IDs and read-only root filesystems (the API rejects them with os.name windows).
    if (isWindows(pod)) return undefined;
    const group = container.effective.runAsGroup;
    if (group !== undefined && group.value >= LOW_ID_LIMIT) return undefined;
    return { predicate: `must run with securityContext.runAsGroup >= ${LOW_ID_LIMIT}${group === undefined ? '' : ` (is ${group.value})`}`, path: group?.path ?? [...contextPath(container), 'runAsGroup'] };
  },

);
