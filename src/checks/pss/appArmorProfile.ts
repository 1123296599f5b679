/**
 * Baseline: AppArmor may not be switched off. Both channels are judged at
 * every policy version: the `appArmorProfile` fields (pod and containers)
 * and the deprecated per-container beta annotations.
 */
import { APPARMOR_ANNOTATION_PREFIX } from '../../model/podView.js';
import { isJsonObject } from '../../model/types.js';
import { containerSubject, POD, quote } from './messages.js';
import { containerContextPath, podContextPath, profileOf } from './podFields.js';
import type { PssCheck, PssOffense } from './types.js';

const ALLOWED_TYPES = new Set(['RuntimeDefault', 'Localhost']);

function allowedAnnotationValue(value: string): boolean {
  return value === '' || value === 'runtime/default' || value.startsWith('localhost/');
}

export const appArmorProfile: PssCheck = {
  id: 'appArmorProfile',
  level: 'baseline',
  reason: 'forbidden AppArmor profile',
  title: 'AppArmor is disabled',
  severity: 'medium',
  severityReason: 'Unconfined AppArmor removes one layer of mandatory access control; an escape still needs another weakness.',
  description:
    'The pod or a container sets its AppArmor profile type to something other than RuntimeDefault or Localhost (in practice Unconfined), through securityContext.appArmorProfile or the container.apparmor.security.beta.kubernetes.io annotations.',
  remediation: 'Remove the Unconfined profile: leave appArmorProfile unset (the runtime default applies), or set type RuntimeDefault or Localhost with a profile loaded on the nodes. Replace beta annotations by the securityContext field.',
  versions: [
    {
      minimumVersion: 'v1.0',
      check: (pod) => {
        const offenses: PssOffense[] = [];
        const podProfile = profileOf(pod.securityContext, podContextPath(pod), 'appArmorProfile');
        if (podProfile !== undefined && !ALLOWED_TYPES.has(podProfile.type)) {
          offenses.push({ subject: POD, predicate: `must not set securityContext.appArmorProfile.type=${quote(podProfile.type)}`, path: podProfile.path });
        }
        for (const container of pod.containers) {
          const profile = profileOf(container.securityContext, containerContextPath(container), 'appArmorProfile');
          if (profile !== undefined && !ALLOWED_TYPES.has(profile.type)) {
            offenses.push({ subject: containerSubject(container.name), predicate: `must not set securityContext.appArmorProfile.type=${quote(profile.type)}`, path: profile.path });
          }
        }
        const annotations = pod.metadata.annotations;
        if (isJsonObject(annotations)) {
          for (const key of Object.keys(annotations).sort()) {
            const value = annotations[key];
            if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX) || typeof value !== 'string' || allowedAnnotationValue(value)) continue;
            offenses.push({ subject: { kind: 'annotation', key }, predicate: `must not be ${quote(value)}`, path: [...pod.metadataPath, 'annotations', key] });
          }
        }
        return offenses;
      },
    },
  ],
};
