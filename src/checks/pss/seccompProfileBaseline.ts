/**
 * Baseline: seccomp may not be switched off. Policy versions before v1.19
 * judge the alpha annotations (the only way to set seccomp then); from v1.19
 * the securityContext.seccompProfile fields.
 */
import { SECCOMP_CONTAINER_ANNOTATION_PREFIX, SECCOMP_POD_ANNOTATION } from '../../model/podView.js';
import { isJsonObject } from '../../model/types.js';
import { containerSubject, POD, quote } from './messages.js';
import { containerContextPath, podContextPath, profileOf } from './podFields.js';
import type { PssCheck, PssCheckFunction, PssOffense } from './types.js';

export const ALLOWED_SECCOMP_TYPES: ReadonlySet<string> = new Set(['RuntimeDefault', 'Localhost']);

function allowedAnnotationValue(value: string): boolean {
  return value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');
}

const annotationsV1Dot0: PssCheckFunction = (pod) => {
  const annotations = pod.metadata.annotations;
  if (!isJsonObject(annotations)) return [];
  const offenses: PssOffense[] = [];
  const judge = (key: string): void => {
    const value = annotations[key];
    if (typeof value !== 'string' || allowedAnnotationValue(value)) return;
    offenses.push({ subject: { kind: 'annotation', key }, predicate: `must not be ${quote(value)}`, path: [...pod.metadataPath, 'annotations', key] });
  };
  judge(SECCOMP_POD_ANNOTATION);
  for (const container of pod.containers) judge(`${SECCOMP_CONTAINER_ANNOTATION_PREFIX}${container.name}`);
  return offenses;
};

/** Profiles that are set must be RuntimeDefault or Localhost; unset is fine at baseline. */
export const explicitSeccompProfiles: PssCheckFunction = (pod) => {
  const offenses: PssOffense[] = [];
  const podProfile = profileOf(pod.securityContext, podContextPath(pod), 'seccompProfile');
  if (podProfile !== undefined && !ALLOWED_SECCOMP_TYPES.has(podProfile.type)) {
    offenses.push({ subject: POD, predicate: `must not set securityContext.seccompProfile.type=${quote(podProfile.type)}`, path: podProfile.path });
  }
  for (const container of pod.containers) {
    const profile = profileOf(container.securityContext, containerContextPath(container), 'seccompProfile');
    if (profile !== undefined && !ALLOWED_SECCOMP_TYPES.has(profile.type)) {
      offenses.push({ subject: containerSubject(container.name), predicate: `must not set securityContext.seccompProfile.type=${quote(profile.type)}`, path: profile.path });
    }
  }
  return offenses;
};

export const seccompProfileBaseline: PssCheck = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  reason: 'seccompProfile',
  title: 'Seccomp is disabled',
  severity: 'medium',
  severityReason: 'Unconfined seccomp re-opens rarely needed system calls (keyctl, unshare, bpf, …) that many kernel escapes rely on, but is not an escape by itself.',
  description:
    'The pod or a container sets its seccomp profile to something other than RuntimeDefault or Localhost (in practice Unconfined). Policy versions before v1.19 judge the seccomp.security.alpha.kubernetes.io annotations instead, where runtime/default, docker/default and localhost/* are allowed.',
  remediation: 'Set securityContext.seccompProfile.type to RuntimeDefault on the pod (or Localhost with a profile installed on the nodes), and remove Unconfined profiles and unconfined seccomp annotations.',
  versions: [
    { minimumVersion: 'v1.0', check: annotationsV1Dot0 },
    { minimumVersion: 'v1.19', check: explicitSeccompProfiles },
  ],
};
