/**
 * The config file (`--config rampart.yaml`): defaults for the Pod Security
 * level and version, extra pod-template locations for custom resources,
 * input limits, the failure threshold, and disabled checks.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_LIMITS, type InputLimits } from '../load/limits.js';
import { apiGroup, parseTemplatePath, type PodTemplateLocation } from '../model/podTemplates.js';
import type { Severity } from '../model/types.js';

export interface RampartConfig {
  readonly pss: { readonly level: 'baseline' | 'restricted'; readonly version: string };
  readonly podTemplates: readonly PodTemplateLocation[];
  readonly limits: InputLimits;
  readonly failOn: Severity | undefined;
  readonly disabledChecks: ReadonlySet<string>;
  /** `images.allowedRegistries`: registries (or path prefixes) images may come from; undefined allows any. */
  readonly allowedRegistries?: readonly string[];
  /** Central exceptions (docs/exceptions.md), with the config file line of each entry. */
  readonly exceptions: readonly ConfigException[];
  /** `fix.resources`: the values `rampart fix` writes for missing requests and limits (`requests.cpu` → `100m`). */
  readonly fixResources?: Readonly<Record<string, string>>;
}

export interface ConfigException {
  readonly checks: readonly string[];
  readonly match: { readonly kind?: string; readonly namespace?: string; readonly name?: string; readonly labels?: Readonly<Record<string, string>>; readonly image?: string };
  readonly reason: string;
  readonly owner: string;
  readonly expires?: string;
  readonly container?: string;
  /** Image findings only: every vulnerability the finding cites must be listed. */
  readonly vulnerabilities?: readonly string[];
  readonly file: string;
  readonly line: number;
}

export const DEFAULT_CONFIG: RampartConfig = {
  pss: { level: 'restricted', version: 'latest' },
  podTemplates: [],
  limits: DEFAULT_LIMITS,
  failOn: undefined,
  disabledChecks: new Set(),
  exceptions: [],
};

const SEVERITY_ENUM = ['critical', 'high', 'medium', 'low', 'info'];

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string' },
    kind: { const: 'RampartConfig' },
    pss: {
      type: 'object',
      additionalProperties: false,
      properties: {
        level: { enum: ['baseline', 'restricted'] },
        version: { type: 'string', pattern: '^(latest|v1\\.[0-9]+)$' },
      },
    },
    podTemplates: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['apiVersion', 'kind', 'templatePath'],
        properties: {
          apiVersion: { type: 'string', minLength: 1, description: 'group/version, or group/* for every version' },
          kind: { type: 'string', minLength: 1 },
          templatePath: { type: 'string', pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$' },
        },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        maxFileBytes: { type: 'integer', minimum: 1 },
        maxDocumentBytes: { type: 'integer', minimum: 1 },
        maxDepth: { type: 'integer', minimum: 4, maximum: 2000 },
        maxAliasCount: { type: 'integer', minimum: 0 },
      },
    },
    failOn: { enum: SEVERITY_ENUM },
    checks: {
      type: 'object',
      additionalProperties: false,
      properties: { disabled: { type: 'array', items: { type: 'string' } } },
    },
    images: {
      type: 'object',
      additionalProperties: false,
      properties: { allowedRegistries: { type: 'array', items: { type: 'string', minLength: 1 } } },
    },
    fix: {
      type: 'object',
      additionalProperties: false,
      properties: {
        resources: {
          type: 'object',
          additionalProperties: false,
          properties: Object.fromEntries(
            ['requests', 'limits'].map((section) => [
              section,
              { type: 'object', additionalProperties: false, properties: Object.fromEntries(['cpu', 'memory', 'ephemeral-storage'].map((name) => [name, { type: 'string', minLength: 1 }])) },
            ]),
          ),
        },
      },
    },
    // The webhook's section, validated by src/admission/config.ts.
    admission: { type: 'object' },
    exceptions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['checks', 'match', 'reason', 'owner'],
        properties: {
          checks: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          match: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', minLength: 1 },
              namespace: { type: 'string' },
              name: { type: 'string', minLength: 1 },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
              image: { type: 'string', minLength: 1 },
            },
          },
          reason: { type: 'string', pattern: '\\S' },
          owner: { type: 'string', pattern: '\\S' },
          expires: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
          container: { type: 'string', minLength: 1 },
          vulnerabilities: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
} as const;

export class ConfigError extends Error {}

interface RawConfig {
  pss?: { level?: 'baseline' | 'restricted'; version?: string };
  podTemplates?: Array<{ apiVersion: string; kind: string; templatePath: string }>;
  limits?: Partial<InputLimits>;
  failOn?: Severity;
  checks?: { disabled?: string[] };
  images?: { allowedRegistries?: string[] };
  fix?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };
  exceptions?: Array<Omit<ConfigException, 'file' | 'line'>>;
}

export async function loadConfig(file: string | undefined): Promise<RampartConfig> {
  if (file === undefined) return DEFAULT_CONFIG;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(`cannot read config file ${file}`);
  }
  return parseConfig(text, file);
}

export async function parseConfig(text: string, file: string): Promise<RampartConfig> {
  // The config is YAML but not a Kubernetes object, so read documents directly.
  const { parseYamlFile } = await import('../load/yamlDocuments.js');
  const parsed = parseYamlFile(text, file, DEFAULT_LIMITS);
  const problem = parsed.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
  if (problem !== undefined) throw new ConfigError(`${file}:${problem.line ?? 1}: ${problem.message}`);
  const document = parsed.documents[0];
  const value = document?.value ?? {};
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile<RawConfig>(CONFIG_SCHEMA);
  if (!validate(value)) {
    const messages = (validate.errors ?? []).map((error) => {
      const pointer: Array<string | number> = error.instancePath
        .split('/')
        .slice(1)
        .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~')));
      const unknownKey = error.keyword === 'additionalProperties' ? String((error.params as { additionalProperty?: unknown }).additionalProperty) : undefined;
      if (unknownKey !== undefined) pointer.push(unknownKey);
      const line = document?.positions.locate(pointer).line ?? 1;
      const message = unknownKey !== undefined ? `unknown key ${JSON.stringify(unknownKey)}` : (error.message ?? 'is invalid');
      return `${file}:${line}: ${error.instancePath || '(root)'} ${message}`;
    });
    throw new ConfigError(`invalid config file:\n  ${messages.join('\n  ')}`);
  }
  const raw = value;
  const badDate = (raw.exceptions ?? []).findIndex((entry) => entry.expires !== undefined && !isCalendarDate(entry.expires));
  if (badDate >= 0) throw new ConfigError(`invalid config file:\n  ${file}:${document?.positions.locate(['exceptions', badDate, 'expires']).line ?? 1}: /exceptions/${badDate}/expires is not a calendar date`);
  return {
    pss: { level: raw.pss?.level ?? DEFAULT_CONFIG.pss.level, version: raw.pss?.version ?? DEFAULT_CONFIG.pss.version },
    podTemplates: (raw.podTemplates ?? []).map((entry) => {
      const templatePath = parseTemplatePath(entry.templatePath);
      return { group: apiGroup(entry.apiVersion), kind: entry.kind, metadataPath: [...templatePath, 'metadata'], specPath: [...templatePath, 'spec'] };
    }),
    limits: { ...DEFAULT_LIMITS, ...(raw.limits ?? {}) },
    failOn: raw.failOn,
    disabledChecks: new Set(raw.checks?.disabled ?? []),
    ...(raw.images?.allowedRegistries !== undefined ? { allowedRegistries: raw.images.allowedRegistries } : {}),
    exceptions: (raw.exceptions ?? []).map((entry, index) => ({ ...entry, file, line: document?.positions.locate(['exceptions', index]).line ?? 1 })),
    ...(raw.fix?.resources !== undefined ? { fixResources: fixResourcesOf(raw.fix.resources) } : {}),
  };
}

function fixResourcesOf(resources: { requests?: Record<string, string>; limits?: Record<string, string> }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const section of ['requests', 'limits'] as const) {
    for (const [name, value] of Object.entries(resources[section] ?? {})) out[`${section}.${name}`] = value;
  }
  return out;
}

function isCalendarDate(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
