/**
 * A namespace's Pod Security labels → the policy for each mode, with Pod
 * Security Admission's handling of bad values: an invalid enforce level
 * fails closed (restricted), an invalid audit or warn level fails open
 * (privileged), an invalid version means latest. When enforce is set and
 * warn is not, warn follows enforce, so users see what enforce rejects.
 */
import { NEWEST_POLICY_MINOR } from './registry.js';
import { formatPolicyVersion, parsePolicyVersion, resolveMinor } from './versions.js';
import type { PolicyVersion, PssLevel } from './types.js';

export const PSS_MODES = ['enforce', 'audit', 'warn'] as const;
export type PssMode = (typeof PSS_MODES)[number];
export type PolicyLevel = 'privileged' | PssLevel;

export const PSS_LABEL_PREFIX = 'pod-security.kubernetes.io/';

export interface ModePolicy {
  readonly level: PolicyLevel;
  /** The policy version evaluated, after resolving `latest` and clamping future versions. */
  readonly version: PolicyVersion;
  readonly minor: number;
  /** The version as written (`latest` when no label sets it). */
  readonly requestedVersion: string;
}

export interface LabelProblem {
  readonly label: string;
  readonly value: string;
  readonly message: string;
}

export interface NamespacePolicy {
  readonly namespace: string;
  readonly modes: Readonly<Record<PssMode, ModePolicy>>;
  /** Invalid labels and how they were read. */
  readonly problems: readonly LabelProblem[];
}

const LEVEL_STRICTNESS: Record<PolicyLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

function isPolicyLevel(value: string): value is PolicyLevel {
  return value === 'privileged' || value === 'baseline' || value === 'restricted';
}

/** Whether the labels carry any Pod Security label (level or version, any mode). */
export function hasPodSecurityLabels(labels: Readonly<Record<string, string>>): boolean {
  return PSS_MODES.some((mode) => `${PSS_LABEL_PREFIX}${mode}` in labels || `${PSS_LABEL_PREFIX}${mode}-version` in labels);
}

/**
 * Reads the labels; undefined when the namespace has none, so the caller
 * applies its own defaults. Modes without a label default to privileged at
 * latest, as in a cluster with PSA's default configuration.
 */
export function namespacePolicy(namespace: string, labels: Readonly<Record<string, string>>): NamespacePolicy | undefined {
  if (!hasPodSecurityLabels(labels)) return undefined;
  const problems: LabelProblem[] = [];
  const read = (mode: PssMode): { level: PolicyLevel; levelSet: boolean; levelValid: boolean; requestedVersion: string; minor: number; versionSet: boolean } => {
    const levelLabel = `${PSS_LABEL_PREFIX}${mode}`;
    const versionLabel = `${levelLabel}-version`;
    let level: PolicyLevel = 'privileged';
    let levelValid = false;
    const levelValue = labels[levelLabel];
    if (levelValue !== undefined) {
      if (isPolicyLevel(levelValue)) {
        level = levelValue;
        levelValid = true;
      } else {
        level = mode === 'enforce' ? 'restricted' : 'privileged';
        problems.push({
          label: levelLabel,
          value: levelValue,
          message: `must be one of privileged, baseline, restricted; ${mode} is evaluated as ${level}${mode === 'enforce' ? ' (fails closed)' : ' (fails open)'}`,
        });
      }
    }
    let requestedVersion = 'latest';
    let minor = NEWEST_POLICY_MINOR;
    const versionValue = labels[versionLabel];
    if (versionValue !== undefined) {
      const parsed = parsePolicyVersion(versionValue, true);
      if (parsed === undefined) {
        problems.push({ label: versionLabel, value: versionValue, message: `must be "latest" or "v1.N"; evaluated as latest` });
      } else {
        requestedVersion = versionValue;
        minor = resolveMinor(parsed, NEWEST_POLICY_MINOR);
      }
    }
    return { level, levelSet: levelValue !== undefined, levelValid, requestedVersion, minor, versionSet: versionValue !== undefined };
  };
  const enforce = read('enforce');
  const audit = read('audit');
  const warn = read('warn');
  if (!warn.levelSet && enforce.levelValid && LEVEL_STRICTNESS[enforce.level] > LEVEL_STRICTNESS[warn.level]) {
    warn.level = enforce.level;
    if (!warn.versionSet) {
      warn.minor = enforce.minor;
      warn.requestedVersion = enforce.requestedVersion;
    }
  }
  const policy = (mode: typeof enforce): ModePolicy => ({ level: mode.level, minor: mode.minor, version: formatPolicyVersion(mode.minor), requestedVersion: mode.requestedVersion });
  return { namespace, modes: { enforce: policy(enforce), audit: policy(audit), warn: policy(warn) }, problems };
}
