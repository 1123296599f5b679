/**
 * The `admission:` section of the config file: what the webhook does with
 * each finding (deny, warn, audit or ignore, by check, severity, namespace
 * or kind), Pod Security Admission's defaults, exemptions and controller
 * opt-in, mutation, and request limits. The rest of the file (disabled
 * checks, exceptions, allowed registries, pod-template locations) is the
 * scanner's own configuration, read by `src/config`, so the webhook and
 * `rampart scan` judge from the same file.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, DEFAULT_CONFIG, parseConfig, type RampartConfig } from '../config/config.js';
import { DEFAULT_LIMITS } from '../load/limits.js';
import { isSeverity, type Severity } from '../model/types.js';
import { DEFAULT_REVIEW_LIMITS, type ReviewLimits } from './review.js';

export type FindingAction = 'deny' | 'warn' | 'audit' | 'ignore';
export const FINDING_ACTIONS: readonly FindingAction[] = ['deny', 'warn', 'audit', 'ignore'];

/** One rule; a finding takes the action of the first rule that matches it. Empty fields match everything. */
export interface ActionRule {
  readonly action: FindingAction;
  readonly checks?: readonly string[];
  /** Matches findings at or above this severity. */
  readonly minSeverity?: Severity;
  readonly namespaces?: readonly string[];
  readonly kinds?: readonly string[];
}

export interface PodSecurityDefaults {
  readonly enforce?: string;
  readonly 'enforce-version'?: string;
  readonly audit?: string;
  readonly 'audit-version'?: string;
  readonly warn?: string;
  readonly 'warn-version'?: string;
}

export interface AdmissionConfig {
  /** The action for findings outside PSS that no rule matches. */
  readonly defaultAction: FindingAction;
  readonly rules: readonly ActionRule[];
  readonly podSecurity: {
    /** Applied to modes a namespace has no label for, like PSA's AdmissionConfiguration defaults. */
    readonly defaults: PodSecurityDefaults;
    /** Deny workload controllers (not only Pods) that violate the enforce level. */
    readonly enforceOnControllers: boolean;
    readonly exemptions: { readonly usernames: readonly string[]; readonly namespaces: readonly string[]; readonly runtimeClasses: readonly string[] };
  };
  readonly mutation: {
    /** Mutate in every namespace. */
    readonly enabled: boolean;
    /** Mutate only in these namespaces (and in namespaces labelled `rampart.dev/mutate: enabled`). */
    readonly namespaces: readonly string[];
    /** Default resource requests, `cpu` and `memory`, added where a container sets none. */
    readonly requests: Readonly<Record<string, string>>;
  };
  /** The image gate (`rampart admission serve --image-cache DIR`, src/admission/images.ts). */
  readonly images: {
    /** Deny a pod whose image has a cached vulnerability at or above this severity. */
    readonly denyAtOrAbove: Severity;
  };
  readonly limits: ReviewLimits & {
    /** Pods with more containers (all kinds together) are denied before any check runs: check time grows with them. */
    readonly maxContainers: number;
    /** A Namespace update that tightens enforce checks at most this many existing pods (Kubernetes: 3,000)… */
    readonly maxExistingPods: number;
    /** …within this many milliseconds, listing included (Kubernetes: 1 s). */
    readonly existingPodsTimeoutMs: number;
  };
}

export const DEFAULT_ADMISSION_CONFIG: AdmissionConfig = {
  defaultAction: 'warn',
  rules: [],
  podSecurity: { defaults: {}, enforceOnControllers: false, exemptions: { usernames: [], namespaces: [], runtimeClasses: [] } },
  mutation: { enabled: false, namespaces: [], requests: {} },
  images: { denyAtOrAbove: 'critical' },
  limits: { ...DEFAULT_REVIEW_LIMITS, maxContainers: 100, maxExistingPods: 3000, existingPodsTimeoutMs: 1000 },
};

/** Everything the webhook reads from the config file. */
export interface WebhookConfig {
  readonly scan: RampartConfig;
  readonly admission: AdmissionConfig;
}

const LEVELS = ['privileged', 'baseline', 'restricted'];
const VERSION_PATTERN = /^(latest|v1\.\d+)$/;

/** Reads the `admission` section; every problem is named with its path. */
export function parseAdmissionSection(value: unknown, file: string): AdmissionConfig {
  if (value === undefined || value === null) return DEFAULT_ADMISSION_CONFIG;
  const problems: string[] = [];
  const object = (input: unknown, where: string, keys: readonly string[]): Record<string, unknown> => {
    if (input === undefined || input === null) return {};
    if (typeof input !== 'object' || Array.isArray(input)) {
      problems.push(`${where} must be a mapping`);
      return {};
    }
    for (const key of Object.keys(input)) if (!keys.includes(key)) problems.push(`${where}: unknown key ${JSON.stringify(key)}`);
    return input as Record<string, unknown>;
  };
  const strings = (input: unknown, where: string): string[] => {
    if (input === undefined || input === null) return [];
    if (!Array.isArray(input) || !input.every((entry) => typeof entry === 'string' && entry !== '')) {
      problems.push(`${where} must be a list of non-empty strings`);
      return [];
    }
    return input as string[];
  };
  const action = (input: unknown, where: string): FindingAction | undefined => {
    if (typeof input === 'string' && (FINDING_ACTIONS as readonly string[]).includes(input)) return input as FindingAction;
    problems.push(`${where} must be one of ${FINDING_ACTIONS.join(', ')}`);
    return undefined;
  };
  const positive = (input: unknown, where: string, fallback: number): number => {
    if (input === undefined) return fallback;
    if (typeof input !== 'number' || !Number.isInteger(input) || input < 1) {
      problems.push(`${where} must be a positive integer`);
      return fallback;
    }
    return input;
  };
  const root = object(value, 'admission', ['defaultAction', 'rules', 'podSecurity', 'mutation', 'images', 'limits']);
  const defaultAction = root.defaultAction === undefined ? 'warn' : (action(root.defaultAction, 'admission.defaultAction') ?? 'warn');
  const rules: ActionRule[] = [];
  if (root.rules !== undefined && !Array.isArray(root.rules)) problems.push('admission.rules must be a list');
  for (const [index, entry] of (Array.isArray(root.rules) ? root.rules : []).entries()) {
    const where = `admission.rules[${index}]`;
    const rule = object(entry, where, ['action', 'checks', 'minSeverity', 'namespaces', 'kinds']);
    const ruleAction = action(rule.action, `${where}.action`);
    let minSeverity: Severity | undefined;
    if (rule.minSeverity !== undefined) {
      if (typeof rule.minSeverity === 'string' && isSeverity(rule.minSeverity)) minSeverity = rule.minSeverity;
      else problems.push(`${where}.minSeverity must be one of critical, high, medium, low, info`);
    }
    const checks = strings(rule.checks, `${where}.checks`);
    const namespaces = strings(rule.namespaces, `${where}.namespaces`);
    const kinds = strings(rule.kinds, `${where}.kinds`);
    if (ruleAction !== undefined) {
      rules.push({
        action: ruleAction,
        ...(checks.length > 0 ? { checks } : {}),
        ...(minSeverity !== undefined ? { minSeverity } : {}),
        ...(namespaces.length > 0 ? { namespaces } : {}),
        ...(kinds.length > 0 ? { kinds } : {}),
      });
    }
  }
  const podSecurity = object(root.podSecurity, 'admission.podSecurity', ['defaults', 'enforceOnControllers', 'exemptions']);
  const defaultsRaw = object(podSecurity.defaults, 'admission.podSecurity.defaults', ['enforce', 'enforce-version', 'audit', 'audit-version', 'warn', 'warn-version']);
  const defaults: Record<string, string> = {};
  for (const [key, entry] of Object.entries(defaultsRaw)) {
    const isVersion = key.endsWith('-version');
    if (typeof entry !== 'string' || (isVersion ? !VERSION_PATTERN.test(entry) : !LEVELS.includes(entry))) {
      problems.push(`admission.podSecurity.defaults.${key} must be ${isVersion ? 'latest or v1.N' : LEVELS.join(', ')}`);
    } else defaults[key] = entry;
  }
  if (podSecurity.enforceOnControllers !== undefined && typeof podSecurity.enforceOnControllers !== 'boolean') problems.push('admission.podSecurity.enforceOnControllers must be true or false');
  const exemptions = object(podSecurity.exemptions, 'admission.podSecurity.exemptions', ['usernames', 'namespaces', 'runtimeClasses']);
  const mutation = object(root.mutation, 'admission.mutation', ['enabled', 'namespaces', 'requests']);
  if (mutation.enabled !== undefined && typeof mutation.enabled !== 'boolean') problems.push('admission.mutation.enabled must be true or false');
  const requestsRaw = object(mutation.requests, 'admission.mutation.requests', ['cpu', 'memory']);
  const requests: Record<string, string> = {};
  for (const [key, entry] of Object.entries(requestsRaw)) {
    if (typeof entry !== 'string' || !/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.test(entry)) problems.push(`admission.mutation.requests.${key} must be a quantity such as 100m or 128Mi`);
    else requests[key] = entry;
  }
  const images = object(root.images, 'admission.images', ['denyAtOrAbove']);
  let denyAtOrAbove: Severity = DEFAULT_ADMISSION_CONFIG.images.denyAtOrAbove;
  if (images.denyAtOrAbove !== undefined) {
    if (typeof images.denyAtOrAbove === 'string' && isSeverity(images.denyAtOrAbove)) denyAtOrAbove = images.denyAtOrAbove;
    else problems.push('admission.images.denyAtOrAbove must be one of critical, high, medium, low, info');
  }
  const limits = object(root.limits, 'admission.limits', ['maxBodyBytes', 'maxJsonDepth', 'maxContainers', 'maxExistingPods', 'existingPodsTimeoutMs']);
  const config: AdmissionConfig = {
    defaultAction,
    rules,
    podSecurity: {
      defaults,
      enforceOnControllers: podSecurity.enforceOnControllers === true,
      exemptions: {
        usernames: strings(exemptions.usernames, 'admission.podSecurity.exemptions.usernames'),
        namespaces: strings(exemptions.namespaces, 'admission.podSecurity.exemptions.namespaces'),
        runtimeClasses: strings(exemptions.runtimeClasses, 'admission.podSecurity.exemptions.runtimeClasses'),
      },
    },
    mutation: { enabled: mutation.enabled === true, namespaces: strings(mutation.namespaces, 'admission.mutation.namespaces'), requests },
    images: { denyAtOrAbove },
    limits: {
      maxBodyBytes: positive(limits.maxBodyBytes, 'admission.limits.maxBodyBytes', DEFAULT_REVIEW_LIMITS.maxBodyBytes),
      maxJsonDepth: positive(limits.maxJsonDepth, 'admission.limits.maxJsonDepth', DEFAULT_REVIEW_LIMITS.maxJsonDepth),
      maxContainers: positive(limits.maxContainers, 'admission.limits.maxContainers', DEFAULT_ADMISSION_CONFIG.limits.maxContainers),
      maxExistingPods: positive(limits.maxExistingPods, 'admission.limits.maxExistingPods', DEFAULT_ADMISSION_CONFIG.limits.maxExistingPods),
      existingPodsTimeoutMs: positive(limits.existingPodsTimeoutMs, 'admission.limits.existingPodsTimeoutMs', DEFAULT_ADMISSION_CONFIG.limits.existingPodsTimeoutMs),
    },
  };
  if (problems.length > 0) throw new ConfigError(`invalid config file ${file}:\n  ${problems.join('\n  ')}`);
  return config;
}

/**
 * Reads the config file once: the scanner's part through `parseConfig`
 * (which knows nothing of `admission:`), the webhook's part here.
 */
export async function loadWebhookConfig(file: string | undefined): Promise<WebhookConfig> {
  if (file === undefined) return { scan: DEFAULT_CONFIG, admission: DEFAULT_ADMISSION_CONFIG };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(`cannot read config file ${file}`);
  }
  return parseWebhookConfig(text, file);
}

export async function parseWebhookConfig(text: string, file: string): Promise<WebhookConfig> {
  const { parseYamlFile } = await import('../load/yamlDocuments.js');
  const parsed = parseYamlFile(text, file, DEFAULT_LIMITS);
  const problem = parsed.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
  if (problem !== undefined) throw new ConfigError(`${file}:${problem.line ?? 1}: ${problem.message}`);
  const value = parsed.documents[0]?.value;
  const section = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).admission : undefined;
  return { scan: await parseConfig(text, file), admission: parseAdmissionSection(section, file) };
}
