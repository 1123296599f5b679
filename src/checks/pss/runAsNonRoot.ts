/**
 * Restricted: containers must be required to run as a non-root user, on the
 * container or through the pod. From v1.35 pods in their own user namespace
 * (`hostUsers: false`) are exempt: their root is unprivileged on the node.
 */
import { containerSubject, POD } from './messages.js';
import { containerContextPath, runsInUserNamespace } from './podFields.js';
import type { PssCheck, PssCheckFunction, PssOffense } from './types.js';

const requireNonRootV1Dot0: PssCheckFunction = (pod) => {
  const offenses: PssOffense[] = [];
  const podSetting = pod.podLevel.runAsNonRoot;
  if (podSetting?.value === false) offenses.push({ subject: POD, predicate: 'must not set securityContext.runAsNonRoot=false', path: podSetting.path });
  const podRequiresNonRoot = podSetting?.value === true;
  const unset: PssOffense[] = [];
  for (const container of pod.containers) {
    const setting = container.effective.runAsNonRoot;
    if (setting?.level === 'container') {
      if (!setting.value) offenses.push({ subject: containerSubject(container.name), predicate: 'must not set securityContext.runAsNonRoot=false', path: setting.path });
    } else if (!podRequiresNonRoot) {
      unset.push({ subject: containerSubject(container.name), predicate: 'must set securityContext.runAsNonRoot=true (or inherit it from the pod)', path: [...containerContextPath(container), 'runAsNonRoot'] });
    }
  }
  return [...offenses, ...unset];
};

const requireNonRootV1Dot35: PssCheckFunction = (pod) => (runsInUserNamespace(pod) ? [] : requireNonRootV1Dot0(pod));

export const runAsNonRoot: PssCheck = {
  id: 'runAsNonRoot',
  level: 'restricted',
  reason: 'runAsNonRoot != true',
  title: 'Container may run as root',
  severity: 'medium',
  severityReason: 'Root in the container is root on the node’s kernel (without user namespaces); combined with any other weakness it makes an escape far more damaging.',
  description:
    'Neither the container nor the pod sets securityContext.runAsNonRoot=true, or one of them sets it to false, so the container may run as UID 0. From policy v1.35 pods with spec.hostUsers=false are exempt, because their UIDs are mapped to unprivileged IDs on the node.',
  remediation: 'Set spec.securityContext.runAsNonRoot: true on the pod (and runAsUser to a non-zero UID if the image’s user is root), and remove any runAsNonRoot: false. Alternatively run the pod in a user namespace with spec.hostUsers: false.',
  versions: [
    { minimumVersion: 'v1.0', check: requireNonRootV1Dot0 },
    { minimumVersion: 'v1.35', check: requireNonRootV1Dot35 },
  ],
};
