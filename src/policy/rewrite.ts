/**
 * AST rewrites applied after parsing, before planning:
 * - two-variable comprehensions (`all(i, v, p)`, `exists`, `existsOne`,
 *   `transformList`, `transformMap`, `transformMapEntry`; Kubernetes 1.32+),
 *   which @bufbuild/cel's parser leaves as plain calls, become one-variable
 *   folds over `[key, value]` pairs with the two names bound per iteration;
 * - every comprehension's loop condition is wrapped in `@tick`, which charges
 *   the cost budget once per iteration, so a hostile loop is stopped.
 */
import { create } from '@bufbuild/protobuf';
import { ExprSchema, type Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { OPTIONAL_FIELD_SUFFIX, OPTIONAL_INDEX_MARK } from './optionalSyntax.js';

export const TWO_VARIABLE_MACROS = new Set(['all', 'exists', 'existsOne', 'transformList', 'transformMap', 'transformMapEntry']);
export const TICK = '@tick';
export const PAIRS = '@pairs';
export const MAP_INSERT = '@mapInsert';
export const MAP_MERGE = '@mapMerge';
export const OPT_SELECT = '@optSelect';
export const OPT_INDEX = '@optIndex';
export const OPT_CHAIN_SELECT = '@optChainSelect';
export const OPT_CHAIN_INDEX = '@optChainIndex';
const OPTIONAL_RESULTS = new Set([OPT_SELECT, OPT_INDEX, OPT_CHAIN_SELECT, OPT_CHAIN_INDEX]);
const RESULT = '@result';
const ITEM = '@item';

export class MacroError extends Error {
  constructor(
    message: string,
    readonly exprId: bigint,
  ) {
    super(message);
  }
}

class Builder {
  constructor(private nextId: bigint) {}
  private id(): bigint {
    this.nextId += 1n;
    return this.nextId;
  }
  ident(name: string): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'identExpr', value: { name } } });
  }
  int(value: bigint): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'constExpr', value: { constantKind: { case: 'int64Value', value } } } });
  }
  bool(value: boolean): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'constExpr', value: { constantKind: { case: 'boolValue', value } } } });
  }
  string(value: string): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'constExpr', value: { constantKind: { case: 'stringValue', value } } } });
  }
  /** `id` keeps the position of the expression this call replaces, for runtime error positions. */
  call(fn: string, args: Expr[], id?: bigint): Expr {
    return create(ExprSchema, { id: id ?? this.id(), exprKind: { case: 'callExpr', value: { function: fn, args } } });
  }
  method(target: Expr, fn: string, args: Expr[]): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'callExpr', value: { target, function: fn, args } } });
  }
  list(elements: Expr[]): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'listExpr', value: { elements } } });
  }
  map(): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'structExpr', value: { messageName: '', entries: [] } } });
  }
  fold(parts: { iterVar: string; iterRange: Expr; accuVar: string; accuInit: Expr; loopCondition: Expr; loopStep: Expr; result: Expr }): Expr {
    return create(ExprSchema, { id: this.id(), exprKind: { case: 'comprehensionExpr', value: { ...parts, iterVar2: '' } } });
  }
  /** `name` bound to `value` inside `body` (how cel.bind expands). */
  bind(name: string, value: Expr, body: Expr): Expr {
    return this.fold({ iterVar: '#unused', iterRange: this.list([]), accuVar: name, accuInit: value, loopCondition: this.bool(false), loopStep: this.ident(name), result: body });
  }
}

function maxId(expr: Expr | undefined): bigint {
  if (expr === undefined) return 0n;
  let max = expr.id;
  for (const child of children(expr)) {
    const childMax = maxId(child);
    if (childMax > max) max = childMax;
  }
  return max;
}

function children(expr: Expr): Expr[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'callExpr':
      return [...(kind.value.target ? [kind.value.target] : []), ...kind.value.args];
    case 'selectExpr':
      return kind.value.operand ? [kind.value.operand] : [];
    case 'listExpr':
      return kind.value.elements;
    case 'structExpr':
      return kind.value.entries.flatMap((entry) => [...(entry.keyKind.case === 'mapKey' ? [entry.keyKind.value] : []), ...(entry.value ? [entry.value] : [])]);
    case 'comprehensionExpr': {
      const c = kind.value;
      return [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result].filter((part): part is Expr => part !== undefined);
    }
    default:
      return [];
  }
}

export { children as exprChildren };

function identName(expr: Expr | undefined): string | undefined {
  return expr?.exprKind.case === 'identExpr' ? expr.exprKind.value.name : undefined;
}

function isOptionalResult(expr: Expr): boolean {
  return expr.exprKind.case === 'callExpr' && OPTIONAL_RESULTS.has(expr.exprKind.value.function);
}

/** Rewrites in place and returns the new root. `twoVariable` is false when the Kubernetes version lacks them. */
export function rewrite(root: Expr, twoVariable: boolean): Expr {
  const builder = new Builder(maxId(root) + 1000n);
  const visit = (expr: Expr): Expr => {
    const kind = expr.exprKind;
    if (kind.case === 'selectExpr' && kind.value.operand !== undefined && !kind.value.testOnly) {
      const operand = visit(kind.value.operand);
      const field = kind.value.field;
      // `a.?b` (preprocessed to `a.b__rampart_opt__`); a select after an optional one stays in the optional chain.
      if (field.endsWith(OPTIONAL_FIELD_SUFFIX)) return builder.call(OPT_SELECT, [operand, builder.string(field.slice(0, -OPTIONAL_FIELD_SUFFIX.length))], expr.id);
      if (isOptionalResult(operand)) return builder.call(OPT_CHAIN_SELECT, [operand, builder.string(field)], expr.id);
      kind.value.operand = operand;
      return expr;
    }
    if (kind.case === 'callExpr') {
      const call = kind.value;
      if (call.target !== undefined) call.target = visit(call.target);
      call.args = call.args.map(visit);
      if (call.function === '_[_]' && call.args.length === 2) {
        const [operand, key] = call.args as [Expr, Expr];
        if (key.exprKind.case === 'callExpr' && key.exprKind.value.function === OPTIONAL_INDEX_MARK && key.exprKind.value.target === undefined && key.exprKind.value.args.length === 1) {
          return builder.call(OPT_INDEX, [operand, key.exprKind.value.args[0] as Expr], expr.id);
        }
        if (isOptionalResult(operand)) return builder.call(OPT_CHAIN_INDEX, [operand, key], expr.id);
      }
      if (call.target !== undefined && (call.function === 'optMap' || call.function === 'optFlatMap') && call.args.length === 2 && identName(call.args[0]) !== undefined) {
        const target = call.target;
        const name = identName(call.args[0]) ?? '';
        const body = builder.bind(name, builder.method(target, 'value', []), call.args[1] as Expr);
        const some = call.function === 'optMap' ? builder.method(builder.ident('optional'), 'of', [body]) : body;
        return builder.call('_?_:_', [builder.method(target, 'hasValue', []), some, builder.method(builder.ident('optional'), 'none', [])], expr.id);
      }
      if (call.target !== undefined && TWO_VARIABLE_MACROS.has(call.function) && call.args.length >= 3 && identName(call.args[0]) !== undefined && identName(call.args[1]) !== undefined) {
        if (!twoVariable) throw new MacroError(`two-variable comprehension ${call.function}(${identName(call.args[0])}, ${identName(call.args[1])}, ...)`, expr.id);
        return expandTwoVariable(builder, expr.id, call.function, call.target, call.args);
      }
      return expr;
    }
    if (kind.case === 'selectExpr' && kind.value.operand) kind.value.operand = visit(kind.value.operand);
    else if (kind.case === 'listExpr') kind.value.elements = kind.value.elements.map(visit);
    else if (kind.case === 'structExpr') {
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') entry.keyKind.value = visit(entry.keyKind.value);
        if (entry.value) entry.value = visit(entry.value);
      }
    } else if (kind.case === 'comprehensionExpr') {
      const c = kind.value;
      if (c.iterRange) c.iterRange = visit(c.iterRange);
      if (c.accuInit) c.accuInit = visit(c.accuInit);
      if (c.loopStep) c.loopStep = visit(c.loopStep);
      if (c.result) c.result = visit(c.result);
      if (c.loopCondition) c.loopCondition = builder.call(TICK, [visit(c.loopCondition)]);
    }
    return expr;
  };
  return visit(root);
}

function expandTwoVariable(b: Builder, id: bigint, macro: string, range: Expr, args: Expr[]): Expr {
  const first = identName(args[0]) ?? '';
  const second = identName(args[1]) ?? '';
  const withNames = (body: Expr): Expr => b.bind(first, b.call('_[_]', [b.ident(ITEM), b.int(0n)]), b.bind(second, b.call('_[_]', [b.ident(ITEM), b.int(1n)]), body));
  const accu = (): Expr => b.ident(RESULT);
  const filter = args.length === 4 ? args[2] : undefined;
  const body = args.length === 4 ? (args[3] as Expr) : (args[2] as Expr);
  if (args.length > 4 || (args.length === 4 && !macro.startsWith('transform'))) throw new MacroError(`${macro} takes ${macro.startsWith('transform') ? '3 or 4' : '3'} arguments`, id);
  const guarded = (step: Expr): Expr => (filter === undefined ? step : b.call('_?_:_', [filter, step, accu()]));
  let accuInit: Expr;
  let condition: Expr = b.bool(true);
  let step: Expr;
  let result: Expr = accu();
  switch (macro) {
    case 'all':
      accuInit = b.bool(true);
      condition = b.call('@not_strictly_false', [accu()]);
      step = b.call('_&&_', [accu(), body]);
      break;
    case 'exists':
      accuInit = b.bool(false);
      condition = b.call('@not_strictly_false', [b.call('!_', [accu()])]);
      step = b.call('_||_', [accu(), body]);
      break;
    case 'existsOne':
      accuInit = b.int(0n);
      step = b.call('_?_:_', [body, b.call('_+_', [accu(), b.int(1n)]), accu()]);
      result = b.call('_==_', [accu(), b.int(1n)]);
      break;
    case 'transformList':
      accuInit = b.list([]);
      step = guarded(b.call('_+_', [accu(), b.list([body])]));
      break;
    case 'transformMap':
      accuInit = b.map();
      step = guarded(b.call(MAP_INSERT, [accu(), b.ident(first), body]));
      break;
    default:
      accuInit = b.map();
      step = guarded(b.call(MAP_MERGE, [accu(), body]));
      break;
  }
  return b.fold({ iterVar: ITEM, iterRange: b.call(PAIRS, [range]), accuVar: RESULT, accuInit, loopCondition: b.call(TICK, [condition]), loopStep: withNames(step), result });
}

/** `a.b.c` for an identifier or a chain of field selections (not `has()` tests), else undefined: how a namespaced function name is written. */
export function qualifiedName(expr: Expr | undefined): string | undefined {
  if (expr === undefined) return undefined;
  if (expr.exprKind.case === 'identExpr') return expr.exprKind.value.name;
  if (expr.exprKind.case === 'selectExpr' && !expr.exprKind.value.testOnly) {
    const operand = qualifiedName(expr.exprKind.value.operand);
    return operand === undefined ? undefined : `${operand}.${expr.exprKind.value.field}`;
  }
  return undefined;
}
