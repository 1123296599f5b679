/**
 * Pod Security Standards as a check family of the scan: each pod-bearing
 * object is judged, after the whole input is read, against its namespace's
 * Pod Security labels or the scan's default level and version. One finding
 * per offending field, named `PSS-<PSA check ID>`.
 */
import type { DeferredPodCheck } from '../../engine/scan.js';
import { locate, objectRef, type FieldPath, type Finding, type KubeObject, type SourceLocation } from '../../model/types.js';
import { pssCheckId } from './catalogue.js';
import { describeModes, judgePod, modeBit, modesOf, type PodJudgement, type PssDefaults } from './evaluate.js';
import { offenseMessage, subjectContainer } from './messages.js';
import { activeChecks, NEWEST_POLICY_MINOR } from './registry.js';
import { formatPolicyVersion, parsePolicyVersion, resolveMinor } from './versions.js';

export interface PssScanOptions {
  /** Level applied to pods whose namespace has no Pod Security labels in the input. */
  readonly level: 'baseline' | 'restricted';
  /** `latest` or `v1.N`. */
  readonly version: string;
  /** PSS check IDs (`PSS-<psaCheckId>`) the user disabled in the config file. */
  readonly disabledChecks?: ReadonlySet<string>;
}

/** The policy minor a requested version evaluates as: `latest`, unreadable and future versions become the newest policy. */
export function resolvePssMinor(version: string): number {
  return resolveMinor(parsePolicyVersion(version) ?? 'latest', NEWEST_POLICY_MINOR);
}

/** The concrete policy version `latest` (or a version newer than the newest policy) stands for. */
export function resolvePssVersion(version: string): string {
  return formatPolicyVersion(resolvePssMinor(version));
}

export function pssDefaults(options: Pick<PssScanOptions, 'level' | 'version'>): PssDefaults {
  return { level: options.level, minor: resolvePssMinor(options.version) };
}

/** One finding per offending field; a field that several modes reject is reported once, naming every mode. */
export function judgementFindings(object: KubeObject, judgement: PodJudgement): Finding[] {
  if (judgement.violations.length === 0) return [];
  // Shared by the pod's findings (a large scan holds every finding until its report is written).
  const ref = objectRef(object);
  // Offenses at the same place share one location (an object read from a cluster has every field at line 1).
  let last: SourceLocation | undefined;
  const placeOf = (path: FieldPath): SourceLocation => {
    const location = locate(object, path);
    if (last !== undefined && last.line === location.line && last.column === location.column) return last;
    last = location;
    return location;
  };
  type Check = PodJudgement['violations'][number]['check'];
  const byField = new Map<string, { check: Check; location: SourceLocation; container: string | undefined; path: FieldPath; message: string; modes: number }>();
  for (const violation of judgement.violations) {
    for (const offense of violation.offenses) {
      const message = offenseMessage(offense);
      const key = `${violation.check.id}\n${message}\n${offense.path.join('\0')}`;
      let entry = byField.get(key);
      if (entry === undefined) {
        entry = { check: violation.check, location: placeOf(offense.path), container: subjectContainer(offense.subject), path: offense.path.slice(), message, modes: 0 };
        byField.set(key, entry);
      }
      for (const mode of violation.modes) entry.modes |= modeBit(mode);
    }
  }
  // Most findings of a pod name the same modes: each set's text is made once.
  const described: (string | undefined)[] = [];
  const findings: Finding[] = [];
  for (const { check, location, container, path, message, modes } of byField.values()) {
    const suffix = (described[modes] ??= describeModes(judgement.policy, modesOf(modes)));
    // Built whole, in the key order of every finding (no spread of a half-made one).
    const checkId = pssCheckId(check);
    const frameworks = frameworksOf(check);
    const text = `${message}${suffix}`;
    findings.push(
      container === undefined
        ? { checkId, severity: check.severity, title: check.title, object: ref, location, path, frameworks, message: text }
        : { checkId, severity: check.severity, title: check.title, object: ref, location, container, path, frameworks, message: text },
    );
  }
  return findings;
}

const FRAMEWORKS = new WeakMap<PodJudgement['violations'][number]['check'], Finding['frameworks']>();

/** A PSS check's framework mapping, one array per check rather than one per finding. */
function frameworksOf(check: PodJudgement['violations'][number]['check']): Finding['frameworks'] {
  let frameworks = FRAMEWORKS.get(check);
  if (frameworks === undefined) {
    frameworks = [{ framework: 'PSS', id: check.id, level: check.level }];
    FRAMEWORKS.set(check, frameworks);
  }
  return frameworks;
}

export function createPssDeferredCheck(options: PssScanOptions): DeferredPodCheck {
  const defaults = pssDefaults(options);
  const disabled = options.disabledChecks ?? new Set<string>();
  const skip = disabled.size === 0 ? undefined : (check: { id: string }): boolean => disabled.has(pssCheckId(check));
  return {
    run: (object, pod, cluster) => {
      const judgement = judgePod(object, pod, cluster, defaults, { skip, supplementary: true });
      return { findings: judgementFindings(object, judgement), checks: judgedCheckIds(judgement, defaults, disabled) };
    },
  };
}

/** The PSS checks a judgement ran: those of the defaults, or of every mode its namespace labels turn on. */
function judgedCheckIds(judgement: PodJudgement, defaults: PssDefaults, disabled: ReadonlySet<string>): string[] {
  const targets = judgement.policy === undefined ? [defaults] : Object.values(judgement.policy.modes);
  const ids = new Set<string>();
  for (const target of targets) {
    if (target.level === 'privileged') continue;
    for (const { check } of activeChecks(target.level, target.minor)) ids.add(pssCheckId(check));
  }
  for (const violation of judgement.violations) ids.add(pssCheckId(violation.check));
  return [...ids].filter((id) => !disabled.has(id)).sort();
}

export { PSS_CHECKS, NEWEST_POLICY_MINOR, activeChecks, evaluatePod } from './registry.js';
export { PSS_CHECK_METAS } from './catalogue.js';
export type { PssCheck, PssLevel, PssViolation, PssOffense } from './types.js';
