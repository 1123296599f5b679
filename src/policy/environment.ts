/**
 * Versioned CEL environments as Kubernetes builds them
 * (k8s.io/apiserver/pkg/cel/environment/base.go): the Kubernetes version
 * decides which libraries exist, and an expression that calls a function its
 * version lacks does not compile, with a message that says from which version
 * it exists.
 *
 * @bufbuild/cel parses and evaluates; it has no type checker, so compilation
 * here checks syntax, declared variables and function names (per version),
 * and argument types are checked when the expression runs.
 */
import { celEnv, celFunc, CelScalar, isCelError, isCelList, isCelMap, listType, parse, plan, type CelEnv, type CelFunc, type CelValue } from '@bufbuild/cel';
import { create } from '@bufbuild/protobuf';
import { ExprSchema, type Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import type { Registry } from '@bufbuild/protobuf';
import { charge, CostLimitExceeded, CostMeter, PER_CALL_COST_LIMIT, withMeter, type CostBudget } from './cost.js';
import { isAvailable, type CelLibrary } from './library.js';
import { authzLibrary } from './libraries/authz.js';
import { comparisonMethods } from './libraries/compare.js';
import { formatLibrary } from './libraries/format.js';
import { cidrLibrary, ipLibrary } from './libraries/ip.js';
import { jsonPatchLibrary } from './libraries/jsonpatch.js';
import { extListsLibrary, kubernetesListsLibrary, setsLibrary } from './libraries/lists.js';
import { OpaqueValue } from './libraries/opaque.js';
import { optionalLibrary } from './libraries/optional.js';
import { quantityLibrary } from './libraries/quantity.js';
import { regexLibrary } from './libraries/regex.js';
import { semverLibrary } from './libraries/semver.js';
import { stringsV0Library, stringsV2Library } from './libraries/strings.js';
import { urlLibrary } from './libraries/url.js';
import { exprChildren, MacroError, MAP_INSERT, MAP_MERGE, OPT_CHAIN_INDEX, OPT_CHAIN_SELECT, OPT_INDEX, OPT_SELECT, PAIRS, qualifiedName, rewrite, TICK, TWO_VARIABLE_MACROS } from './rewrite.js';
import { CelOptional } from './libraries/optional.js';
import { preprocessOptionalSyntax } from './optionalSyntax.js';
import { compileClosures } from './interpreter.js';
import { inferTypes, type CelTypeName } from './typeCheck.js';
import { celTypeName } from './values.js';

/** The newest Kubernetes minor version whose CEL environment Rampart knows. `latest` resolves to it. */
export const LATEST_KUBERNETES_MINOR = 34;
/** ValidatingAdmissionPolicy appeared (alpha) in 1.26; older environments are still buildable for CRD rules. */
export const OLDEST_KUBERNETES_MINOR = 23;

const TWO_VARIABLE_COMPREHENSIONS_MINOR = 32;
const OPTIONAL_SYNTAX_MINOR = 28;

export const LIBRARIES: readonly CelLibrary[] = [
  urlLibrary,
  regexLibrary,
  kubernetesListsLibrary,
  authzLibrary,
  stringsV0Library,
  stringsV2Library,
  optionalLibrary,
  quantityLibrary,
  setsLibrary,
  ipLibrary,
  cidrLibrary,
  formatLibrary,
  semverLibrary,
  extListsLibrary,
  jsonPatchLibrary,
];

export interface KubernetesVersion {
  readonly major: 1;
  readonly minor: number;
  /** As the user wrote it, e.g. `latest`. */
  readonly requested: string;
}

/** `1.30`, `v1.30`, `1.30.2` or `latest`; undefined when it is none of these. */
export function parseKubernetesVersion(text: string): KubernetesVersion | undefined {
  if (text === 'latest') return { major: 1, minor: LATEST_KUBERNETES_MINOR, requested: text };
  const match = /^v?1\.(\d+)(?:\.\d+)?$/.exec(text);
  if (match === null) return undefined;
  const minor = Number(match[1]);
  if (minor < OLDEST_KUBERNETES_MINOR) return undefined;
  return { major: 1, minor: Math.min(minor, LATEST_KUBERNETES_MINOR), requested: text };
}

export function formatVersion(version: KubernetesVersion): string {
  return `1.${version.minor}`;
}

export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export interface CompileError {
  readonly message: string;
  readonly position: SourcePosition;
}

export type EvalResult = { readonly ok: true; readonly value: CelValue; readonly cost: number } | { readonly ok: false; readonly error: string; readonly cost: number; readonly costExceeded: boolean; readonly position?: SourcePosition };

export interface EvalOptions {
  readonly budget?: CostBudget;
  readonly perCallLimit?: number;
}

export interface Program {
  readonly source: string;
  /** Which evaluator runs it: Rampart's closure compiler, or @bufbuild/cel's planner (protobuf CEL and the shapes the compiler leaves out). */
  readonly engine: 'closures' | 'planner';
  /** The result type inferred at compile time (typeCheck.ts); `dyn` when it depends on the data. */
  readonly outputType: CelTypeName;
  evaluate(bindings: Readonly<Record<string, unknown>>, options?: EvalOptions): EvalResult;
}

export type CompileResult = { readonly ok: true; readonly program: Program } | { readonly ok: false; readonly errors: readonly CompileError[] };

export interface CompileOptions {
  /** Variables the expression may use (`object`, `params`, …). */
  readonly variables: readonly string[];
  /** Names under `variables.` (VAP composition); undefined: no check. */
  readonly variableNames?: readonly string[];
  /**
   * Protobuf messages and a container namespace, for the CEL conformance
   * suite only (Kubernetes CEL has no messages). Identifiers are then not
   * checked at compile time, as they may name types and enum values.
   */
  readonly protobuf?: { readonly registry: Registry; readonly container: string };
  /** Inferred types of `variables.<name>` (VAP composition, earlier variables), for the type check. */
  readonly variableTypes?: ReadonlyMap<string, CelTypeName>;
  /** Evaluate with @bufbuild/cel's planner instead of Rampart's closure compiler (tests compare the two). */
  readonly planner?: boolean;
}

function positionOf(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < source.length; index++) {
    if (source[index] === '\n') {
      line++;
      lineStart = index + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/**
 * `@host()` runs the closure-compiled evaluation (interpreter.ts) inside a
 * one-call @bufbuild/cel program, because only its evaluation context lets
 * its equality compare timestamps and durations. Nested evaluations (a
 * variable evaluated inside an expression) save and restore the task.
 */
const HOST = '@host';
let hostTask: (() => unknown) | undefined;
let hostResult: unknown;
/** How many host runs are active: inside one, the evaluation context is already set. */
let hostDepth = 0;

/** Internal functions the rewrites and the opaque types need, present in every version. */
function internalFunctions(): CelFunc[] {
  const { BOOL, DYN, STRING } = CelScalar;
  return [
    celFunc(HOST, [], BOOL, () => {
      const task = hostTask;
      hostResult = task === undefined ? undefined : task();
      return true;
    }),
    celFunc(TICK, [DYN], DYN, (value) => {
      charge(1);
      return value;
    }),
    celFunc(PAIRS, [DYN], listType(DYN), (range) => {
      if (isCelList(range)) return Array.from(range, (item, index) => [BigInt(index), item]);
      if (isCelMap(range)) return Array.from(range.entries(), ([key, value]) => [key, value]);
      throw new Error(`type mismatch: iterable vs ${celTypeName(range)}`);
    }),
    celFunc(MAP_INSERT, [DYN, DYN, DYN], DYN, (map, key, value) => {
      if (!isCelMap(map)) throw new Error('internal: accumulator is not a map');
      if (map.has(key as never)) throw new Error(`insert failed: key ${String(key)} already exists`);
      return new Map<unknown, unknown>([...map.entries(), [key, value]]) as never;
    }),
    celFunc(MAP_MERGE, [DYN, DYN], DYN, (map, entries) => {
      if (!isCelMap(map) || !isCelMap(entries)) throw new Error(`transformMapEntry: the expression must give a map, not ${celTypeName(entries)}`);
      const merged = new Map<unknown, unknown>(map.entries());
      for (const [key, value] of entries.entries()) {
        if (merged.has(key)) throw new Error(`insert failed: key ${String(key)} already exists`);
        merged.set(key, value);
      }
      return merged as never;
    }),
    celFunc(OPT_SELECT, [DYN, DYN], DYN, (target, field) => optionalLookup(target, field, 'select')),
    celFunc(OPT_INDEX, [DYN, DYN], DYN, (target, key) => optionalLookup(target, key, 'index')),
    celFunc(OPT_CHAIN_SELECT, [DYN, DYN], DYN, (target, field) => optionalChain(target, field)),
    celFunc(OPT_CHAIN_INDEX, [DYN, DYN], DYN, (target, key) => optionalChain(target, key)),
    // string(ip), string(cidr), string(url), string(quantity), string(semver): std overloads come first, so this only sees what they refuse.
    celFunc('string', [DYN], STRING, (value) => {
      if (value instanceof OpaqueValue) return value.celString();
      throw new Error(`found no matching overload for 'string' applied to '(${celTypeName(value)})'`);
    }),
  ];
}

/**
 * Every function call costs one unit (cel-go's default per-call cost). The
 * planner reads `env.funcs` once, so an environment whose resolver charges
 * before dispatching is enough; the libraries add size-dependent costs.
 */
function withCallCost(env: CelEnv): CelEnv {
  const inner = env.funcs;
  const groups = new Map<string, ReturnType<typeof inner.find>>();
  const funcs = {
    [Symbol.iterator]: () => inner[Symbol.iterator](),
    find(name: string) {
      if (groups.has(name)) return groups.get(name);
      const group = inner.find(name);
      const charged =
        group === undefined || name === TICK || name === HOST
          ? group
          : {
              name: group.name,
              [Symbol.iterator]: () => group[Symbol.iterator](),
              call(id: number, target: CelValue | undefined, args: CelValue[]) {
                charge(1);
                return group.call(id, target, args);
              },
            };
      groups.set(name, charged);
      return charged;
    },
  };
  return Object.create(env, { funcs: { value: funcs } }) as CelEnv;
}

/** `a.?b` / `a[?k]`: optional.of(the value) when present, optional.none() when absent; an optional target is unwrapped first. */
function optionalLookup(target: CelValue, key: CelValue, how: 'select' | 'index'): CelOptional {
  let container: unknown = target;
  if (target instanceof CelOptional) {
    if (target.inner === undefined) return CelOptional.none;
    container = target.inner;
  }
  if (isCelList(container) && how === 'index') {
    const position = typeof key === 'bigint' ? Number(key) : typeof key === 'number' && Number.isInteger(key) ? key : NaN;
    if (Number.isNaN(position)) throw new Error(`unsupported index type: ${celTypeName(key)}`);
    const item = container.get(position);
    return item === undefined ? CelOptional.none : CelOptional.of(item);
  }
  if (isCelMap(container)) {
    const value = container.get(key as never);
    return value === undefined ? CelOptional.none : CelOptional.of(value);
  }
  throw new Error(`no such overload: optional ${how} on ${celTypeName(container)}`);
}

/** A select or index after an optional one: applied inside the optional; none stays none, and so does a missing key. */
function optionalChain(target: CelValue, key: CelValue): CelOptional {
  if (!(target instanceof CelOptional)) throw new Error(`no such overload: optional chain on ${celTypeName(target)}`);
  return target.lookup(key);
}

interface VersionedEnvironment {
  readonly env: CelEnv;
  readonly minor: number;
  /** Runs a task inside @bufbuild/cel's evaluation context and gives its result (a value or a CelError). */
  readonly inContext: (task: () => unknown) => unknown;
}

function hostRunner(env: CelEnv): (task: () => unknown) => unknown {
  const run = plan(env, create(ExprSchema, { id: 1n, exprKind: { case: 'callExpr', value: { function: HOST, args: [] } } })) as unknown as (bindings: Record<string, unknown>) => unknown;
  return (task) => {
    if (hostDepth > 0) return task();
    const previous = hostTask;
    hostTask = task;
    hostDepth++;
    try {
      const outcome = run({});
      return isCelError(outcome) ? outcome : hostResult;
    } finally {
      hostTask = previous;
      hostDepth--;
    }
  };
}

/**
 * Runs `task` (many expression evaluations, e.g. one admission request)
 * inside one @bufbuild/cel evaluation context instead of one per expression.
 * Exceptions from `task` propagate.
 */
export function inCelContext<T>(task: () => T): T {
  if (hostDepth > 0) return task();
  let failure: { error: unknown } | undefined;
  const result = environmentFor(LATEST_KUBERNETES_MINOR).inContext(() => {
    try {
      return task();
    } catch (error) {
      failure = { error };
      return undefined;
    }
  });
  if (failure !== undefined) throw failure.error;
  return result as T;
}

const environments = new Map<number, VersionedEnvironment>();

function environmentFor(minor: number, protobuf?: CompileOptions['protobuf']): VersionedEnvironment {
  const cached = protobuf === undefined ? environments.get(minor) : undefined;
  if (cached !== undefined) return cached;
  const libraries = LIBRARIES.filter((library) => isAvailable(library, minor));
  const funcs = [
    ...libraries.flatMap((library) => library.functions),
    ...comparisonMethods({ quantity: minor >= quantityLibrary.introducedIn, semver: minor >= semverLibrary.introducedIn }),
    ...internalFunctions(),
  ];
  const env = withCallCost(celEnv({ funcs, ...(protobuf ? { registry: protobuf.registry, namespace: protobuf.container } : {}) }));
  const environment = { env, minor, inContext: hostRunner(env) };
  if (protobuf === undefined) environments.set(minor, environment);
  return environment;
}

/** Which library brings `name`, and from which version, for "not available in 1.N" messages. */
function libraryProviding(name: string): CelLibrary | undefined {
  return LIBRARIES.find((library) => library.functions.some((fn) => fn.name === name));
}

/** Type names CEL resolves as identifiers (`type(x) == int`). */
const BUILTIN_IDENTIFIERS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'google']);

function isInternalName(name: string): boolean {
  return name.startsWith('@') || name.startsWith('_') || name === '!_' || name === '-_';
}

class ReferenceChecker {
  readonly errors: CompileError[] = [];
  constructor(
    private readonly environment: VersionedEnvironment,
    private readonly source: string,
    private readonly positions: Record<string, number>,
    private readonly options: CompileOptions,
  ) {}

  private error(expr: Expr, message: string): void {
    this.errors.push({ message, position: positionOf(this.source, this.positions[expr.id.toString()] ?? 0) });
  }

  private functionExists(name: string): boolean {
    return this.environment.env.funcs.find(name) !== undefined;
  }

  private missingFunction(expr: Expr, name: string, receiver: boolean): void {
    const library = libraryProviding(name);
    const version = `Kubernetes 1.${this.environment.minor}`;
    if (library !== undefined && !isAvailable(library, this.environment.minor)) {
      const when = library.removedIn !== undefined && this.environment.minor >= library.removedIn ? `was replaced in 1.${library.removedIn}` : `was added in 1.${library.introducedIn}`;
      this.error(expr, `function '${name}' is not available in ${version}: the ${library.name} library ${when}`);
    } else if (TWO_VARIABLE_MACROS.has(name) && receiver) {
      this.error(expr, `undeclared reference to '${name}': wrong number of arguments for the macro`);
    } else {
      this.error(expr, `undeclared reference to '${name}'${receiver ? ' (method)' : ''}`);
    }
  }

  check(expr: Expr, scope: ReadonlySet<string>): void {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'identExpr':
        if (this.options.protobuf !== undefined) return;
        if (!scope.has(kind.value.name) && !this.options.variables.includes(kind.value.name) && !BUILTIN_IDENTIFIERS.has(kind.value.name)) this.error(expr, `undeclared reference to '${kind.value.name}'`);
        return;
      case 'selectExpr': {
        const operand = kind.value.operand;
        if (
          this.options.variableNames !== undefined &&
          operand?.exprKind.case === 'identExpr' &&
          operand.exprKind.value.name === 'variables' &&
          !scope.has('variables') &&
          !this.options.variableNames.includes(kind.value.field)
        ) {
          this.error(expr, `undefined field '${kind.value.field}': no variable of that name is declared in spec.variables`);
        }
        if (operand !== undefined) this.check(operand, scope);
        return;
      }
      case 'callExpr': {
        const call = kind.value;
        const name = call.function;
        if (call.target !== undefined) {
          const qualifier = qualifiedName(call.target);
          if (qualifier !== undefined && !scope.has(qualifier.split('.')[0] ?? '') && !this.options.variables.includes(qualifier.split('.')[0] ?? '')) {
            const qualified = `${qualifier}.${name}`;
            if (this.functionExists(qualified)) {
              for (const arg of call.args) this.check(arg, scope);
              return;
            }
            if (libraryProviding(qualified) !== undefined) {
              this.missingFunction(expr, qualified, false);
              for (const arg of call.args) this.check(arg, scope);
              return;
            }
          }
          this.check(call.target, scope);
        }
        if (!isInternalName(name) && !this.functionExists(name)) this.missingFunction(expr, name, call.target !== undefined);
        for (const arg of call.args) this.check(arg, scope);
        return;
      }
      case 'comprehensionExpr': {
        const c = kind.value;
        if (c.iterRange) this.check(c.iterRange, scope);
        if (c.accuInit) this.check(c.accuInit, scope);
        const loopScope = new Set([...scope, c.iterVar, c.accuVar]);
        if (c.loopCondition) this.check(c.loopCondition, loopScope);
        if (c.loopStep) this.check(c.loopStep, loopScope);
        if (c.result) this.check(c.result, new Set([...scope, c.accuVar]));
        return;
      }
      default:
        for (const child of exprChildren(expr)) this.check(child, scope);
    }
  }
}

interface ParseFailure {
  message: string;
  offset: number;
}

function parseFailure(error: unknown, source: string): ParseFailure {
  const location = (error as { location?: { start?: { offset?: number } } }).location;
  const offset = location?.start?.offset ?? 0;
  let message = error instanceof Error ? error.message.replace(/^<input>:\d+:\d+: /, '') : String(error);
  if (/\[\s*\?|\{\s*\?/.test(source)) message += " (optional list and map entries '[?x]', '{?k: v}' are not supported by Rampart's CEL parser; '.?field' and 'x[?key]' are)";
  message = `Syntax error: ${message}`;
  return { message, offset };
}

export function compile(source: string, version: KubernetesVersion, options: CompileOptions): CompileResult {
  const environment = environmentFor(version.minor, options.protobuf);
  const preprocessed = preprocessOptionalSyntax(source);
  let parsed;
  try {
    parsed = parse(preprocessed.text);
  } catch (error) {
    const failure = parseFailure(error, source);
    return { ok: false, errors: [{ message: failure.message, position: positionOf(source, preprocessed.toOriginal(failure.offset)) }] };
  }
  if (preprocessed.usesOptionalSyntax && version.minor < OPTIONAL_SYNTAX_MINOR) {
    const offset = Math.max(source.indexOf('.?'), source.indexOf('[?'));
    return { ok: false, errors: [{ message: `optional syntax ('.?', '[?') is not available in Kubernetes 1.${version.minor}: optional types were added in 1.${OPTIONAL_SYNTAX_MINOR}`, position: positionOf(source, Math.max(0, offset)) }] };
  }
  const positions: Record<string, number> = {};
  for (const [id, offset] of Object.entries(parsed.sourceInfo?.positions ?? {})) positions[id] = preprocessed.toOriginal(offset);
  let root: Expr;
  try {
    root = rewrite(parsed.expr, version.minor >= TWO_VARIABLE_COMPREHENSIONS_MINOR);
  } catch (error) {
    if (error instanceof MacroError) {
      return {
        ok: false,
        errors: [{ message: `${error.message} is not available in Kubernetes 1.${version.minor}: two-variable comprehensions were added in 1.${TWO_VARIABLE_COMPREHENSIONS_MINOR}`, position: positionOf(source, positions[error.exprId.toString()] ?? 0) }],
      };
    }
    throw error;
  }
  const checker = new ReferenceChecker(environment, source, positions, options);
  checker.check(root, new Set());
  if (checker.errors.length > 0) return { ok: false, errors: checker.errors };
  // Protobuf CEL (the conformance suite) expects some of these as evaluation errors, so it is not type-checked.
  const types = options.protobuf === undefined ? inferTypes(root, options.variableTypes) : { outputType: 'dyn' as const, errors: [] };
  if (types.errors.length > 0) return { ok: false, errors: types.errors.map((error) => ({ message: error.message, position: positionOf(source, positions[error.exprId.toString()] ?? 0) })) };
  // Kubernetes CEL runs on Rampart's closure compiler; protobuf CEL (the conformance suite) and shapes it leaves out run on @bufbuild/cel's planner.
  let run: (bindings: Readonly<Record<string, unknown>>) => unknown;
  const closures = options.protobuf === undefined && !options.planner ? compileClosures(root, environment.env, options.variables, environment.inContext) : undefined;
  if (closures !== undefined) run = closures;
  else {
    try {
      const planned = plan(environment.env, root) as unknown as (bindings: Record<string, unknown>) => unknown;
      run = (bindings) => planned({ ...bindings });
    } catch (error) {
      return { ok: false, errors: [{ message: error instanceof Error ? error.message : String(error), position: positionOf(source, 0) }] };
    }
  }
  const program: Program = {
    source,
    engine: closures !== undefined ? 'closures' : 'planner',
    outputType: types.outputType,
    evaluate(bindings, evalOptions = {}) {
      const meter = new CostMeter(evalOptions.perCallLimit ?? PER_CALL_COST_LIMIT, evalOptions.budget);
      let value: unknown;
      try {
        value = withMeter(meter, run, bindings);
      } catch (error) {
        if (error instanceof CostLimitExceeded) return { ok: false, error: error.message, cost: meter.spent, costExceeded: true };
        return { ok: false, error: error instanceof Error ? error.message : String(error), cost: meter.spent, costExceeded: false };
      }
      // `||` and `&&` absorb errors, so a cost error may hide behind a value: the meter has the last word.
      if (meter.exceeded !== undefined) return { ok: false, error: meter.exceeded.message, cost: meter.spent, costExceeded: true };
      if (isCelError(value)) {
        const offset = value.exprId !== undefined ? positions[value.exprId.toString()] : undefined;
        const cause = value.cause instanceof CostLimitExceeded ? value.cause : undefined;
        return {
          ok: false,
          error: cause?.message ?? value.message,
          cost: meter.spent,
          costExceeded: cause !== undefined,
          ...(offset !== undefined ? { position: positionOf(source, offset) } : {}),
        };
      }
      return { ok: true, value: value as CelValue, cost: meter.spent };
    },
  };
  return { ok: true, program };
}
