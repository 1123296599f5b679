/**
 * The node model the CIS benchmark judges: what collection found on a node
 * (components, their flags with positions, files with permissions and, for
 * configuration files, their text), serialisable as JSON so collection and
 * evaluation can run on different machines (`bench collect` / `bench --from`).
 */

/** Bump when the snapshot's shape changes; `--from` refuses other versions. */
export const SNAPSHOT_FORMAT = 2;

export const COMPONENT_NAMES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'kubelet', 'kube-proxy'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** One command-line argument as found, with where it was found. */
export interface RawFlag {
  /** Name without dashes, e.g. `anonymous-auth`. */
  readonly name: string;
  /** Value; `true` for a bare boolean flag (`--profiling`). */
  readonly value: string;
  /** Whether a value was given (`--x=v` or `--x v`) rather than a bare `--x`. */
  readonly explicitValue: boolean;
  readonly file: string;
  readonly line?: number;
}

export type ComponentOrigin = 'static-pod' | 'process' | 'systemd';

export interface ComponentFacts {
  readonly name: ComponentName;
  readonly origin: ComponentOrigin;
  /** File the command line came from: the manifest, `/proc/<pid>/cmdline`, or the unit file. */
  readonly file: string;
  readonly flags: readonly RawFlag[];
  /** Container image, for static pods. */
  readonly image?: string;
  /** Flags Rampart could not parse (e.g. a positional argument where a flag was expected). */
  readonly problems: readonly string[];
  /** The executable of a process or systemd unit, and the Kubernetes version read from it. */
  readonly binary?: BinaryFacts;
}

export interface BinaryFacts {
  /** Absolute path on the node. */
  readonly path: string;
  /** gitVersion linked into the binary (`v1.32.4`), when a valid one was found. */
  readonly version?: string;
  /** The marker the version followed, e.g. `k8s.io/component-base/version.gitVersion=`. */
  readonly marker?: string;
  /** Why no version was read (no marker, not a Kubernetes version, unreadable). */
  readonly problem?: string;
}

export interface FileFacts {
  /** Absolute path on the node (without the collection root). */
  readonly path: string;
  readonly exists: boolean;
  readonly type?: 'file' | 'directory' | 'symlink' | 'other';
  /** Permission bits, e.g. 0o600. */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Text of configuration files (never of keys or kubeconfigs); secrets in an encryption configuration are redacted. */
  readonly content?: string;
  /** Why the file could not be read, when it could not. */
  readonly error?: string;
  /** Names of the entries of a directory. */
  readonly entries?: readonly string[];
  /** Modification time (ISO 8601), of what a symbolic link points to. */
  readonly modified?: string;
}

export interface NodeSnapshot {
  readonly format: number;
  readonly rampartVersion: string;
  /** Root the node's filesystem was read from. */
  readonly root: string;
  /** When collection ran (ISO 8601): file ages are measured from it, so `--from` gives the same ages later. */
  readonly collectedAt?: string;
  readonly components: readonly ComponentFacts[];
  /** Keyed by absolute node path. */
  readonly files: Readonly<Record<string, FileFacts>>;
  /** uid → user name and gid → group name from the node's /etc/passwd and /etc/group. */
  readonly users: Readonly<Record<string, string>>;
  readonly groups: Readonly<Record<string, string>>;
  /** Problems met while collecting (unreadable directories, malformed manifests). */
  readonly problems: readonly string[];
  /** Components whose static pod manifest exists but could not be read or parsed: judged WARN, never PASS. */
  readonly unreadable: readonly { readonly name: ComponentName; readonly file: string; readonly reason: string }[];
}

export type SettingSource = 'default' | 'config' | 'drop-in' | 'flag';

/** The value a component runs with, and where it came from. */
export interface Setting {
  /** Flag name (kube-apiserver `anonymous-auth`) or config field path (kubelet `authentication.anonymous.enabled`). */
  readonly name: string;
  /** Value as text; undefined when unset with no default. */
  readonly value: string | undefined;
  /** Structured value from a config file (lists, maps), when there is one. */
  readonly structured?: unknown;
  readonly source: SettingSource;
  readonly file?: string;
  readonly line?: number;
  /** Why the value is not what a file says, e.g. a zero duration the kubelet replaces with its default. */
  readonly note?: string;
  /** How to show the setting when its value is part of a larger flag (`--feature-gates=A=true,B=false`). */
  readonly shown?: string;
}

export type ControlStatus = 'PASS' | 'FAIL' | 'WARN' | 'INFO';

export interface ControlResult {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly status: ControlStatus;
  /** Whether the benchmark marks the control Automated (false: Manual in CIS). */
  readonly automated: boolean;
  /** Whether Rampart decides it automatically although CIS calls it Manual. */
  readonly automatedByRampart: boolean;
  /** Rampart's own control, not in CIS (set only when true). */
  readonly rampartOnly?: boolean;
  /** The evidence: effective values with their sources, file modes, reasons. */
  readonly details: readonly string[];
  readonly remediation: string;
  /** File and line of the evidence, when one applies. */
  readonly file?: string;
  readonly line?: number;
}

export function describeSetting(setting: Setting, flagStyle: boolean): string {
  const shown = setting.value === undefined ? '<unset>' : setting.value;
  const name = setting.shown ?? (flagStyle ? `--${setting.name}=${shown}` : `${setting.name}=${shown}`);
  if (setting.source === 'default') return `${name} (default${setting.note === undefined ? '' : `; ${setting.note}`})`;
  const where = setting.file === undefined ? '' : setting.line === undefined ? `, ${setting.file}` : `, ${setting.file}:${setting.line}`;
  const label = setting.source === 'config' ? 'config file' : setting.source;
  return `${name} (${label}${where})`;
}
