/** Catalogue metadata of the PSS family, generated from the check definitions. */
import { documentationLink, type CheckMeta } from '../types.js';
import { PSS_CHECKS } from './registry.js';
import type { PssCheck } from './types.js';
import { policyMinor } from './versions.js';

export const PSS_CATEGORY = 'pod-security';

/** One string per check: a scan records these IDs for every pod, so they are shared rather than built each time. */
const CHECK_IDS = new Map<string, string>();

export function pssCheckId(check: Pick<PssCheck, 'id'>): string {
  let id = CHECK_IDS.get(check.id);
  if (id === undefined) {
    id = `PSS-${check.id}`;
    CHECK_IDS.set(check.id, id);
  }
  return id;
}

/** `v1.0+`, or `v1.22+ (changed v1.25)` when later versions changed the rule. */
export function versionSummary(check: PssCheck): string {
  const [first, ...later] = check.versions;
  if (first === undefined) return '';
  const changes = later.map((version) => version.minimumVersion);
  return `${first.minimumVersion}+${changes.length > 0 ? ` (changed ${changes.join(', ')})` : ''}`;
}

function metaOf(check: PssCheck): CheckMeta {
  const id = pssCheckId(check);
  const introduced = check.versions[0];
  const since = introduced !== undefined && policyMinor(introduced.minimumVersion) > 0 ? ` Part of the ${check.level} level from policy ${introduced.minimumVersion}.` : ` Part of the ${check.level} level.`;
  return {
    id,
    title: check.title,
    severity: check.severity,
    category: PSS_CATEGORY,
    description: `${check.description}${since}`,
    remediation: check.remediation,
    frameworks: [{ framework: 'PSS', id: check.id, level: check.level }],
    documentation: documentationLink(id),
  };
}

/** One entry per Pod Security Admission check. */
export const PSS_CHECK_METAS: readonly CheckMeta[] = PSS_CHECKS.map(metaOf);
