/**
 * The detection rule format (docs/detect.md) and its loader. A rule file is
 * YAML of kind `DetectionRules`:
 *
 *   apiVersion: rampart.dev/v1alpha1
 *   kind: DetectionRules
 *   lists: {name: [strings]}          # replaces a list
 *   appendLists: {name: [strings]}    # adds to a list
 *   rules: [rule, ...]                # new rules
 *   overrides: [{id | tag, enabled, severity, exceptions, condition}]
 *
 * The built-in rules (src/detect/rules/*.yaml, bundled into
 * builtin-rules.json so the compiled code finds them) are files of the same
 * kind, loaded first; the user's files follow in the order given. Loading is pure
 * over texts; reading the files happens in `loadRuleFiles`.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { isJsonObject, isSeverity, type JsonObject, type Severity } from '../model/types.js';
// A type-only import: it makes tsc copy the generated bundle into dist/ beside this module.
import type builtinBundle from './rules/builtin-rules.json';
import { distFile } from '../distFiles.js';

const BUNDLE_FILE = distFile('detect', 'rules', 'builtin-rules.json');

export const RULES_API_VERSION = 'rampart.dev/v1alpha1';
export const RULES_KIND = 'DetectionRules';

export interface RuleMatch {
  /** Verbs (`create`, `get`, …); empty: any. */
  readonly verbs: readonly string[];
  /** `pods`, `pods/exec`, `pods/*`, `*`, or the alias `workloads` (every resource with a pod template); empty: any. */
  readonly resources: readonly string[];
  readonly stages: readonly string[];
  /** Exact user names; empty: any. */
  readonly users: readonly string[];
  /** Response codes; empty: any. */
  readonly codes: readonly number[];
  /** The user is in one of these groups; empty: any. */
  readonly groups: readonly string[];
  /** The user name starts with one of these; empty: any. */
  readonly userPrefixes: readonly string[];
  /** The user name starts with none of these. */
  readonly notUserPrefixes: readonly string[];
  /** user.extra has one of these keys; empty: any. */
  readonly userExtra: readonly string[];
  /** The request's namespace is one of these; empty: any. */
  readonly namespaces: readonly string[];
  /** Facts about the pod the request carries, all of which must hold (computed natively, before any CEL; see POD_FACTS). */
  readonly podFacts: readonly PodFact[];
  /** Some container's field contains one of the values (a list name or inline values), or is not in a list. */
  readonly containers: ContainerMatch | undefined;
  /** The rule runs only when these lists are not empty. */
  readonly requiresLists: readonly string[];
  /** The user agent starts with one of these; empty: any. */
  readonly userAgentPrefixes: readonly string[];
}

export const CONTAINER_FIELDS = ['image', 'repository', 'registry', 'argText'] as const;

export interface ContainerMatch {
  readonly field: (typeof CONTAINER_FIELDS)[number];
  /** Lower-case substring test against a list name or inline values. */
  readonly containsAnyOf?: string | readonly string[];
  /** Exact test: some container's field is not in the list. */
  readonly notIn?: string | readonly string[];
}

/** Cheap facts about the judged pod, for pre-filtering: a rule that needs a privileged container runs its CEL only on pods that have one. */
export const POD_FACTS = ['privileged', 'hostNetwork', 'hostPID', 'hostIPC', 'hostPath', 'addedCapabilities', 'hostPort'] as const;
export type PodFact = (typeof POD_FACTS)[number];

export interface RuleException {
  readonly name: string;
  readonly reason: string;
  /** ISO date (`2026-12-31`); after it the exception no longer applies. */
  readonly expires: string | undefined;
  readonly condition: string;
}

export type Correlation =
  | { readonly type: 'threshold'; readonly key: string; readonly count: number; readonly windowSeconds: number }
  | { readonly type: 'sequence'; readonly first: { readonly match: RuleMatch; readonly condition: string; readonly key: string }; readonly key: string; readonly withinSeconds: number }
  | { readonly type: 'firstSeen'; readonly key: string; readonly value: string; readonly learningSeconds: number }
  | { readonly type: 'tokenNodeMismatch' }
  | { readonly type: 'tokenAfterPodDeleted' };

export interface DetectionRule {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly mitre: readonly string[];
  readonly msThreatMatrix: readonly string[];
  readonly tags: readonly string[];
  readonly enabled: boolean;
  readonly match: RuleMatch;
  readonly condition: string;
  /** CEL giving the alert's message (a string). */
  readonly output: string;
  /** Extra alert fields: name → CEL. */
  readonly fields: Readonly<Record<string, string>>;
  readonly exceptions: readonly RuleException[];
  readonly correlation: Correlation | undefined;
  /** Where the rule was defined (`file`), for messages. */
  readonly source: string;
}

export interface RuleSet {
  readonly rules: readonly DetectionRule[];
  readonly lists: Readonly<Record<string, readonly string[]>>;
}

export class RuleFileError extends Error {}

const DEFAULT_STAGES = ['ResponseComplete'];

function fail(where: string, message: string): never {
  throw new RuleFileError(`${where}: ${message}`);
}

function stringArray(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) fail(where, 'must be a list of strings');
  return value as string[];
}

function requiredString(object: JsonObject, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== 'string' || value.trim() === '') fail(`${where}.${key}`, 'must be a non-empty string');
  return value;
}

/** `30s`, `10m`, `2h`, `1d` or a number of seconds. */
export function parseDuration(value: unknown, where: string): number {
  if (typeof value === 'number' && value > 0) return value;
  if (typeof value === 'string') {
    const match = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(value.trim());
    if (match !== null) return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  }
  fail(where, `must be a duration such as 30s, 10m, 2h or 1d, got ${JSON.stringify(value)}`);
}

const MATCH_KEYS = ['verbs', 'resources', 'stages', 'users', 'codes', 'groups', 'userPrefixes', 'notUserPrefixes', 'userExtra', 'namespaces', 'podFacts', 'containers', 'requiresLists', 'userAgentPrefixes'];

function listOrValues(value: unknown, where: string): string | string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return stringArray(value, where);
}

function parseContainerMatch(value: unknown, where: string): ContainerMatch | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) fail(where, 'must be a mapping with field and containsAnyOf or notIn');
  if (typeof value.field !== 'string' || !(CONTAINER_FIELDS as readonly string[]).includes(value.field)) fail(`${where}.field`, `must be one of ${CONTAINER_FIELDS.join(', ')}`);
  const containsAnyOf = listOrValues(value.containsAnyOf, `${where}.containsAnyOf`);
  const notIn = listOrValues(value.notIn, `${where}.notIn`);
  if ((containsAnyOf === undefined) === (notIn === undefined)) fail(where, 'needs exactly one of containsAnyOf and notIn');
  return { field: value.field as ContainerMatch['field'], ...(containsAnyOf !== undefined ? { containsAnyOf } : {}), ...(notIn !== undefined ? { notIn } : {}) };
}

function podFacts(value: unknown, where: string): PodFact[] {
  const facts = stringArray(value, where);
  for (const fact of facts) if (!(POD_FACTS as readonly string[]).includes(fact)) fail(where, `unknown pod fact ${fact} (expected ${POD_FACTS.join(', ')})`);
  return facts as PodFact[];
}

function parseMatch(value: unknown, where: string): RuleMatch {
  if (value !== undefined && !isJsonObject(value)) fail(where, 'must be a mapping');
  const match = (value ?? {}) as JsonObject;
  for (const key of Object.keys(match)) if (!MATCH_KEYS.includes(key)) fail(`${where}.${key}`, `unknown field (expected ${MATCH_KEYS.join(', ')})`);
  const codes = match.codes ?? [];
  if (!Array.isArray(codes) || codes.some((code) => typeof code !== 'number')) fail(`${where}.codes`, 'must be a list of numbers');
  const stages = stringArray(match.stages, `${where}.stages`);
  return {
    verbs: stringArray(match.verbs, `${where}.verbs`),
    resources: stringArray(match.resources, `${where}.resources`),
    stages: stages.length > 0 ? stages : DEFAULT_STAGES,
    users: stringArray(match.users, `${where}.users`),
    codes: codes as number[],
    groups: stringArray(match.groups, `${where}.groups`),
    userPrefixes: stringArray(match.userPrefixes, `${where}.userPrefixes`),
    notUserPrefixes: stringArray(match.notUserPrefixes, `${where}.notUserPrefixes`),
    userExtra: stringArray(match.userExtra, `${where}.userExtra`),
    namespaces: stringArray(match.namespaces, `${where}.namespaces`),
    podFacts: podFacts(match.podFacts, `${where}.podFacts`),
    containers: parseContainerMatch(match.containers, `${where}.containers`),
    requiresLists: stringArray(match.requiresLists, `${where}.requiresLists`),
    userAgentPrefixes: stringArray(match.userAgentPrefixes, `${where}.userAgentPrefixes`),
  };
}

function parseExceptions(value: unknown, where: string): RuleException[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(where, 'must be a list');
  return value.map((item, index) => {
    const at = `${where}[${index}]`;
    if (!isJsonObject(item)) fail(at, 'must be a mapping');
    const expires = item.expires;
    if (expires !== undefined && (typeof expires !== 'string' || Number.isNaN(Date.parse(expires)))) fail(`${at}.expires`, 'must be a date such as 2026-12-31');
    return { name: requiredString(item, 'name', at), reason: requiredString(item, 'reason', at), expires: expires as string | undefined, condition: requiredString(item, 'condition', at) };
  });
}

function parseCorrelation(value: unknown, where: string): Correlation | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) fail(where, 'must be a mapping');
  switch (value.type) {
    case 'threshold': {
      const count = value.count;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 2) fail(`${where}.count`, 'must be an integer of at least 2');
      return { type: 'threshold', key: requiredString(value, 'key', where), count, windowSeconds: parseDuration(value.window, `${where}.window`) };
    }
    case 'sequence': {
      if (!isJsonObject(value.first)) fail(`${where}.first`, 'must be a mapping with match, condition and key');
      const first = value.first;
      return {
        type: 'sequence',
        first: { match: parseMatch(first.match, `${where}.first.match`), condition: typeof first.condition === 'string' ? first.condition : 'true', key: requiredString(first, 'key', `${where}.first`) },
        key: requiredString(value, 'key', where),
        withinSeconds: parseDuration(value.within, `${where}.within`),
      };
    }
    case 'firstSeen':
      return { type: 'firstSeen', key: requiredString(value, 'key', where), value: requiredString(value, 'value', where), learningSeconds: value.learning === undefined ? 0 : parseDuration(value.learning, `${where}.learning`) };
    case 'tokenNodeMismatch':
    case 'tokenAfterPodDeleted':
      return { type: value.type };
    default:
      fail(`${where}.type`, 'must be threshold, sequence, firstSeen, tokenNodeMismatch or tokenAfterPodDeleted');
  }
}

const RULE_KEYS = ['id', 'title', 'description', 'severity', 'mitre', 'msThreatMatrix', 'tags', 'enabled', 'match', 'condition', 'output', 'fields', 'exceptions', 'correlation'];

export function parseRule(value: unknown, where: string, source: string): DetectionRule {
  if (!isJsonObject(value)) fail(where, 'a rule must be a mapping');
  const id = requiredString(value, 'id', where);
  const at = `${where} (${id})`;
  for (const key of Object.keys(value)) if (!RULE_KEYS.includes(key)) fail(`${at}.${key}`, `unknown field (expected one of ${RULE_KEYS.join(', ')})`);
  const severity = requiredString(value, 'severity', at);
  if (!isSeverity(severity)) fail(`${at}.severity`, 'must be critical, high, medium, low or info');
  const fields = value.fields ?? {};
  if (!isJsonObject(fields) || Object.values(fields).some((item) => typeof item !== 'string')) fail(`${at}.fields`, 'must map names to CEL expressions');
  if (value.enabled !== undefined && typeof value.enabled !== 'boolean') fail(`${at}.enabled`, 'must be true or false');
  return {
    id,
    title: requiredString(value, 'title', at),
    description: typeof value.description === 'string' ? value.description.trim() : '',
    severity,
    mitre: stringArray(value.mitre, `${at}.mitre`),
    msThreatMatrix: stringArray(value.msThreatMatrix, `${at}.msThreatMatrix`),
    tags: stringArray(value.tags, `${at}.tags`),
    enabled: value.enabled !== false,
    match: parseMatch(value.match, `${at}.match`),
    condition: requiredString(value, 'condition', at),
    output: requiredString(value, 'output', at),
    fields: fields as Record<string, string>,
    exceptions: parseExceptions(value.exceptions, `${at}.exceptions`),
    correlation: parseCorrelation(value.correlation, `${at}.correlation`),
    source,
  };
}

interface MutableRuleSet {
  rules: DetectionRule[];
  lists: Record<string, string[]>;
}

function applyOverride(set: MutableRuleSet, value: unknown, where: string): void {
  if (!isJsonObject(value)) fail(where, 'an override must be a mapping');
  for (const key of Object.keys(value)) if (!['id', 'tag', 'enabled', 'severity', 'exceptions', 'condition'].includes(key)) fail(`${where}.${key}`, 'unknown field (expected id or tag, enabled, severity, exceptions, condition)');
  const id = value.id;
  const tag = value.tag;
  if ((typeof id === 'string') === (typeof tag === 'string')) fail(where, 'needs exactly one of id and tag');
  const selected = set.rules.filter((rule) => (typeof id === 'string' ? rule.id === id : rule.tags.includes(tag as string)));
  if (selected.length === 0) fail(where, typeof id === 'string' ? `no rule has the id ${id}` : `no rule has the tag ${String(tag)}`);
  if (value.enabled !== undefined && typeof value.enabled !== 'boolean') fail(`${where}.enabled`, 'must be true or false');
  if (value.severity !== undefined && (typeof value.severity !== 'string' || !isSeverity(value.severity))) fail(`${where}.severity`, 'must be critical, high, medium, low or info');
  if (value.condition !== undefined && typeof value.condition !== 'string') fail(`${where}.condition`, 'must be a CEL expression');
  const exceptions = parseExceptions(value.exceptions, `${where}.exceptions`);
  set.rules = set.rules.map((rule) =>
    selected.includes(rule)
      ? {
          ...rule,
          enabled: typeof value.enabled === 'boolean' ? value.enabled : rule.enabled,
          severity: (value.severity as Severity | undefined) ?? rule.severity,
          condition: (value.condition as string | undefined) ?? rule.condition,
          exceptions: [...rule.exceptions, ...exceptions],
        }
      : rule,
  );
}

function applyDocument(set: MutableRuleSet, document: unknown, where: string, source: string): void {
  if (document === null || document === undefined) return;
  if (!isJsonObject(document)) fail(where, 'must be a mapping');
  if (document.apiVersion !== RULES_API_VERSION || document.kind !== RULES_KIND) fail(where, `must have apiVersion ${RULES_API_VERSION} and kind ${RULES_KIND}`);
  for (const key of Object.keys(document)) if (!['apiVersion', 'kind', 'metadata', 'lists', 'appendLists', 'rules', 'overrides'].includes(key)) fail(`${where}.${key}`, 'unknown field (expected lists, appendLists, rules, overrides)');
  for (const [field, append] of [['lists', false], ['appendLists', true]] as const) {
    const lists = document[field];
    if (lists === undefined) continue;
    if (!isJsonObject(lists)) fail(`${where}.${field}`, 'must map list names to lists of strings');
    for (const [name, items] of Object.entries(lists)) {
      const values = stringArray(items, `${where}.${field}.${name}`);
      if (append && set.lists[name] === undefined) fail(`${where}.${field}.${name}`, 'appends to a list that no earlier file defines');
      set.lists[name] = append ? [...(set.lists[name] ?? []), ...values] : values;
    }
  }
  const rules = document.rules ?? [];
  if (!Array.isArray(rules)) fail(`${where}.rules`, 'must be a list');
  rules.forEach((rule, index) => {
    const parsed = parseRule(rule, `${where}.rules[${index}]`, source);
    if (set.rules.some((existing) => existing.id === parsed.id)) fail(`${where}.rules[${index}]`, `the id ${parsed.id} is already used (change it with overrides instead)`);
    set.rules.push(parsed);
  });
  const overrides = document.overrides ?? [];
  if (!Array.isArray(overrides)) fail(`${where}.overrides`, 'must be a list');
  overrides.forEach((override, index) => applyOverride(set, override, `${where}.overrides[${index}]`));
}

export interface RuleText {
  readonly name: string;
  readonly text: string;
}

/** Builds the rule set from rule file texts, in order. Throws RuleFileError naming the file and field. */
export function buildRuleSet(files: readonly RuleText[]): RuleSet {
  const set: MutableRuleSet = { rules: [], lists: {} };
  for (const file of files) {
    const documents = parseAllDocuments(file.text);
    const list = Array.isArray(documents) ? documents : [documents];
    list.forEach((document, index) => {
      const error = document.errors[0];
      if (error !== undefined) {
        const position = error.linePos?.[0];
        fail(position !== undefined ? `${file.name}:${position.line}:${position.col}` : file.name, `not valid YAML: ${error.message.split('\n')[0] ?? ''}`);
      }
      applyDocument(set, document.toJS({ maxAliasCount: 100 }), list.length > 1 ? `${file.name} (document ${index + 1})` : file.name, file.name);
    });
  }
  return set;
}

/** The built-in rule files, from the bundle generated beside the YAML sources (src/detect/rules/bundle.ts). */
export function builtinRuleTexts(): RuleText[] {
  const bundle = JSON.parse(readFileSync(BUNDLE_FILE, 'utf8')) as typeof builtinBundle;
  return bundle.files.map((file) => ({ name: `builtin:${file.name}`, text: file.text }));
}

/** The built-in rules followed by the user's files. A file that cannot be read is a RuleFileError. */
export function loadRuleFiles(userFiles: readonly string[], options: { builtin?: boolean } = {}): RuleSet {
  const texts = options.builtin === false ? [] : builtinRuleTexts();
  for (const file of userFiles) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new RuleFileError(`${file}: cannot read the rule file`);
    }
    texts.push({ name: file, text });
  }
  return buildRuleSet(texts);
}
