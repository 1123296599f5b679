/**
 * Compile-time type inference for Kubernetes CEL, for the errors the API
 * server gives when a policy is created: a validation that is not bool, a
 * messageExpression that is not string, `'a' + 1`.
 *
 * Why Rampart's own: @bufbuild/cel 0.6 ships a `Checker` that handles only
 * constants and identifiers (it throws on any other expression) and does not
 * export it, so there is nothing to build on for calls, selections or macros.
 * This is not cel-go's checker: it infers a type only where it is certain
 * (literals, operators, comparisons, conversions, macros, the string and
 * list methods Kubernetes enables, and `variables.x` from x's own
 * expression); everything else is `dyn` and never reported. So every error
 * it reports is one Kubernetes reports too, and some Kubernetes errors
 * (schema-typed fields, dyn results) are not reported.
 */
import type { Constant, Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { TICK } from './rewrite.js';

/** A CEL type as far as Rampart infers it. `dyn`: unknown. */
export type CelTypeName = 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null_type' | 'list' | 'map' | 'type' | 'timestamp' | 'duration' | 'dyn';

interface Inferred {
  readonly type: CelTypeName;
  /** Element type of a list, when known. */
  readonly element?: CelTypeName;
}

const DYN: Inferred = { type: 'dyn' };
const BOOL: Inferred = { type: 'bool' };
const INT: Inferred = { type: 'int' };
const STRING: Inferred = { type: 'string' };

export interface TypeError {
  readonly exprId: bigint;
  readonly message: string;
}

/** Functions and methods whose result type does not depend on their arguments. */
const RESULT_TYPES: Readonly<Record<string, Inferred>> = {
  size: INT,
  string: STRING,
  int: INT,
  uint: { type: 'uint' },
  double: { type: 'double' },
  bool: BOOL,
  bytes: { type: 'bytes' },
  type: { type: 'type' },
  timestamp: { type: 'timestamp' },
  duration: { type: 'duration' },
  startsWith: BOOL,
  endsWith: BOOL,
  contains: BOOL,
  matches: BOOL,
  join: STRING,
  lowerAscii: STRING,
  upperAscii: STRING,
  trim: STRING,
  replace: STRING,
  substring: STRING,
  charAt: STRING,
  format: STRING,
  quote: STRING,
  indexOf: INT,
  lastIndexOf: INT,
  split: { type: 'list', element: 'string' },
  '_==_': BOOL,
  '_!=_': BOOL,
  '_<_': BOOL,
  '_<=_': BOOL,
  '_>_': BOOL,
  '_>=_': BOOL,
  '@in': BOOL,
  '!_': BOOL,
  '_&&_': BOOL,
  '_||_': BOOL,
  '@not_strictly_false': BOOL,
};

const ARITHMETIC = new Set(['_+_', '_-_', '_*_', '_/_', '_%_']);
/** Operand types each arithmetic operator accepts, from the CEL standard library's overloads. */
const ARITHMETIC_OVERLOADS: Readonly<Record<string, readonly (readonly [CelTypeName, CelTypeName, CelTypeName])[]>> = {
  '_+_': [
    ['int', 'int', 'int'],
    ['uint', 'uint', 'uint'],
    ['double', 'double', 'double'],
    ['string', 'string', 'string'],
    ['bytes', 'bytes', 'bytes'],
    ['list', 'list', 'list'],
    ['duration', 'duration', 'duration'],
    ['timestamp', 'duration', 'timestamp'],
    ['duration', 'timestamp', 'timestamp'],
  ],
  '_-_': [
    ['int', 'int', 'int'],
    ['uint', 'uint', 'uint'],
    ['double', 'double', 'double'],
    ['timestamp', 'timestamp', 'duration'],
    ['timestamp', 'duration', 'timestamp'],
    ['duration', 'duration', 'duration'],
  ],
  '_*_': [
    ['int', 'int', 'int'],
    ['uint', 'uint', 'uint'],
    ['double', 'double', 'double'],
  ],
  '_/_': [
    ['int', 'int', 'int'],
    ['uint', 'uint', 'uint'],
    ['double', 'double', 'double'],
  ],
  '_%_': [
    ['int', 'int', 'int'],
    ['uint', 'uint', 'uint'],
  ],
};

function constantType(value: Constant): Inferred {
  switch (value.constantKind.case) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
      return INT;
    case 'uint64Value':
      return { type: 'uint' };
    case 'doubleValue':
      return { type: 'double' };
    case 'stringValue':
      return STRING;
    case 'bytesValue':
      return { type: 'bytes' };
    case 'nullValue':
      return { type: 'null_type' };
    default:
      return DYN;
  }
}

const TYPE_NAMES = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);

class Inference {
  readonly errors: TypeError[] = [];
  constructor(private readonly variableTypes: ReadonlyMap<string, CelTypeName>) {}

  infer(expr: Expr, scope: ReadonlyMap<string, Inferred>): Inferred {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return constantType(kind.value);
      case 'identExpr':
        return scope.get(kind.value.name) ?? (TYPE_NAMES.has(kind.value.name) ? { type: 'type' } : DYN);
      case 'selectExpr': {
        const operand = kind.value.operand;
        if (operand !== undefined) this.infer(operand, scope);
        if (kind.value.testOnly) return BOOL;
        if (operand?.exprKind.case === 'identExpr' && operand.exprKind.value.name === 'variables' && !scope.has('variables')) {
          const type = this.variableTypes.get(kind.value.field);
          return type === undefined ? DYN : { type };
        }
        return DYN;
      }
      case 'listExpr': {
        const elements = kind.value.elements.map((element) => this.infer(element, scope).type);
        const first = elements[0];
        return { type: 'list', ...(first !== undefined && first !== 'dyn' && elements.every((element) => element === first) ? { element: first } : {}) };
      }
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.infer(entry.keyKind.value, scope);
          if (entry.value !== undefined) this.infer(entry.value, scope);
        }
        return kind.value.messageName === '' ? { type: 'map' } : DYN;
      case 'comprehensionExpr': {
        const c = kind.value;
        const range = c.iterRange === undefined ? DYN : this.infer(c.iterRange, scope);
        const accumulator = c.accuInit === undefined ? DYN : this.infer(c.accuInit, scope);
        const item: Inferred = range.type === 'list' && range.element !== undefined ? { type: range.element } : DYN;
        const withAccu = new Map(scope).set(c.accuVar, accumulator);
        const inLoop = new Map(withAccu).set(c.iterVar, item);
        if (c.loopCondition !== undefined) this.infer(c.loopCondition, inLoop);
        const step = c.loopStep === undefined ? DYN : this.infer(c.loopStep, inLoop);
        // The accumulator keeps its type only when every step gives the same (e.g. `all`: bool, `map`: list).
        const settled = step.type === accumulator.type ? { type: accumulator.type } : DYN;
        return c.result === undefined ? DYN : this.infer(c.result, new Map(scope).set(c.accuVar, settled));
      }
      case 'callExpr':
        return this.call(expr, scope);
      default:
        return DYN;
    }
  }

  private call(expr: Expr, scope: ReadonlyMap<string, Inferred>): Inferred {
    if (expr.exprKind.case !== 'callExpr') return DYN;
    const call = expr.exprKind.value;
    const target = call.target === undefined ? undefined : this.infer(call.target, scope);
    const args = call.args.map((arg) => this.infer(arg, scope));
    const name = call.function;
    if (ARITHMETIC.has(name) && target === undefined && args.length === 2) {
      const [left, right] = args as [Inferred, Inferred];
      if (left.type === 'dyn' || right.type === 'dyn') return name === '_+_' && (left.type === 'string' || right.type === 'string') && (left.type === 'dyn' || right.type === 'dyn') ? STRING : DYN;
      const overload = (ARITHMETIC_OVERLOADS[name] ?? []).find(([a, b]) => a === left.type && b === right.type);
      if (overload === undefined) {
        this.errors.push({ exprId: expr.id, message: `found no matching overload for '${name}' applied to '(${left.type}, ${right.type})'` });
        return DYN;
      }
      return overload[2] === 'list' ? { type: 'list', ...(left.element !== undefined && left.element === right.element ? { element: left.element } : {}) } : { type: overload[2] };
    }
    if (name === '_?_:_' && args.length === 3) {
      const [, whenTrue, whenFalse] = args as [Inferred, Inferred, Inferred];
      return whenTrue.type === whenFalse.type ? whenTrue : DYN;
    }
    if (name === '_[_]' && args.length === 2) {
      const [operand] = args as [Inferred, Inferred];
      return operand.type === 'list' && operand.element !== undefined ? { type: operand.element } : DYN;
    }
    if (name === '-_' && args.length === 1) return args[0]?.type === 'int' || args[0]?.type === 'double' ? (args[0] as Inferred) : DYN;
    if (name === TICK) return args[0] ?? DYN;
    if (name === 'dyn') return DYN;
    return Object.hasOwn(RESULT_TYPES, name) ? (RESULT_TYPES[name] as Inferred) : DYN;
  }
}

export interface TypeCheckResult {
  readonly outputType: CelTypeName;
  readonly errors: readonly TypeError[];
}

/** Infers the type of `root` (after Rampart's rewrites); `variableTypes` are the types of `variables.<name>` so far. */
export function inferTypes(root: Expr, variableTypes: ReadonlyMap<string, CelTypeName> = new Map()): TypeCheckResult {
  const inference = new Inference(variableTypes);
  const output = inference.infer(root, new Map());
  return { outputType: output.type, errors: inference.errors };
}

/** The API server's create-time check of a field's result type: an error message, or undefined when `type` is allowed or unknown. */
export function resultTypeProblem(type: CelTypeName, allowed: readonly CelTypeName[]): string | undefined {
  if (type === 'dyn' || allowed.includes(type)) return undefined;
  return allowed.length === 1 ? `must evaluate to ${allowed[0]} but got ${type}` : `must evaluate to one of [${allowed.join(' ')}] but got ${type}`;
}
