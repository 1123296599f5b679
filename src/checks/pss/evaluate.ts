/**
 * Judges one pod-bearing object the way Pod Security Admission would judge
 * its pods: against its namespace's labels when the input has the Namespace
 * with Pod Security labels, otherwise against the caller's defaults.
 * Shared by the scan (findings) and `rampart pss` (verdicts).
 */
import type { ClusterIndex } from '../../model/clusterIndex.js';
import type { PodView } from '../../model/podView.js';
import type { KubeObject } from '../../model/types.js';
import { namespacePolicy, PSS_LABEL_PREFIX, PSS_MODES, type NamespacePolicy, type PssMode } from './namespacePolicy.js';
import { evaluateChecks, evaluatePod, supplementaryChecks } from './registry.js';
import type { PssCheck, PssLevel, PssViolation } from './types.js';

export interface PssDefaults {
  readonly level: PssLevel;
  /** Resolved policy version (minor number). */
  readonly minor: number;
}

export interface JudgedViolation extends PssViolation {
  /** The modes the violation hits; empty when the scan defaults apply. */
  readonly modes: readonly PssMode[];
  /** A baseline check that restricted replaces, reported for its severity only (see supplementaryChecks); never decides the verdict. */
  readonly supplementary: boolean;
}

export interface JudgeOptions {
  readonly skip?: (check: PssCheck) => boolean;
  /** At restricted, also report the more severe baseline checks that restricted replaces. */
  readonly supplementary?: boolean;
}

export interface PodJudgement {
  /** metadata.namespace, or `default` when the object has none. */
  readonly namespace: string;
  /** The namespace's policy, when its labels apply; undefined when the defaults do. */
  readonly policy: NamespacePolicy | undefined;
  /** False when the pod would be rejected: by enforce under namespace labels, by any violation under the defaults. */
  readonly allowed: boolean;
  readonly violations: readonly JudgedViolation[];
}

export function podNamespace(object: KubeObject): string {
  return object.namespace === undefined || object.namespace === '' ? 'default' : object.namespace;
}

/**
 * A namespace's policy, read once per labels object: the ClusterIndex builds each Namespace's labels
 * object itself and never changes it, and a scan (or the webhook, which keeps one index per
 * namespace) judges every pod of a namespace against the same one.
 */
const POLICIES = new WeakMap<object, { readonly namespace: string; readonly policy: NamespacePolicy | undefined }>();

function policyOf(namespace: string, labels: Readonly<Record<string, string>>): NamespacePolicy | undefined {
  const known = POLICIES.get(labels);
  if (known !== undefined && known.namespace === namespace) return known.policy;
  const policy = namespacePolicy(namespace, labels);
  POLICIES.set(labels, { namespace, policy });
  return policy;
}

export function judgePod(object: KubeObject, pod: PodView, cluster: ClusterIndex, defaults: PssDefaults, options: JudgeOptions = {}): PodJudgement {
  const namespace = podNamespace(object);
  const info = cluster.namespace(namespace);
  const policy = info === undefined ? undefined : policyOf(namespace, info.labels);
  const targets = new Map<string, { level: PssLevel; minor: number; modes: PssMode[] }>();
  if (policy === undefined) {
    targets.set('defaults', { level: defaults.level, minor: defaults.minor, modes: [] });
  } else {
    // Modes that share a level and version are evaluated once.
    for (const mode of PSS_MODES) {
      const { level, minor } = policy.modes[mode];
      if (level === 'privileged') continue;
      const key = `${level}:${minor}`;
      const target = targets.get(key) ?? { level, minor, modes: [] };
      target.modes.push(mode);
      targets.set(key, target);
    }
  }
  // The modes a violation hits, one bit per mode (PSS_MODES order): no Set per violation.
  const merged = new Map<string, { violation: PssViolation; modes: number; supplementary: boolean }>();
  const add = (violations: readonly PssViolation[], modes: readonly PssMode[], supplementary: boolean): void => {
    let bits = 0;
    for (const mode of modes) bits |= modeBit(mode);
    for (const violation of violations) {
      const key = `${violation.check.id}\n${violation.detail}`;
      const entry = merged.get(key);
      if (entry === undefined) {
        merged.set(key, { violation, modes: bits, supplementary });
        continue;
      }
      entry.modes |= bits;
      // A check that some mode runs for real is not supplementary.
      entry.supplementary = entry.supplementary && supplementary;
    }
  };
  for (const target of targets.values()) {
    add(evaluatePod(pod, target.level, target.minor, options.skip), target.modes, false);
    if (options.supplementary === true && target.level === 'restricted') add(evaluateChecks(pod, supplementaryChecks(target.minor), options.skip), target.modes, true);
  }
  const violations: JudgedViolation[] = [];
  for (const { violation, modes, supplementary } of merged.values()) {
    violations.push({ check: violation.check, reason: violation.reason, detail: violation.detail, offenses: violation.offenses, modes: modesOf(modes), supplementary });
  }
  const decisive = violations.filter((violation) => !violation.supplementary);
  const allowed = policy === undefined ? decisive.length === 0 : !decisive.some((violation) => violation.modes.includes('enforce'));
  return { namespace, policy, allowed, violations };
}

/** A mode's bit in a set of modes kept as a number (1 enforce, 2 audit, 4 warn). */
export function modeBit(mode: PssMode): number {
  return mode === 'enforce' ? 1 : mode === 'audit' ? 2 : 4;
}

const MODE_LISTS: readonly (readonly PssMode[])[] = Array.from({ length: 8 }, (_, bits) => PSS_MODES.filter((mode) => (bits & modeBit(mode)) !== 0));

/** The modes of a bit set, in PSS_MODES order; one shared list per combination. */
export function modesOf(bits: number): readonly PssMode[] {
  return MODE_LISTS[bits & 7] as readonly PssMode[];
}

/** ` [namespace "shop": enforce baseline v1.33, warn restricted v1.37]`, or '' under the defaults. */
export function describeModes(policy: NamespacePolicy | undefined, modes: readonly PssMode[]): string {
  if (policy === undefined || modes.length === 0) return '';
  const parts = PSS_MODES.filter((mode) => modes.includes(mode)).map((mode) => {
    const invalid = policy.problems.some((problem) => problem.label.startsWith(`${PSS_LABEL_PREFIX}${mode}`));
    return `${mode} ${policy.modes[mode].level} ${policy.modes[mode].version}${invalid ? ' (from an invalid label)' : ''}`;
  });
  return ` [namespace ${JSON.stringify(policy.namespace)}: ${parts.join(', ')}]`;
}
