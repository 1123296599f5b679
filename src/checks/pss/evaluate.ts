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

export function judgePod(object: KubeObject, pod: PodView, cluster: ClusterIndex, defaults: PssDefaults, options: JudgeOptions = {}): PodJudgement {
  const namespace = podNamespace(object);
  const info = cluster.namespace(namespace);
  const policy = info === undefined ? undefined : namespacePolicy(namespace, info.labels);
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
  const merged = new Map<string, { violation: PssViolation; modes: Set<PssMode>; supplementary: boolean }>();
  const add = (violations: readonly PssViolation[], modes: readonly PssMode[], supplementary: boolean): void => {
    for (const violation of violations) {
      const key = `${violation.check.id}\n${violation.detail}`;
      const entry = merged.get(key) ?? { violation, modes: new Set<PssMode>(), supplementary };
      for (const mode of modes) entry.modes.add(mode);
      // A check that some mode runs for real is not supplementary.
      entry.supplementary = entry.supplementary && supplementary;
      merged.set(key, entry);
    }
  };
  for (const target of targets.values()) {
    add(evaluatePod(pod, target.level, target.minor, options.skip), target.modes, false);
    if (options.supplementary === true && target.level === 'restricted') add(evaluateChecks(pod, supplementaryChecks(target.minor), options.skip), target.modes, true);
  }
  const violations = [...merged.values()].map(({ violation, modes, supplementary }) => ({ ...violation, modes: PSS_MODES.filter((mode) => modes.has(mode)), supplementary }));
  const decisive = violations.filter((violation) => !violation.supplementary);
  const allowed = policy === undefined ? decisive.length === 0 : !decisive.some((violation) => violation.modes.includes('enforce'));
  return { namespace, policy, allowed, violations };
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
