/**
 * The rules engine: compiled rules applied to audit events, one at a time.
 * Pure apart from its bounded state (correlation tables, the per-auditID
 * de-duplication set): no I/O, no clock (time is the event's own).
 *
 * Speed: each rule declares verbs, resources, stages, users and codes; the
 * set of candidate rules per (stage, verb, resource) is computed once and
 * cached, and an event's CEL variables are built only when some rule is a
 * candidate, so most events cost a few map lookups.
 */
import type { Severity } from '../model/types.js';
import { compile, parseKubernetesVersion, type Program } from '../policy/environment.js';
import { celToJson, jsonToCel } from '../policy/values.js';
import { actionOf, celBindings, eventVariables, podFactsOf, RULE_VARIABLES } from './bindings.js';
import { POD_TEMPLATE_PATHS, type AuditEvent } from './event.js';
import { RuleFileError, type DetectionRule, type PodFact, type RuleMatch, type RuleSet } from './rules.js';

export interface Alert {
  readonly time: string;
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly mitre: readonly string[];
  readonly msThreatMatrix: readonly string[];
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly auditID: string;
  readonly stage: string;
  readonly verb: string;
  readonly user: string;
  readonly sourceIPs: readonly string[];
  readonly target: { readonly resource: string; readonly subresource: string; readonly namespace: string; readonly name: string };
}

export interface EngineOptions {
  /** Upper bound on entries in each correlation table and in the de-duplication set. */
  readonly maxStateEntries?: number;
  /** Used to decide whether an exception has expired; default: the event's time. */
  readonly now?: () => number;
}

/** A Map that forgets its least recently written entry beyond `limit` entries. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly limit: number) {}
  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
  /** Oldest first. */
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) {
      // A new iterator steps over the holes evictions left at the front of V8's table: at most the table's
      // spare capacity, a few microseconds at these sizes (a kept iterator would pin every table V8 replaces).
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }
}

const CEL_VERSION = parseKubernetesVersion('latest')!;

/**
 * Correlation keys that are a bare variable are read from the event without
 * running CEL (they are evaluated for many events).
 */
const NATIVE_KEYS: Readonly<Record<string, (event: AuditEvent) => string>> = {
  'user.name': (event) => event.user.username,
  sourceIP: (event) => event.sourceIPs[0] ?? '',
  action: actionOf,
  verb: (event) => event.verb,
};

interface KeyExpression {
  readonly program: Program;
  readonly native: ((event: AuditEvent) => string) | undefined;
}

function compileKey(source: string, where: string): KeyExpression {
  return { program: compileExpression(source, where), native: NATIVE_KEYS[source.trim()] };
}

function compileExpression(source: string, where: string): Program {
  const result = compile(source, CEL_VERSION, { variables: [...RULE_VARIABLES] });
  if (!result.ok) {
    const error = result.errors[0]!;
    throw new RuleFileError(`${where}: expression does not compile (line ${error.position.line}, column ${error.position.column} of the expression): ${error.message}`);
  }
  return result.program;
}

interface Matcher {
  readonly verbs: ReadonlySet<string> | undefined;
  readonly resources: readonly string[];
  readonly stages: ReadonlySet<string>;
  readonly users: ReadonlySet<string> | undefined;
  readonly codes: ReadonlySet<number> | undefined;
  readonly groups: readonly string[];
  readonly userPrefixes: readonly string[];
  readonly notUserPrefixes: readonly string[];
  readonly userExtra: readonly string[];
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly podFacts: readonly PodFact[];
  readonly userAgentPrefixes: readonly string[];
  /** Resolved against the rule set's lists at compile time. */
  readonly containers: { readonly field: string; readonly contains?: readonly string[]; readonly notIn?: ReadonlySet<string> } | undefined;
  /** False when a list the rule requires is empty: the rule never runs. */
  readonly listsPresent: boolean;
}

function matcher(match: RuleMatch, lists: Readonly<Record<string, readonly string[]>>, where: string): Matcher {
  const resolve = (value: string | readonly string[]): readonly string[] => {
    if (typeof value !== 'string') return value;
    const list = lists[value];
    if (list === undefined) throw new RuleFileError(`${where}: match.containers names the list ${value}, which no rule file defines`);
    return list;
  };
  for (const name of match.requiresLists) if (lists[name] === undefined) throw new RuleFileError(`${where}: match.requiresLists names the list ${name}, which no rule file defines`);
  const spec = match.containers;
  const resources = match.resources.flatMap((resource) => (resource === 'workloads' ? Object.keys(POD_TEMPLATE_PATHS) : resource === 'workloads/*' ? Object.keys(POD_TEMPLATE_PATHS).map((name) => `${name}/*`) : [resource]));
  return {
    verbs: match.verbs.length > 0 ? new Set(match.verbs) : undefined,
    resources,
    stages: new Set(match.stages),
    users: match.users.length > 0 ? new Set(match.users) : undefined,
    codes: match.codes.length > 0 ? new Set(match.codes) : undefined,
    groups: match.groups,
    userPrefixes: match.userPrefixes,
    notUserPrefixes: match.notUserPrefixes,
    userExtra: match.userExtra,
    namespaces: match.namespaces.length > 0 ? new Set(match.namespaces) : undefined,
    podFacts: match.podFacts,
    userAgentPrefixes: match.userAgentPrefixes,
    containers:
      spec === undefined
        ? undefined
        : {
            field: spec.field,
            ...(spec.containsAnyOf !== undefined ? { contains: resolve(spec.containsAnyOf).map((value) => value.toLowerCase()) } : {}),
            ...(spec.notIn !== undefined ? { notIn: new Set(resolve(spec.notIn)) } : {}),
          },
    listsPresent: match.requiresLists.every((name) => (lists[name]?.length ?? 0) > 0),
  };
}

function resourceMatches(patterns: readonly string[], resource: string, subresource: string): boolean {
  if (patterns.length === 0) return true;
  const full = subresource === '' ? resource : `${resource}/${subresource}`;
  return patterns.some((pattern) => pattern === '*' || pattern === full || (pattern.endsWith('/*') && subresource !== '' && pattern.slice(0, -2) === resource) || (pattern === `${resource}/*` && subresource !== ''));
}

/** The part of a match that depends on stage, verb and resource only (cached per combination). */
function staticMatch(m: Matcher, stage: string, verb: string, resource: string, subresource: string): boolean {
  return m.stages.has(stage) && (m.verbs === undefined || m.verbs.has(verb)) && resourceMatches(m.resources, resource, subresource);
}

function dynamicMatch(m: Matcher, event: AuditEvent): boolean {
  const user = event.user;
  if (m.users !== undefined && !m.users.has(user.username)) return false;
  if (m.codes !== undefined && !m.codes.has(event.code)) return false;
  if (m.groups.length > 0 && !m.groups.some((group) => user.groups.includes(group))) return false;
  if (m.userPrefixes.length > 0 && !m.userPrefixes.some((prefix) => user.username.startsWith(prefix))) return false;
  if (m.notUserPrefixes.some((prefix) => user.username.startsWith(prefix))) return false;
  if (m.userExtra.length > 0 && !m.userExtra.some((key) => key in user.extra)) return false;
  if (m.namespaces !== undefined && !m.namespaces.has(event.objectRef.namespace)) return false;
  if (m.userAgentPrefixes.length > 0 && !m.userAgentPrefixes.some((prefix) => event.userAgent.startsWith(prefix))) return false;
  return m.listsPresent;
}

/** The native container pre-filter: some container's field contains one of the values, or is outside the list. */
function containersMatch(m: Matcher, containers: readonly Record<string, unknown>[]): boolean {
  const spec = m.containers;
  if (spec === undefined) return true;
  return containers.some((container) => {
    const value = container[spec.field];
    if (typeof value !== 'string') return false;
    if (spec.notIn !== undefined) return value !== '' && !spec.notIn.has(value);
    const lower = value.toLowerCase();
    return spec.contains!.some((needle) => lower.includes(needle));
  });
}

interface CompiledException {
  readonly name: string;
  readonly expires: number | undefined;
  readonly condition: Program;
}

type CompiledCorrelation =
  | { readonly type: 'threshold'; readonly key: KeyExpression; readonly count: number; readonly windowMs: number; readonly state: BoundedMap<string, { start: number; count: number; fired: boolean }> }
  | { readonly type: 'sequence'; readonly firstMatcher: Matcher; readonly firstCondition: Program; readonly firstKey: KeyExpression; readonly key: KeyExpression; readonly withinMs: number; readonly state: BoundedMap<string, number> }
  | { readonly type: 'firstSeen'; readonly key: KeyExpression; readonly value: KeyExpression; readonly learningMs: number; readonly state: BoundedMap<string, Set<string>> }
  | { readonly type: 'tokenNodeMismatch' }
  | { readonly type: 'tokenAfterPodDeleted' };

interface CompiledRule {
  readonly rule: DetectionRule;
  readonly matcher: Matcher;
  readonly condition: Program;
  readonly output: Program;
  readonly fields: readonly (readonly [string, Program])[];
  readonly exceptions: readonly CompiledException[];
  readonly correlation: CompiledCorrelation | undefined;
}

export interface RuleStats {
  alerts: number;
  errors: number;
  lastError?: string;
}

const MAX_VALUES_PER_IDENTITY = 2000;
/** First-seen values written in one state snapshot, across all rules (the most recently active identities first). */
const MAX_SNAPSHOT_VALUES = 50_000;

/**
 * The engine's correlation state as plain JSON (for the spool's checkpoint):
 * per rule (by ID, with its correlation type, so a rule changed between runs
 * starts afresh), the token-rule tables and the time of the first event (the
 * start of first-seen learning). Bounded: every table holds at most
 * `maxStateEntries` entries and first-seen values are capped in total.
 */
export interface EngineState {
  readonly version: 1;
  readonly firstEventTime?: number;
  readonly rules: Readonly<Record<string, { readonly type: string; readonly entries: readonly unknown[] }>>;
  readonly nodeAddresses: readonly (readonly [string, readonly string[]])[];
  readonly deletedPods: readonly (readonly [string, number])[];
}
const DELETED_POD_GRACE_MS = 60_000;
const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';

export class DetectionEngine {
  readonly rules: readonly CompiledRule[];
  readonly stats = new Map<string, RuleStats>();
  private readonly candidates = new Map<string, { rules: CompiledRule[]; firstSteps: CompiledRule[] }>();
  private readonly alerted: BoundedMap<string, true>;
  private readonly lists: unknown;
  private readonly ruleLists: Readonly<Record<string, readonly string[]>>;
  private readonly limit: number;
  private readonly now: (() => number) | undefined;
  private firstEventTime: number | undefined;
  /** Node name → addresses the node's own credentials were seen from (and its status addresses). */
  private readonly nodeAddresses: BoundedMap<string, Set<string>>;
  /** `ns/name` and pod UIDs of deleted pods → deletion time. */
  private readonly deletedPods: BoundedMap<string, number>;
  private readonly tracksTokens: boolean;

  constructor(ruleSet: RuleSet, options: EngineOptions = {}) {
    this.limit = options.maxStateEntries ?? 10_000;
    this.now = options.now;
    this.alerted = new BoundedMap(this.limit * 5);
    this.nodeAddresses = new BoundedMap(this.limit);
    this.deletedPods = new BoundedMap(this.limit);
    this.ruleLists = ruleSet.lists;
    this.lists = jsonToCel(ruleSet.lists);
    this.rules = ruleSet.rules.filter((rule) => rule.enabled).map((rule) => this.compileRule(rule));
    for (const compiled of this.rules) this.stats.set(compiled.rule.id, { alerts: 0, errors: 0 });
    this.tracksTokens = this.rules.some((compiled) => compiled.correlation?.type === 'tokenNodeMismatch' || compiled.correlation?.type === 'tokenAfterPodDeleted');
  }

  private compileRule(rule: DetectionRule): CompiledRule {
    const where = `${rule.source}: rule ${rule.id}`;
    const exceptions = rule.exceptions.map((exception) => ({
      name: exception.name,
      expires: exception.expires === undefined ? undefined : Date.parse(exception.expires) + (exception.expires.length <= 10 ? 86_400_000 : 0),
      condition: compileExpression(exception.condition, `${where}: exception ${exception.name}`),
    }));
    let correlation: CompiledCorrelation | undefined;
    const spec = rule.correlation;
    if (spec !== undefined) {
      switch (spec.type) {
        case 'threshold':
          correlation = { type: 'threshold', key: compileKey(spec.key, `${where}.correlation.key`), count: spec.count, windowMs: spec.windowSeconds * 1000, state: new BoundedMap(this.limit) };
          break;
        case 'sequence':
          correlation = {
            type: 'sequence',
            firstMatcher: matcher(spec.first.match, this.ruleLists, `${where}.correlation.first`),
            firstCondition: compileExpression(spec.first.condition, `${where}.correlation.first.condition`),
            firstKey: compileKey(spec.first.key, `${where}.correlation.first.key`),
            key: compileKey(spec.key, `${where}.correlation.key`),
            withinMs: spec.withinSeconds * 1000,
            state: new BoundedMap(this.limit),
          };
          break;
        case 'firstSeen':
          correlation = { type: 'firstSeen', key: compileKey(spec.key, `${where}.correlation.key`), value: compileKey(spec.value, `${where}.correlation.value`), learningMs: spec.learningSeconds * 1000, state: new BoundedMap(this.limit) };
          break;
        default:
          correlation = { type: spec.type };
      }
    }
    return {
      rule,
      matcher: matcher(rule.match, this.ruleLists, where),
      condition: compileExpression(rule.condition, `${where}.condition`),
      output: compileExpression(rule.output, `${where}.output`),
      fields: Object.entries(rule.fields).map(([name, source]) => [name, compileExpression(source, `${where}.fields.${name}`)] as const),
      exceptions,
      correlation,
    };
  }

  private candidatesFor(event: AuditEvent): { rules: CompiledRule[]; firstSteps: CompiledRule[] } {
    const { resource, subresource } = event.objectRef;
    const key = `${event.stage}|${event.verb}|${resource}|${subresource}`;
    let found = this.candidates.get(key);
    if (found === undefined) {
      found = {
        rules: this.rules.filter((compiled) => staticMatch(compiled.matcher, event.stage, event.verb, resource, subresource)),
        firstSteps: this.rules.filter((compiled) => compiled.correlation?.type === 'sequence' && staticMatch(compiled.correlation.firstMatcher, event.stage, event.verb, resource, subresource)),
      };
      // Resource names come from the network: keep the cache bounded.
      if (this.candidates.size > 5000) this.candidates.clear();
      this.candidates.set(key, found);
    }
    return found;
  }

  private recordError(compiled: CompiledRule, message: string): void {
    const stats = this.stats.get(compiled.rule.id)!;
    stats.errors++;
    stats.lastError = message;
  }

  private test(compiled: CompiledRule, program: Program, bindings: () => Record<string, unknown>): boolean {
    // A condition of just `true` (rules that only correlate) needs no CEL run.
    if (program.source.trim() === 'true') return true;
    const result = program.evaluate(bindings());
    if (!result.ok) {
      this.recordError(compiled, result.error);
      return false;
    }
    if (typeof result.value !== 'boolean') {
      this.recordError(compiled, `the expression gave ${JSON.stringify(celToJson(result.value))}, not a bool`);
      return false;
    }
    return result.value;
  }

  private keyOf(compiled: CompiledRule, key: KeyExpression, event: AuditEvent, bind: () => Record<string, unknown>): string | undefined {
    return key.native !== undefined ? key.native(event) : this.text(compiled, key.program, bind());
  }

  private text(compiled: CompiledRule, program: Program, bindings: Record<string, unknown>): string | undefined {
    const result = program.evaluate(bindings);
    if (!result.ok) {
      this.recordError(compiled, result.error);
      return undefined;
    }
    const value = celToJson(result.value);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  /** Learns node addresses and pod deletions for the token rules. */
  private observeTokens(event: AuditEvent): void {
    const username = event.user.username;
    if (username.startsWith('system:node:') && event.code < 400) {
      const node = username.slice('system:node:'.length);
      const known = this.nodeAddresses.get(node) ?? new Set<string>();
      if (known.size < 16) for (const ip of event.sourceIPs) known.add(ip);
      this.nodeAddresses.set(node, known);
    }
    const ref = event.objectRef;
    if (ref.resource === 'pods' && ref.subresource === '' && event.stage === 'ResponseComplete' && event.code >= 200 && event.code < 300) {
      if (event.verb === 'delete') {
        this.deletedPods.set(`${ref.namespace}/${ref.name}`, event.time);
        const response = event.responseObject as { metadata?: { uid?: unknown } } | undefined;
        if (typeof response?.metadata?.uid === 'string') this.deletedPods.set(response.metadata.uid, event.time);
      } else if (event.verb === 'create') {
        const name = ref.name || ((event.requestObject as { metadata?: { name?: unknown } } | undefined)?.metadata?.name as string | undefined) || '';
        this.deletedPods.delete(`${ref.namespace}/${name}`);
      }
    }
  }

  private tokenVerdict(type: 'tokenNodeMismatch' | 'tokenAfterPodDeleted', event: AuditEvent): Record<string, unknown> | undefined {
    const extra = event.user.extra;
    if (type === 'tokenNodeMismatch') {
      const node = extra[EXTRA_NODE_NAME]?.[0];
      if (node === undefined) return undefined;
      const addresses = this.nodeAddresses.get(node);
      if (addresses === undefined || addresses.size === 0) return undefined;
      const foreign = event.sourceIPs.filter((ip) => !addresses.has(ip));
      if (foreign.length === 0 || foreign.length < event.sourceIPs.length) return undefined;
      return { node, nodeAddresses: [...addresses], sourceIPs: event.sourceIPs };
    }
    const podName = extra[EXTRA_POD_NAME]?.[0];
    if (podName === undefined) return undefined;
    const namespace = event.user.username.split(':')[2] ?? '';
    const uid = extra[EXTRA_POD_UID]?.[0];
    const deletedAt = (uid !== undefined ? this.deletedPods.get(uid) : undefined) ?? this.deletedPods.get(`${namespace}/${podName}`);
    if (deletedAt === undefined || event.time - deletedAt < DELETED_POD_GRACE_MS) return undefined;
    return { pod: `${namespace}/${podName}`, podDeletedAt: new Date(deletedAt).toISOString(), secondsAfterDeletion: Math.round((event.time - deletedAt) / 1000) };
  }

  /** Correlation state update; returns extra alert fields when the rule fires, undefined when it does not. */
  private correlate(compiled: CompiledRule, correlation: CompiledCorrelation, event: AuditEvent, bind: () => Record<string, unknown>): Record<string, unknown> | undefined {
    switch (correlation.type) {
      case 'threshold': {
        const key = this.keyOf(compiled, correlation.key, event, bind);
        if (key === undefined) return undefined;
        let entry = correlation.state.get(key);
        if (entry === undefined || event.time - entry.start > correlation.windowMs) entry = { start: event.time, count: 0, fired: false };
        entry.count++;
        correlation.state.set(key, entry);
        if (entry.count >= correlation.count && !entry.fired) {
          entry.fired = true;
          return { key, count: entry.count, windowSeconds: correlation.windowMs / 1000 };
        }
        return undefined;
      }
      case 'sequence': {
        const key = this.keyOf(compiled, correlation.key, event, bind);
        if (key === undefined) return undefined;
        const firstTime = correlation.state.get(key);
        if (firstTime === undefined || event.time - firstTime > correlation.withinMs || event.time < firstTime) return undefined;
        correlation.state.delete(key);
        return { key, secondsAfterFirst: Math.round((event.time - firstTime) / 1000) };
      }
      case 'firstSeen': {
        const key = this.keyOf(compiled, correlation.key, event, bind);
        const value = this.keyOf(compiled, correlation.value, event, bind);
        if (key === undefined || value === undefined) return undefined;
        const learning = this.firstEventTime !== undefined && event.time - this.firstEventTime < correlation.learningMs;
        const seen = correlation.state.get(key);
        if (seen === undefined) {
          correlation.state.set(key, new Set([value]));
          return undefined;
        }
        if (seen.has(value)) return undefined;
        if (seen.size < MAX_VALUES_PER_IDENTITY) seen.add(value);
        correlation.state.set(key, seen);
        return learning ? undefined : { key, value };
      }
      default:
        return this.tokenVerdict(correlation.type, event);
    }
  }

  /** The correlation state, bounded, as JSON-ready data. */
  snapshot(): EngineState {
    const rules: Record<string, { type: string; entries: unknown[] }> = {};
    let budget = MAX_SNAPSHOT_VALUES;
    for (const compiled of this.rules) {
      const correlation = compiled.correlation;
      if (correlation === undefined) continue;
      if (correlation.type === 'threshold') rules[compiled.rule.id] = { type: 'threshold', entries: [...correlation.state.entries()].map(([key, entry]) => [key, entry.start, entry.count, entry.fired]) };
      else if (correlation.type === 'sequence') rules[compiled.rule.id] = { type: 'sequence', entries: [...correlation.state.entries()] };
      else if (correlation.type === 'firstSeen') {
        const newestFirst: [string, string[]][] = [];
        for (const [key, values] of [...correlation.state.entries()].reverse()) {
          if (values.size > budget) break;
          budget -= values.size;
          newestFirst.push([key, [...values]]);
        }
        rules[compiled.rule.id] = { type: 'firstSeen', entries: newestFirst.reverse() };
      }
    }
    return {
      version: 1,
      ...(this.firstEventTime !== undefined ? { firstEventTime: this.firstEventTime } : {}),
      rules,
      nodeAddresses: [...this.nodeAddresses.entries()].map(([node, addresses]) => [node, [...addresses]]),
      deletedPods: [...this.deletedPods.entries()],
    };
  }

  /**
   * Loads a snapshot taken by `snapshot` (possibly by an earlier run with
   * other rules): entries of rules that no longer exist or changed their
   * correlation type are dropped, malformed entries are skipped. Returns the
   * number of entries restored.
   */
  restore(state: unknown): number {
    const data = state as Partial<EngineState> | null;
    if (data === null || typeof data !== 'object' || data.version !== 1) return 0;
    let restored = 0;
    const isString = (value: unknown): value is string => typeof value === 'string';
    const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
    if (isNumber(data.firstEventTime)) this.firstEventTime = data.firstEventTime;
    for (const compiled of this.rules) {
      const correlation = compiled.correlation;
      const saved = data.rules?.[compiled.rule.id];
      if (correlation === undefined || saved === undefined || saved.type !== correlation.type || !Array.isArray(saved.entries)) continue;
      for (const entry of saved.entries) {
        if (!Array.isArray(entry) || !isString(entry[0])) continue;
        if (correlation.type === 'threshold' && isNumber(entry[1]) && isNumber(entry[2])) correlation.state.set(entry[0], { start: entry[1], count: entry[2], fired: entry[3] === true });
        else if (correlation.type === 'sequence' && isNumber(entry[1])) correlation.state.set(entry[0], entry[1]);
        else if (correlation.type === 'firstSeen' && Array.isArray(entry[1])) correlation.state.set(entry[0], new Set((entry[1] as unknown[]).filter(isString).slice(0, MAX_VALUES_PER_IDENTITY)));
        else continue;
        restored++;
      }
    }
    for (const entry of Array.isArray(data.nodeAddresses) ? data.nodeAddresses : []) {
      if (!Array.isArray(entry) || !isString(entry[0]) || !Array.isArray(entry[1])) continue;
      this.nodeAddresses.set(entry[0], new Set(entry[1].filter(isString).slice(0, 16)));
      restored++;
    }
    for (const entry of Array.isArray(data.deletedPods) ? data.deletedPods : []) {
      if (!Array.isArray(entry) || !isString(entry[0]) || !isNumber(entry[1])) continue;
      this.deletedPods.set(entry[0], entry[1]);
      restored++;
    }
    return restored;
  }

  /** Applies every enabled rule to one event; returns the alerts it raises. */
  process(event: AuditEvent): Alert[] {
    if (this.firstEventTime === undefined && event.time > 0) this.firstEventTime = event.time;
    const { rules, firstSteps } = this.candidatesFor(event);
    let variables: Record<string, unknown> | undefined;
    let bindings: Record<string, unknown> | undefined;
    let facts: ReadonlySet<PodFact> | undefined;
    const vars = (): Record<string, unknown> => (variables ??= eventVariables(event));
    const bind = (): Record<string, unknown> => (bindings ??= celBindings(vars(), this.lists));
    const prefilter = (m: Matcher): boolean => {
      if (m.podFacts.length > 0) {
        facts ??= podFactsOf(vars());
        if (!m.podFacts.every((fact) => facts!.has(fact))) return false;
      }
      return m.containers === undefined || containersMatch(m, vars().containers as Record<string, unknown>[]);
    };
    // Sequence first steps are recorded before the rules run, so one event can open and close nothing twice.
    for (const compiled of firstSteps) {
      const correlation = compiled.correlation as Extract<CompiledCorrelation, { type: 'sequence' }>;
      if (!dynamicMatch(correlation.firstMatcher, event) || !prefilter(correlation.firstMatcher)) continue;
      if (!this.test(compiled, correlation.firstCondition, bind)) continue;
      const key = this.keyOf(compiled, correlation.firstKey, event, bind);
      if (key !== undefined) correlation.state.set(key, event.time);
    }
    const alerts: Alert[] = [];
    for (const compiled of rules) {
      if (!dynamicMatch(compiled.matcher, event) || !prefilter(compiled.matcher)) continue;
      if (!this.test(compiled, compiled.condition, bind)) continue;
      const once = compiled.correlation === undefined && event.auditID !== '';
      const onceKey = once ? `${compiled.rule.id}\u0000${event.auditID}` : '';
      if (once && this.alerted.has(onceKey)) continue;
      const now = this.now?.() ?? event.time;
      if (compiled.exceptions.some((exception) => (exception.expires === undefined || now < exception.expires) && this.test(compiled, exception.condition, bind))) continue;
      let correlationFields: Record<string, unknown> | undefined;
      if (compiled.correlation !== undefined) {
        correlationFields = this.correlate(compiled, compiled.correlation, event, bind);
        if (correlationFields === undefined) continue;
      }
      if (once) this.alerted.set(onceKey, true);
      alerts.push(this.alert(compiled, event, bind(), correlationFields));
    }
    if (this.tracksTokens) this.observeTokens(event);
    return alerts;
  }

  private alert(compiled: CompiledRule, event: AuditEvent, bindings: Record<string, unknown>, correlationFields: Record<string, unknown> | undefined): Alert {
    const rule = compiled.rule;
    const fields: Record<string, unknown> = {};
    for (const [name, program] of compiled.fields) {
      const result = program.evaluate(bindings);
      if (result.ok) fields[name] = celToJson(result.value);
      else this.recordError(compiled, result.error);
    }
    if (correlationFields !== undefined) Object.assign(fields, correlationFields);
    this.stats.get(rule.id)!.alerts++;
    const ref = event.objectRef;
    return {
      time: new Date(event.time).toISOString(),
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      mitre: rule.mitre,
      msThreatMatrix: rule.msThreatMatrix,
      message: this.text(compiled, compiled.output, bindings) ?? rule.title,
      fields,
      auditID: event.auditID,
      stage: event.stage,
      verb: event.verb,
      user: event.user.username,
      sourceIPs: event.sourceIPs,
      target: { resource: ref.resource, subresource: ref.subresource, namespace: ref.namespace, name: ref.name },
    };
  }
}
