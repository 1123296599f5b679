/**
 * Restricted: every container must run under RuntimeDefault or Localhost
 * seccomp, set on the container or inherited from the pod. Windows pods are
 * exempt from v1.25 (seccomp is a Linux feature).
 */
import { containerSubject, POD, quote } from './messages.js';
import { containerContextPath, isWindowsPod, podContextPath, profileOf } from './podFields.js';
import { ALLOWED_SECCOMP_TYPES } from './seccompProfileBaseline.js';
import type { PssCheck, PssCheckFunction, PssOffense } from './types.js';

const REQUIRED = 'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost" (or inherit it from the pod)';

const requireSeccompV1Dot19: PssCheckFunction = (pod) => {
  const offenses: PssOffense[] = [];
  const podProfile = profileOf(pod.securityContext, podContextPath(pod), 'seccompProfile');
  const podProtects = podProfile !== undefined && ALLOWED_SECCOMP_TYPES.has(podProfile.type);
  if (podProfile !== undefined && !podProtects) {
    offenses.push({ subject: POD, predicate: `must not set securityContext.seccompProfile.type=${quote(podProfile.type)}`, path: podProfile.path });
  }
  const unprotected: PssOffense[] = [];
  for (const container of pod.containers) {
    const contextPath = containerContextPath(container);
    const profile = profileOf(container.securityContext, contextPath, 'seccompProfile');
    if (profile !== undefined) {
      if (!ALLOWED_SECCOMP_TYPES.has(profile.type)) {
        offenses.push({ subject: containerSubject(container.name), predicate: `must not set securityContext.seccompProfile.type=${quote(profile.type)}`, path: profile.path });
      }
    } else if (!podProtects) {
      unprotected.push({ subject: containerSubject(container.name), predicate: REQUIRED, path: [...contextPath, 'seccompProfile', 'type'] });
    }
  }
  return [...offenses, ...unprotected];
};

const requireSeccompV1Dot25: PssCheckFunction = (pod) => (isWindowsPod(pod) ? [] : requireSeccompV1Dot19(pod));

export const seccompProfileRestricted: PssCheck = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  reason: 'seccompProfile',
  title: 'Seccomp profile not set',
  severity: 'low',
  severityReason: 'Containers without an explicit profile may run unconfined on nodes whose runtime does not default to seccomp; hardening rather than an exposure.',
  description:
    'A container has no seccomp profile of type RuntimeDefault or Localhost, neither on itself nor inherited from the pod, or sets another type. Applies from policy v1.19 (replacing seccompProfile_baseline at the restricted level); pods with spec.os.name=windows are exempt from v1.25.',
  remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod (containers inherit it), or Localhost with a profile installed on every node.',
  versions: [
    { minimumVersion: 'v1.19', check: requireSeccompV1Dot19, overrides: ['seccompProfile_baseline'] },
    { minimumVersion: 'v1.25', check: requireSeccompV1Dot25, overrides: ['seccompProfile_baseline'] },
  ],
};
