/**
 * Policy versions. `latest` and versions newer than the newest known policy
 * evaluate as the newest known policy, as Pod Security Admission does; the
 * resolved version is what Rampart reports.
 */
import type { PolicyVersion } from './types.js';

/** PSA's own syntax for namespace labels: `latest` or `v1.N` without leading zeros. */
const STRICT_VERSION = /^v1\.(0|[1-9][0-9]*)$/;
/** Flags and config are a little more forgiving: `v1.07` is read as v1.7. */
const LENIENT_VERSION = /^v1\.([0-9]+)$/;

export function policyMinor(version: PolicyVersion): number {
  return Number(version.slice(3));
}

export function formatPolicyVersion(minor: number): PolicyVersion {
  return `v1.${minor}`;
}

/** Parses `latest` or `v1.N`; returns `latest`, the minor number, or undefined when the text is neither. */
export function parsePolicyVersion(text: string, strict = false): number | 'latest' | undefined {
  if (text === 'latest') return 'latest';
  const match = (strict ? STRICT_VERSION : LENIENT_VERSION).exec(text);
  if (match === null) return undefined;
  const minor = Number(match[1]);
  return Number.isSafeInteger(minor) ? minor : undefined;
}

/** Clamps a parsed version to the newest policy: `latest` and future versions become `newest`. */
export function resolveMinor(parsed: number | 'latest', newest: number): number {
  return parsed === 'latest' || parsed > newest ? newest : parsed;
}
