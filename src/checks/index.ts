/** The built-in check catalogue. */
import type { Check, CheckMeta } from './types.js';
import { PSS_CHECK_METAS } from './pss/catalogue.js';
import { RBAC_CHECK_METAS } from './rbac/index.js';
import { HARDENING_CHECKS } from './common/catalogue.js';

export { hardeningChecks } from './common/catalogue.js';

/** Per-object checks run by the scan engine. */
export const OBJECT_CHECKS: readonly Check[] = [...HARDENING_CHECKS];

/** Metadata of every check Rampart can report, for the catalogue, docs and SARIF. */
export function allCheckMetas(): readonly CheckMeta[] {
  return [...PSS_CHECK_METAS, ...OBJECT_CHECKS.map((check) => check.meta), ...RBAC_CHECK_METAS];
}
