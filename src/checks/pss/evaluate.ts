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
import { evaluatePod } from './registry.js';
import type { PssCheck, PssLevel, PssViolation } from './types.js';

export interface PssDefaults {
  readonly level: PssLevel;
  /** Resolved policy version (minor number). */
  readonly minor: number;
}

export interface JudgedViolation extends PssViolation {
  /** The modes the violation hits; empty when the scan defaults apply. */
  readonly modes: readonly PssMode[];
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

export function judgePod(object: KubeObject, pod: PodView, cluster: ClusterIndex, defaults: PssDefaults, skip?: (check: PssCheck) => boolean): PodJudgement {
  const namespace = podNamespace(object);
  const info = cluster.namespace(namespace);
  const policy = info === undefined ? undefined : namespacePolicy(namespace, info.labels);
  if (policy === undefined) {
    const violations = evaluatePod(pod, defaults.level, defaults.minor, skip).map((violation) => ({ ...violation, modes: [] }));
    return { namespace, policy, allowed: violations.length === 0, violations };
  }
  // Modes that share a level and version are evaluated once.
  const targets = new Map<string, { level: PssLevel; minor: number; modes: PssMode[] }>();
  for (const mode of PSS_MODES) {
    const { level, minor } = policy.modes[mode];
    if (level === 'privileged') continue;
    const key = `${level}:${minor}`;
    const target = targets.get(key) ?? { level, minor, modes: [] };
    target.modes.push(mode);
    targets.set(key, target);
  }
  const merged = new Map<string, { violation: PssViolation; modes: Set<PssMode> }>();
  for (const target of targets.values()) {
    for (const violation of evaluatePod(pod, target.level, target.minor, skip)) {
      const key = `${violation.check.id}\n${violation.detail}`;
      const entry = merged.get(key) ?? { violation, modes: new Set<PssMode>() };
      for (const mode of target.modes) entry.modes.add(mode);
      merged.set(key, entry);
    }
  }
  const violations = [...merged.values()].map(({ violation, modes }) => ({ ...violation, modes: PSS_MODES.filter((mode) => modes.has(mode)) }));
  return { namespace, policy, allowed: !violations.some((violation) => violation.modes.includes('enforce')), violations };
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
