/** UIDs below 10000 may coincide with accounts on the node; a high UID keeps an escaped process away from them. */
import { containerCheck, contextPath } from '../common/define.js';
import { isWindows } from '../common/fields.js';
import { MITRE, NSA } from '../common/frameworks.js';

export const LOW_ID_LIMIT = 10000;

export const lowUserId = containerCheck(
  {
    id: 'container-low-user-id',
    title: 'User ID is unset or below 10000',
    category: 'container',
    description:
      'The container’s effective runAsUser (container or inherited from the pod) is unset or lower than 10000. Low UIDs are the ones node accounts and system services use; a process that escapes the container with such a UID may own files on the host.',
    remediation: 'Set runAsUser to 10000 or more on the pod or the container.',
    severity: { gain: 'weakening', effort: 'chained', reason: 'Matters only after an escape or a shared host mount; it narrows what the escaped process can touch.' },
    cis: ['5.7.3'],
    nsa: [NSA.nonRoot],
    mitre: [MITRE.escapeToHost],
    equivalents: ['kube-score:container-security-context-user-group-id', 'kubesec:RunAsUser', 'trivy:KSV020'],
  },
  (container, pod) => {
    // Windows pods run without Linux user IDs and read-only root filesystems (the API rejects them with os.name windows).
    if (isWindows(pod)) return undefined;
    const user = container.effective.runAsUser;
    if (user !== undefined && user.value >= LOW_ID_LIMIT) return undefined;
    return { predicate: `must run with securityContext.runAsUser >= ${LOW_ID_LIMIT}${user === undefined ? '' : ` (is ${user.value})`}`, path: user?.path ?? [...contextPath(container), 'runAsUser'] };
  },

);
