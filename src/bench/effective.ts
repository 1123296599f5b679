/**
 * The effective configuration of each component: default for the Kubernetes
 * version ← config file ← drop-ins ← flags, with the source of every value.
 * Pure: works on a collected snapshot.
 */
import { ASSUMED_MINOR_VERSION, defaultFor, FLAG_DEFAULTS, KUBELET_DEFAULTS, KUBELET_FLAG_FIELDS } from './defaults.js';
import { lastFlag } from './flags.js';
import type { ComponentFacts, ComponentName, FileFacts, NodeSnapshot, RawFlag, Setting } from './model.js';
import { isRecord, parseYamlText, type ParsedYaml } from './yamlText.js';

export interface KubernetesVersion {
  readonly minor: number;
  /** e.g. `v1.31.2`, or undefined when assumed. */
  readonly text: string | undefined;
  /** Where it came from: an image, the command line option, or an assumption. */
  readonly source: string;
}

export interface EffectiveComponent {
  readonly name: ComponentName;
  readonly facts: ComponentFacts;
  /** Settings by flag name (control-plane components, kube-proxy) or config field path (kubelet). */
  setting(name: string): Setting;
  /** Why some values may be unknown (config file missing or malformed). Settings from defaults are not trusted then. */
  readonly problems: readonly string[];
  /** Config files that were read, in merge order. */
  readonly configFiles: readonly string[];
  /** The parsed main config file, when there is one (kube-proxy, kubelet). */
  readonly config?: Record<string, unknown>;
}

/** Thresholds of controls that judge ages; the defaults are documented constants. */
export interface JudgementOptions {
  /** A service-account signing key older than this many days is WARN (1.2.R1). */
  readonly serviceAccountKeyMaxAgeDays?: number;
}

/** 1.2.R1's default threshold: a signing key is rotated at least once a year. */
export const SERVICE_ACCOUNT_KEY_MAX_AGE_DAYS = 365;

export interface EffectiveNode {
  readonly snapshot: NodeSnapshot;
  readonly version: KubernetesVersion;
  /** Time file ages are measured from: the snapshot's collection time, or now for snapshots without one. */
  readonly now: Date;
  readonly serviceAccountKeyMaxAgeDays: number;
  component(name: ComponentName): EffectiveComponent | undefined;
  file(path: string): FileFacts | undefined;
  userName(uid: number | undefined): string;
  groupName(gid: number | undefined): string;
}

interface ConfigLayer {
  readonly source: 'config' | 'drop-in';
  readonly file: string;
  readonly value: Record<string, unknown>;
  readonly document: ParsedYaml;
}

export function buildEffectiveNode(snapshot: NodeSnapshot, kubernetesVersion?: string, judgement: JudgementOptions = {}): EffectiveNode {
  const version = resolveVersion(snapshot, kubernetesVersion);
  const components = new Map<ComponentName, EffectiveComponent>();
  for (const facts of snapshot.components) {
    if (components.has(facts.name)) continue;
    components.set(facts.name, facts.name === 'kubelet' ? effectiveKubelet(snapshot, facts, version.minor) : facts.name === 'kube-proxy' ? effectiveProxy(snapshot, facts, version.minor) : effectiveFlagComponent(facts, version.minor));
  }
  const collectedAt = snapshot.collectedAt === undefined ? undefined : new Date(snapshot.collectedAt);
  return {
    snapshot,
    version,
    now: collectedAt === undefined || Number.isNaN(collectedAt.getTime()) ? new Date() : collectedAt,
    serviceAccountKeyMaxAgeDays: judgement.serviceAccountKeyMaxAgeDays ?? SERVICE_ACCOUNT_KEY_MAX_AGE_DAYS,
    component: (name) => components.get(name),
    file: (path) => snapshot.files[path],
    userName: (uid) => (uid === undefined ? '?' : (snapshot.users[String(uid)] ?? String(uid))),
    groupName: (gid) => (gid === undefined ? '?' : (snapshot.groups[String(gid)] ?? String(gid))),
  };
}

function resolveVersion(snapshot: NodeSnapshot, requested: string | undefined): KubernetesVersion {
  const parse = (text: string): number | undefined => {
    const match = /^v?1\.(\d+)(?:\.\d+)?/.exec(text);
    return match === null ? undefined : Number(match[1]);
  };
  if (requested !== undefined) {
    const minor = parse(requested);
    if (minor !== undefined) return { minor, text: requested, source: '--kubernetes-version' };
  }
  for (const component of snapshot.components) {
    const tag = component.image?.split('@')[0]?.split(':').pop();
    const minor = tag === undefined ? undefined : parse(tag);
    if (minor !== undefined && component.name !== 'etcd') return { minor, text: tag, source: `image of ${component.name} (${component.file})` };
  }
  // No image tells: a version linked into a component's binary (kubelet from systemd, a process's executable).
  for (const component of snapshot.components) {
    const binary = component.binary;
    const minor = binary?.version === undefined ? undefined : parse(binary.version);
    if (minor !== undefined && component.name !== 'etcd') return { minor, text: binary!.version, source: `binary ${binary!.path} of ${component.name}` };
  }
  return { minor: ASSUMED_MINOR_VERSION, text: undefined, source: `assumed 1.${ASSUMED_MINOR_VERSION} (no image, binary version or --kubernetes-version)` };
}

function flagSetting(flag: RawFlag): Setting {
  return { name: flag.name, value: flag.value, source: 'flag', file: flag.file, ...(flag.line === undefined ? {} : { line: flag.line }) };
}

/** Flags declared as slices or maps: a repeated occurrence adds to the earlier ones (pflag). */
const SLICE_FLAGS = new Set(['enable-admission-plugins', 'disable-admission-plugins', 'authorization-mode', 'tls-cipher-suites', 'service-account-key-file', 'service-account-issuer', 'feature-gates', 'etcd-servers']);

function effectiveFlagComponent(facts: ComponentFacts, minor: number): EffectiveComponent {
  const defaults = FLAG_DEFAULTS[facts.name] ?? {};
  return {
    name: facts.name,
    facts,
    problems: facts.problems,
    configFiles: [],
    setting(name) {
      const flag = lastFlag(facts.flags, name);
      if (flag === undefined) return { name, value: defaultFor(defaults[name], minor)?.value, source: 'default' };
      if (SLICE_FLAGS.has(name)) {
        // pflag's slice and map flags accumulate over repeated occurrences instead of replacing.
        const values = facts.flags.filter((candidate) => candidate.name === name).map((candidate) => candidate.value);
        if (values.length > 1) return { ...flagSetting(flag), value: values.join(',') };
      }
      return flagSetting(flag);
    },
  };
}

/** `label` names the file in messages, e.g. `kubelet --config=/x.yaml (/etc/default/kubelet:1)`. */
function readLayer(snapshot: NodeSnapshot, path: string, source: 'config' | 'drop-in', problems: string[], label: string): ConfigLayer | undefined {
  const facts = snapshot.files[path];
  if (facts === undefined || !facts.exists) {
    problems.push(`${label} does not exist on the node`);
    return undefined;
  }
  if (facts.content === undefined) {
    problems.push(facts.error ?? `${label} could not be read`);
    return undefined;
  }
  const parsed = parseYamlText(facts.content);
  if (!parsed.ok) {
    problems.push(`${label} is malformed: ${parsed.error}`);
    return undefined;
  }
  const document = parsed.documents[0];
  if (document === undefined || !isRecord(document.value)) {
    problems.push(`${label} is not a mapping`);
    return undefined;
  }
  return { source, file: path, value: document.value, document };
}

function lookup(value: Record<string, unknown>, path: readonly string[]): { found: boolean; value: unknown } {
  let current: unknown = value;
  for (const segment of path) {
    if (!isRecord(current) || !(segment in current)) return { found: false, value: undefined };
    current = current[segment];
  }
  return { found: true, value: current };
}

export function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => formatValue(item)).join(',');
  if (isRecord(value)) return JSON.stringify(value);
  return String(value);
}

function effectiveKubelet(snapshot: NodeSnapshot, facts: ComponentFacts, minor: number): EffectiveComponent {
  const problems = [...facts.problems];
  const layers: ConfigLayer[] = [];
  const configFlag = lastFlag(facts.flags, 'config');
  const configDir = lastFlag(facts.flags, 'config-dir');
  if (configFlag !== undefined) {
    const layer = readLayer(snapshot, configFlag.value, 'config', problems, `kubelet --config=${configFlag.value} (${configFlag.file}${configFlag.line === undefined ? '' : `:${configFlag.line}`})`);
    if (layer !== undefined) layers.push(layer);
  }
  if (configDir !== undefined) {
    const directory = snapshot.files[configDir.value];
    if (directory === undefined || !directory.exists) problems.push(`kubelet --config-dir ${configDir.value} does not exist on the node`);
    // The kubelet merges the *.conf files of --config-dir in lexical order, after the --config file.
    for (const entry of [...(directory?.entries ?? [])].filter((name) => name.endsWith('.conf')).sort()) {
      const path = `${configDir.value.replace(/\/$/, '')}/${entry}`;
      const layer = readLayer(snapshot, path, 'drop-in', problems, `kubelet drop-in ${path}`);
      if (layer !== undefined) layers.push(layer);
    }
  }
  const withConfigFile = configFlag !== undefined || configDir !== undefined;
  const fieldToFlag = new Map(Object.entries(KUBELET_FLAG_FIELDS).map(([flag, field]) => [field, flag]));
  const featureGateFlag = lastFlag(facts.flags, 'feature-gates');
  return {
    name: 'kubelet',
    facts,
    problems,
    configFiles: layers.map((layer) => layer.file),
    ...(layers[0]?.source === 'config' ? { config: layers[0].value } : {}),
    setting(field) {
      const flagName = fieldToFlag.get(field);
      const flag = flagName === undefined ? undefined : lastFlag(facts.flags, flagName);
      if (flag !== undefined) return flagSetting(flag);
      if (field.startsWith('featureGates.') && featureGateFlag !== undefined) {
        // --feature-gates is a map flag: every occurrence adds gates, a later mention of a gate wins.
        const gate = field.slice('featureGates.'.length);
        let found: { flag: RawFlag; value: string } | undefined;
        for (const candidate of facts.flags) {
          if (candidate.name !== 'feature-gates') continue;
          for (const [key, value] of candidate.value.split(',').map((item) => item.trim().split('='))) if (key === gate) found = { flag: candidate, value: value ?? 'true' };
        }
        if (found !== undefined) return { ...flagSetting(found.flag), value: found.value, shown: `--feature-gates=${found.flag.value}` };
      }
      const path = field.split('.');
      let note: string | undefined;
      for (let index = layers.length - 1; index >= 0; index--) {
        const layer = layers[index]!;
        const found = lookup(layer.value, path);
        if (!found.found || found.value === null) continue;
        if (ZERO_MEANS_DEFAULT.has(field) && isZeroValue(found.value)) {
          // v1beta1 defaulting replaces a zero duration from a file with the default (kubeadm writes `0s`).
          const line = layer.document.lineOf(path);
          note ??= `${layer.file}${line === undefined ? '' : `:${line}`} says ${formatValue(found.value)}, which the kubelet treats as unset`;
          continue;
        }
        const line = layer.document.lineOf(path);
        return { name: field, value: formatValue(found.value), structured: found.value, source: layer.source, file: layer.file, ...(line === undefined ? {} : { line }) };
      }
      const defaults = KUBELET_DEFAULTS[field];
      const entry = defaultFor(defaults === undefined ? undefined : withConfigFile ? defaults.withConfigFile : defaults.flagsOnly, minor);
      return { name: field, value: entry?.value, source: 'default', ...(note === undefined ? {} : { note }) };
    },
  };
}

/** The Go zero value as YAML shows it: an empty string, or a duration without a non-zero digit (`0s`, `0h0m0s`). */
function isZeroValue(value: unknown): boolean {
  if (value === '' || value === 0) return true;
  return typeof value === 'string' && /^[0-9.]+(ns|us|µs|ms|s|m|h)?([0-9.]+(ns|us|µs|ms|s|m|h))*$/.test(value) && !/[1-9]/.test(value);
}

/** KubeletConfiguration fields whose zero value (0s, "") in a file is defaulted like an absent one (SetDefaults_KubeletConfiguration). */
const ZERO_MEANS_DEFAULT = new Set(['streamingConnectionIdleTimeout', 'authorization.mode']);

/** kube-proxy: with --config the file decides (kube-proxy ignores most flags then); without, flags and their defaults. */
function effectiveProxy(snapshot: NodeSnapshot, facts: ComponentFacts, minor: number): EffectiveComponent {
  const problems = [...facts.problems];
  const configFlag = lastFlag(facts.flags, 'config');
  const layer = configFlag === undefined ? undefined : readLayer(snapshot, configFlag.value, 'config', problems, `kube-proxy --config=${configFlag.value}`);
  const flagBased = effectiveFlagComponent(facts, minor);
  const configFields: Record<string, string> = { 'metrics-bind-address': 'metricsBindAddress' };
  return {
    name: 'kube-proxy',
    facts,
    problems,
    configFiles: layer === undefined ? [] : [layer.file],
    ...(layer === undefined ? {} : { config: layer.value }),
    setting(name) {
      const field = configFields[name];
      if (layer !== undefined && field !== undefined) {
        const found = lookup(layer.value, [field]);
        if (found.found && found.value !== null && found.value !== '') {
          const line = layer.document.lineOf([field]);
          return { name, value: formatValue(found.value), source: 'config', file: layer.file, ...(line === undefined ? {} : { line }) };
        }
      }
      return flagBased.setting(name);
    },
  };
}
