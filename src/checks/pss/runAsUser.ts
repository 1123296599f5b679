/**
 * Restricted (v1.23+): UID 0 may not be requested explicitly, on the pod or a
 * container. From v1.35 pods in their own user namespace are exempt.
 */
import { containerSubject, POD } from './messages.js';
import { runsInUserNamespace } from './podFields.js';
import type { PssCheck, PssCheckFunction, PssOffense } from './types.js';

const PREDICATE = 'must not set securityContext.runAsUser=0';

const forbidRootUidV1Dot23: PssCheckFunction = (pod) => {
  const offenses: PssOffense[] = [];
  const podSetting = pod.podLevel.runAsUser;
  if (podSetting?.value === 0) offenses.push({ subject: POD, predicate: PREDICATE, path: podSetting.path });
  for (const container of pod.containers) {
    const setting = container.effective.runAsUser;
    if (setting?.level === 'container' && setting.value === 0) offenses.push({ subject: containerSubject(container.name), predicate: PREDICATE, path: setting.path });
  }
  return offenses;
};

const forbidRootUidV1Dot35: PssCheckFunction = (pod) => (runsInUserNamespace(pod) ? [] : forbidRootUidV1Dot23(pod));

export const runAsUser: PssCheck = {
  id: 'runAsUser',
  level: 'restricted',
  reason: 'runAsUser=0',
  title: 'Container runs as UID 0',
  severity: 'medium',
  severityReason: 'An explicit runAsUser: 0 makes the container run as root whatever the image says; the impact is that of running as root.',
  description:
    'The pod or a container sets securityContext.runAsUser=0. Applies from policy v1.23; from v1.35 pods with spec.hostUsers=false are exempt, because UID 0 inside their user namespace is unprivileged on the node.',
  remediation: 'Set runAsUser to a non-zero UID (or leave it unset and build the image with a non-root USER), together with runAsNonRoot: true.',
  versions: [
    { minimumVersion: 'v1.23', check: forbidRootUidV1Dot23 },
    { minimumVersion: 'v1.35', check: forbidRootUidV1Dot35 },
  ],
};
