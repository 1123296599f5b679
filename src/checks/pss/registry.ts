/**
 * The PSS check registry: every check, which implementation applies at a
 * policy version, and which baseline checks a restricted implementation
 * replaces. Mirrors how Pod Security Admission assembles its policy.
 */
import type { PodView } from '../../model/podView.js';
import { severityRank } from '../../model/types.js';
import { allowPrivilegeEscalation } from './allowPrivilegeEscalation.js';
import { appArmorProfile } from './appArmorProfile.js';
import { capabilitiesBaseline } from './capabilitiesBaseline.js';
import { capabilitiesRestricted } from './capabilitiesRestricted.js';
import { hostNamespaces } from './hostNamespaces.js';
import { hostPathVolumes } from './hostPathVolumes.js';
import { hostPorts } from './hostPorts.js';
import { hostProbesAndHostLifecycle } from './hostProbesAndHostLifecycle.js';
import { groupedDetail } from './messages.js';
import { privileged } from './privileged.js';
import { procMount } from './procMount.js';
import { procMountRestricted } from './procMountRestricted.js';
import { restrictedVolumes } from './restrictedVolumes.js';
import { runAsNonRoot } from './runAsNonRoot.js';
import { runAsUser } from './runAsUser.js';
import { seccompProfileBaseline } from './seccompProfileBaseline.js';
import { seccompProfileRestricted } from './seccompProfileRestricted.js';
import { seLinuxOptions } from './seLinuxOptions.js';
import { sysctls } from './sysctls.js';
import type { PssCheck, PssLevel, PssViolation, VersionedPssCheck } from './types.js';
import { policyMinor } from './versions.js';
import { windowsHostProcess } from './windowsHostProcess.js';

/** Baseline checks first, then restricted, each in the order of the Pod Security Standards page. */
export const PSS_CHECKS: readonly PssCheck[] = [
  hostNamespaces,
  privileged,
  capabilitiesBaseline,
  hostPathVolumes,
  hostPorts,
  hostProbesAndHostLifecycle,
  appArmorProfile,
  seLinuxOptions,
  procMount,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
  capabilitiesRestricted,
  procMountRestricted,
];

/** The newest policy version any check defines: what `latest` means, and the cap for newer versions. */
export const NEWEST_POLICY_MINOR: number = Math.max(...PSS_CHECKS.flatMap((check) => check.versions.map((version) => policyMinor(version.minimumVersion))));

/** The implementation in force at a version: the newest one whose minimum version is not newer. */
export function implementationAt(check: PssCheck, minor: number): VersionedPssCheck | undefined {
  let found: VersionedPssCheck | undefined;
  for (const version of check.versions) if (policyMinor(version.minimumVersion) <= minor) found = version;
  return found;
}

export interface ActiveCheck {
  readonly check: PssCheck;
  readonly implementation: VersionedPssCheck;
}

const activeCache = new Map<string, readonly ActiveCheck[]>();

/** The checks a level applies at a version: baseline is its own checks; restricted adds its checks and drops the baseline checks they override. */
export function activeChecks(level: PssLevel, minor: number): readonly ActiveCheck[] {
  const key = `${level}:${minor}`;
  const cached = activeCache.get(key);
  if (cached !== undefined) return cached;
  const active: ActiveCheck[] = [];
  for (const check of PSS_CHECKS) {
    const implementation = implementationAt(check, minor);
    if (implementation !== undefined && (check.level === 'baseline' || level === 'restricted')) active.push({ check, implementation });
  }
  const overridden = new Set(level === 'restricted' ? active.flatMap((entry) => entry.implementation.overrides ?? []) : []);
  const result = active.filter((entry) => !overridden.has(entry.check.id));
  activeCache.set(key, result);
  return result;
}

export function checkById(id: string): PssCheck | undefined {
  return PSS_CHECKS.find((check) => check.id === id);
}

const supplementaryCache = new Map<number, readonly ActiveCheck[]>();

/**
 * Baseline checks that restricted replaces at this version with a check of
 * lower severity (hostPathVolumes by restrictedVolumes, capabilities_baseline
 * by capabilities_restricted, seccompProfile_baseline by
 * seccompProfile_restricted). The scan reports them next to the restricted
 * check so a baseline danger keeps its severity; they never change a verdict,
 * because the overriding check forbids everything they forbid.
 */
export function supplementaryChecks(minor: number): readonly ActiveCheck[] {
  const cached = supplementaryCache.get(minor);
  if (cached !== undefined) return cached;
  const result: ActiveCheck[] = [];
  for (const { check: restricted, implementation } of activeChecks('restricted', minor)) {
    for (const id of implementation.overrides ?? []) {
      const baseline = checkById(id);
      const baselineImplementation = baseline === undefined ? undefined : implementationAt(baseline, minor);
      if (baseline === undefined || baselineImplementation === undefined) continue;
      if (severityRank(baseline.severity) > severityRank(restricted.severity)) result.push({ check: baseline, implementation: baselineImplementation });
    }
  }
  supplementaryCache.set(minor, result);
  return result;
}

/** Evaluates a pod at a level and version; returns the violations in registry order (empty: allowed). */
export function evaluatePod(pod: PodView, level: PssLevel, minor: number, skip?: (check: PssCheck) => boolean): PssViolation[] {
  return evaluateChecks(pod, activeChecks(level, minor), skip);
}

export function evaluateChecks(pod: PodView, checks: readonly ActiveCheck[], skip?: (check: PssCheck) => boolean): PssViolation[] {
  const violations: PssViolation[] = [];
  for (const { check, implementation } of checks) {
    if (skip?.(check) === true) continue;
    const offenses = implementation.check(pod);
    if (offenses.length === 0) continue;
    violations.push({ check, reason: check.reason, detail: (check.detail ?? groupedDetail)(offenses), offenses });
  }
  return violations;
}
