/**
 * A closure compiler for the CEL Kubernetes writes: each AST node becomes a
 * JavaScript closure once, at compile time, and evaluation calls closures.
 *
 * Why not only @bufbuild/cel's `plan`: it is built for protobuf CEL, so every
 * `a.b.c` is first tried as the qualified names `a.b.c` and `a.b` (a message
 * or enum in a container namespace) before it reads `a`; every comprehension
 * iteration allocates an activation; every call builds argument arrays and
 * walks the overload list. Kubernetes CEL has no messages and no container,
 * and that search was most of the time a policy took (docs/cel.md,
 * "Performance"). This compiler keeps @bufbuild/cel's values, its function
 * implementations and its error values, and reproduces its evaluation rules
 * node for node (argument order, error absorption by `&&`/`||`, the messages of
 * its errors), so the verdicts and messages stay those of `plan`.
 *
 * It handles the expression shapes Kubernetes CEL has; anything else (protobuf
 * messages, struct literals, identifiers that are not declared variables)
 * returns undefined and the caller uses `plan`.
 */
import { celError, celList, celMap, celType, celUint, CelScalar, isCelList, isCelMap, isCelUint, listType, mapType, type CelEnv, type CelValue } from '@bufbuild/cel';
import type { Constant, Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { charge } from './cost.js';
import { qualifiedName, TICK } from './rewrite.js';
import { ConcatenatedList, JsonMap, listItems, ValueList } from './values.js';

/** What a compiled node gives: a CEL value, a CelError, or (attribute roots only) UNRESOLVED. */
type Result = unknown;
/** Top-level bindings and the comprehension variables (one slot each). */
interface Frame {
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly slots: unknown[];
}
type Node = (frame: Frame) => Result;

/** A declared variable absent from the bindings; `has()` on it is false, reading it is an error (as in `plan`). */
const UNRESOLVED = Symbol('unresolved');

const EMPTY_LIST = celList([]);

/**
 * @bufbuild/cel's `isCelError` is `symbol in value`, a megamorphic lookup on
 * every kind of value; its errors all share one class, so `instanceof` (false
 * at once for strings, bools and numbers) answers the same.
 */
const CEL_ERROR_CLASS = Object.getPrototypeOf(celError('probe')).constructor as abstract new (...args: never[]) => object;
function isError(value: unknown): boolean {
  return value instanceof CEL_ERROR_CLASS;
}
const EMPTY_MAP = celMap(new Map());

/** Thrown at compile time for a shape this compiler leaves to `plan`. */
class Unsupported extends Error {}

/** Type names usable as values (`type(x) == int`), as @bufbuild/cel resolves them. */
const TYPE_IDENTIFIERS: Readonly<Record<string, unknown>> = {
  int: CelScalar.INT,
  uint: CelScalar.UINT,
  double: CelScalar.DOUBLE,
  bool: CelScalar.BOOL,
  string: CelScalar.STRING,
  bytes: CelScalar.BYTES,
  list: listType(CelScalar.DYN),
  map: mapType(CelScalar.DYN, CelScalar.DYN),
  null_type: CelScalar.NULL,
  type: CelScalar.TYPE,
};

function fieldNotFound(id: bigint, name: unknown): unknown {
  return celError(`field not found: ${String(name)}`, id);
}

/** A field of a map by name; other values have no fields here (messages do not occur in Kubernetes CEL). */
function selectField(target: unknown, name: string, id: bigint): Result {
  if (isCelMap(target)) {
    const value = target.get(name);
    return value === undefined ? fieldNotFound(id, name) : value;
  }
  return fieldNotFound(id, name);
}

/** `x[key]`, with @bufbuild/cel's rules for each key type. */
function indexValue(target: unknown, key: unknown, id: bigint): Result {
  if (isError(key)) return key;
  switch (typeof key) {
    case 'string':
      return selectField(target, key, id);
    case 'boolean': {
      // @bufbuild/cel reads a list at Number(key) here; kept for identical results.
      const value = isCelMap(target) ? target.get(key) : isCelList(target) ? target.get(Number(key)) : undefined;
      return value === undefined ? fieldNotFound(id, key) : value;
    }
    case 'number':
    case 'bigint': {
      const value = isCelMap(target) ? target.get(key) : isCelList(target) ? target.get(Number(key)) : undefined;
      return value === undefined ? celError(`index ${Number(key)} out of bounds [0, -1)`, id) : value;
    }
    default:
      if (isCelUint(key)) {
        const value = isCelMap(target) ? target.get(key.value) : isCelList(target) ? target.get(Number(key.value)) : undefined;
        return value === undefined ? celError(`index ${Number(key.value)} out of bounds [0, -1)`, id) : value;
      }
      return celError('unsupported key type', id);
  }
}

function constant(value: Constant): unknown {
  const kind = value.constantKind;
  switch (kind.case) {
    case 'stringValue':
    case 'bytesValue':
    case 'doubleValue':
    case 'boolValue':
    case 'int64Value':
      return kind.value;
    case 'uint64Value':
      return celUint(kind.value);
    case 'nullValue':
      return null;
    default:
      throw new Unsupported(`constant ${String(kind.case)}`);
  }
}

type Group = NonNullable<ReturnType<CelEnv['funcs']['find']>>;

/** Not handled by a fast path: dispatch through the function group. */
const SLOW = Symbol('slow');

const isPrimitive = (value: unknown): value is string | boolean | bigint => typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint';

/**
 * The same result the first matching overload of @bufbuild/cel's standard
 * library gives, for the argument types that dominate Kubernetes policies
 * (Rampart's libraries add no overloads to these operators). Walking the
 * overload list for `'a' + 'b'` tests seven signatures first.
 */
const FAST_BINARY: Readonly<Record<string, (left: unknown, right: unknown) => unknown>> = {
  '_==_': (left, right) => (left === right ? true : isPrimitive(left) && typeof left === typeof right ? false : SLOW),
  '_!=_': (left, right) => (left === right ? false : isPrimitive(left) && typeof left === typeof right ? true : SLOW),
  '_+_': (left, right) => (typeof left === 'string' && typeof right === 'string' ? left + right : isCelList(left) && isCelList(right) ? concatenate(left, right) : SLOW),
  '_<_': (left, right) => (typeof left === 'bigint' && typeof right === 'bigint' ? left < right : SLOW),
  '_<=_': (left, right) => (typeof left === 'bigint' && typeof right === 'bigint' ? left <= right : SLOW),
  '_>_': (left, right) => (typeof left === 'bigint' && typeof right === 'bigint' ? left > right : SLOW),
  '_>=_': (left, right) => (typeof left === 'bigint' && typeof right === 'bigint' ? left >= right : SLOW),
  '@in': (needle, haystack) => {
    // Strings and bools equal only values of their own type, so `===` is CEL equality here.
    if ((typeof needle !== 'string' && typeof needle !== 'boolean') || !isCelList(haystack)) return SLOW;
    if (haystack instanceof ConcatenatedList) return listItems(haystack).includes(needle);
    for (let index = 0; index < haystack.size; index++) if (haystack.get(index) === needle) return true;
    return false;
  },
};
const FAST_UNARY: Readonly<Record<string, (value: unknown) => unknown>> = {
  '!_': (value) => (typeof value === 'boolean' ? !value : SLOW),
  size: (value) => (isCelList(value) || isCelMap(value) ? BigInt(value.size) : SLOW),
};

/** Methods: `list.join(sep)` as the strings extension joins; a list with a non-string takes the slow path and its error. */
const FAST_METHODS: Readonly<Record<string, (target: unknown, args: readonly unknown[]) => unknown>> = {
  join: (target, args) => {
    const separator = args.length === 0 ? '' : args.length === 1 && typeof args[0] === 'string' ? args[0] : undefined;
    if (separator === undefined || !isCelList(target)) return SLOW;
    const items = target instanceof ConcatenatedList ? listItems(target) : undefined;
    const size = items?.length ?? target.size;
    let joined = '';
    for (let index = 0; index < size; index++) {
      const item = items === undefined ? target.get(index) : items[index];
      if (typeof item !== 'string') return SLOW;
      joined = index === 0 ? item : joined + separator + item;
    }
    return joined;
  },
};

/** `a + b` on lists, as @bufbuild/cel's concatenation (no copy), without its per-instance allocations; an empty side is the other list. */
function concatenate(left: { readonly size: number }, right: { readonly size: number }): unknown {
  if (right.size === 0) return left;
  if (left.size === 0) return right;
  return new ConcatenatedList(left as ConcatenatedList, right as ConcatenatedList);
}

interface AttributeMode {
  /** Inside `has()`: an unbound variable is UNRESOLVED, not an error. */
  readonly presence: boolean;
  /** Where `plan` reports an unbound variable of this attribute. */
  readonly errorId: bigint;
}

class Compiler {
  private slotCount = 0;
  private readonly variableSlots = new Map<string, number>();
  constructor(
    private readonly env: CelEnv,
    private readonly variables: ReadonlySet<string>,
  ) {}

  get slots(): number {
    return this.slotCount;
  }

  /** A node whose result is never UNRESOLVED: an unbound variable is the error `plan` gives, at the attribute's position. */
  value(expr: Expr, scope: ReadonlyMap<string, number>): Node {
    return this.attribute(expr, scope, { presence: false, errorId: this.rootId(expr) });
  }

  /** The id @bufbuild/cel gives an attribute (a chain of selects and indexes): its root's, for error positions. */
  private rootId(expr: Expr): bigint {
    const kind = expr.exprKind;
    if (kind.case === 'selectExpr' && kind.value.operand !== undefined) return this.mayBeUnresolved(kind.value.operand) ? this.rootId(kind.value.operand) : expr.id;
    if (kind.case === 'callExpr' && kind.value.function === '_[_]' && kind.value.args[0] !== undefined) return this.mayBeUnresolved(kind.value.args[0]) ? this.rootId(kind.value.args[0]) : kind.value.args[0].id;
    return expr.id;
  }

  private mayBeUnresolved(expr: Expr): boolean {
    const kind = expr.exprKind;
    if (kind.case === 'identExpr') return true;
    if (kind.case === 'selectExpr') return !kind.value.testOnly;
    if (kind.case === 'callExpr') return kind.value.function === '_[_]' || kind.value.function === '_?_:_';
    return false;
  }

  /**
   * An attribute (identifier, selection, index, conditional) or any other
   * expression. Under `has()` (`presence`) an unbound variable gives
   * UNRESOLVED, which `has()` reads as false; elsewhere it is an error at
   * `errorId`, the position `plan` gives the whole attribute.
   */
  private attribute(expr: Expr, scope: ReadonlyMap<string, number>, mode: AttributeMode): Node {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr': {
        const value = constant(kind.value);
        return () => value;
      }
      case 'identExpr':
        return this.identifier(kind.value.name, scope, mode);
      case 'selectExpr': {
        const { operand, field, testOnly } = kind.value;
        if (operand === undefined) throw new Unsupported('select without operand');
        if (testOnly) {
          const target = this.selectOperand(operand, scope, { presence: true, errorId: mode.errorId });
          // Objects from manifests are JsonMaps: one monomorphic test before the generic ones.
          return (frame) => {
            const value = target(frame);
            if (value instanceof JsonMap) return value.has(field);
            if (value === UNRESOLVED) return false;
            if (isError(value)) return value;
            return isCelMap(value) ? value.has(field) : false;
          };
        }
        // A chain `a.b.c.d` is one closure walking the fields.
        const fields: string[] = [field];
        const ids: bigint[] = [expr.id];
        let root = operand;
        while (root.exprKind.case === 'selectExpr' && !root.exprKind.value.testOnly && root.exprKind.value.operand !== undefined) {
          fields.unshift(root.exprKind.value.field);
          ids.unshift(root.id);
          root = root.exprKind.value.operand;
        }
        const target = this.selectOperand(root, scope, mode);
        const steps = fields.length;
        return (frame) => {
          let value = target(frame);
          for (let step = 0; step < steps; step++) {
            const name = fields[step] as string;
            if (value instanceof JsonMap) {
              const found = value.get(name);
              if (found === undefined) return fieldNotFound(ids[step] as bigint, name);
              value = found;
              continue;
            }
            if (value === UNRESOLVED || isError(value)) return value;
            value = selectField(value, name, ids[step] as bigint);
            if (isError(value)) return value;
          }
          return value;
        };
      }
      case 'callExpr':
        return this.call(expr, scope, mode);
      case 'listExpr': {
        if (kind.value.optionalIndices.length > 0) throw new Unsupported('optional list entries');
        const elements = kind.value.elements.map((element) => this.value(element, scope));
        if (elements.length === 0) return () => EMPTY_LIST;
        // A list of literals (`k in ['hostPath', 'nfs', …]`) is built once: CEL lists are immutable.
        if (kind.value.elements.every((element) => element.exprKind.case === 'constExpr')) {
          const literal = celList(kind.value.elements.map((element) => constant((element.exprKind as { value: Constant }).value)) as CelValue[]);
          return () => literal;
        }
        const count = elements.length;
        return (frame) => {
          const values = new Array<CelValue>(count);
          for (let index = 0; index < count; index++) {
            const value = (elements[index] as Node)(frame);
            if (isError(value)) return value;
            values[index] = value as CelValue;
          }
          return new ValueList(values);
        };
      }
      case 'structExpr':
        return this.map(expr, scope);
      case 'comprehensionExpr':
        return this.comprehension(expr, scope);
      default:
        throw new Unsupported(`expression ${String(kind.case)}`);
    }
  }

  /** The operand of a selection: qualified names (`google.protobuf.X`) are left to `plan`. */
  private selectOperand(operand: Expr, scope: ReadonlyMap<string, number>, mode: AttributeMode): Node {
    if (operand.exprKind.case === 'identExpr' && !scope.has(operand.exprKind.value.name) && !this.variables.has(operand.exprKind.value.name)) {
      throw new Unsupported('qualified identifier');
    }
    return this.attribute(operand, scope, mode);
  }

  private identifier(name: string, scope: ReadonlyMap<string, number>, mode: AttributeMode): Node {
    const slot = scope.get(name);
    if (slot !== undefined) return (frame) => frame.slots[slot];
    if (this.variables.has(name)) {
      const type = TYPE_IDENTIFIERS[name];
      const unbound = type ?? (mode.presence ? UNRESOLVED : celError('unresolved attribute', mode.errorId));
      // Each variable is converted once per evaluation and kept in a slot of its own.
      let cached = this.variableSlots.get(name);
      if (cached === undefined) {
        cached = this.slotCount++;
        this.variableSlots.set(name, cached);
      }
      const variableSlot = cached;
      return (frame) => {
        const known = frame.slots[variableSlot];
        if (known !== undefined) return known;
        const value = frame.bindings[name];
        if (value === undefined) return unbound;
        const converted = toCelInput(value);
        frame.slots[variableSlot] = converted;
        return converted;
      };
    }
    const type = TYPE_IDENTIFIERS[name];
    if (type !== undefined) return () => type;
    throw new Unsupported(`identifier ${name}`);
  }

  private map(expr: Expr, scope: ReadonlyMap<string, number>): Node {
    if (expr.exprKind.case !== 'structExpr') throw new Unsupported('map');
    const struct = expr.exprKind.value;
    if (struct.messageName !== '') throw new Unsupported('message literal');
    const id = expr.id;
    const entries = struct.entries.map((entry) => {
      if (entry.optionalEntry || entry.keyKind.case !== 'mapKey' || entry.value === undefined) throw new Unsupported('map entry');
      return { key: this.value(entry.keyKind.value, scope), value: this.value(entry.value, scope) };
    });
    if (entries.length === 0) return () => EMPTY_MAP;
    const mapKey = (key: unknown): unknown => {
      switch (typeof key) {
        case 'boolean':
        case 'bigint':
        case 'string':
          return key;
        case 'number':
          return Number.isInteger(key) ? BigInt(key) : celError('unsupported key type', id);
        case 'object':
          return isCelUint(key) ? key : celError('unsupported key type', id);
        default:
          return celError('unsupported key type', id);
      }
    };
    return (frame) => {
      const built = new Map<unknown, unknown>();
      for (const entry of entries) {
        const keyResult = entry.key(frame);
        const key = isError(keyResult) ? keyResult : mapKey(keyResult);
        if (isError(key)) return key;
        const value = entry.value(frame);
        if (isError(value)) return value;
        if (built.has(key)) return celError(`map key conflict: ${String(key)}`, id);
        built.set(key, value);
      }
      return celMap(built as never);
    };
  }

  private comprehension(expr: Expr, scope: ReadonlyMap<string, number>): Node {
    if (expr.exprKind.case !== 'comprehensionExpr') throw new Unsupported('comprehension');
    const c = expr.exprKind.value;
    if (c.iterVar2 !== '' || c.iterRange === undefined || c.accuInit === undefined || c.loopCondition === undefined || c.loopStep === undefined || c.result === undefined) {
      throw new Unsupported('comprehension form');
    }
    const id = expr.id;
    const accuSlot = this.slotCount++;
    const iterSlot = this.slotCount++;
    const accuInit = this.value(c.accuInit, scope);
    const iterRange = this.value(c.iterRange, scope);
    const withAccu = new Map(scope).set(c.accuVar, accuSlot);
    const withIter = new Map(withAccu).set(c.iterVar, iterSlot);
    const condition = this.value(c.loopCondition, withIter);
    const step = this.value(c.loopStep, withIter);
    const result = this.value(c.result, withAccu);
    return (frame) => {
      const initial = accuInit(frame);
      if (isError(initial)) return initial;
      const range = iterRange(frame);
      if (isError(range)) return range;
      // Lists are read by index, not through their generator; a list concatenated by `+` (a chain as deep as it is
      // long) is first flattened without recursion. Maps give their keys.
      let items: unknown[] | undefined;
      let size: number;
      if (range instanceof ConcatenatedList) {
        items = listItems(range);
        size = items.length;
      } else if (isCelList(range)) size = range.size;
      else if (isCelMap(range)) {
        items = Array.from(range.keys());
        size = items.length;
      } else return celError(`type mismatch: iterable vs ${String(celType(range as CelValue))}`, id);
      // Every fold has its own two slots, so nested folds never overwrite each other.
      const { slots } = frame;
      slots[accuSlot] = initial;
      for (let index = 0; index < size; index++) {
        const item = items === undefined ? (range as { get(index: number): unknown }).get(index) : items[index];
        if (isError(item)) return item;
        slots[iterSlot] = item;
        const proceed = condition(frame);
        if (isError(proceed)) return proceed;
        if (proceed !== true) break;
        slots[accuSlot] = step(frame);
      }
      return result(frame);
    };
  }

  private call(expr: Expr, scope: ReadonlyMap<string, number>, mode: AttributeMode): Node {
    if (expr.exprKind.case !== 'callExpr') throw new Unsupported('call');
    const call = expr.exprKind.value;
    const id = expr.id;
    const name = call.function;
    if (call.target !== undefined) {
      const qualifier = qualifiedName(call.target);
      if (qualifier !== undefined) {
        const group = this.env.funcs.find(`${qualifier}.${name}`);
        if (group !== undefined) return this.invoke(id, `${qualifier}.${name}`, group, undefined, call.args.map((arg) => this.value(arg, scope)));
      }
    }
    const args = call.args.map((arg) => this.value(arg, scope));
    switch (name) {
      case '_[_]': {
        if (call.target !== undefined || call.args.length !== 2) break;
        const target = this.attribute(call.args[0] as Expr, scope, mode);
        const key = args[1] as Node;
        const operandId = this.rootId(expr);
        return (frame) => {
          const value = target(frame);
          if (value === UNRESOLVED || isError(value)) return value;
          return indexValue(value, key(frame), operandId);
        };
      }
      case '_[?_]':
      case '_?._':
        throw new Unsupported('optional index');
      case '_?_:_': {
        if (call.target !== undefined || call.args.length !== 3) break;
        const condition = args[0] as Node;
        const whenTrue = this.attribute(call.args[1] as Expr, scope, mode);
        const whenFalse = this.attribute(call.args[2] as Expr, scope, mode);
        return (frame) => {
          const test = condition(frame);
          if (test === true) return whenTrue(frame);
          if (test === false) return whenFalse(frame);
          if (isError(test)) return test;
          return celError(`found no matching overload for _?_:_ applied to '(${celType(test as CelValue).name})'`, id);
        };
      }
      case '_&&_':
      case '_||_': {
        if (call.target !== undefined) break;
        const absorbing = name === '_||_';
        if (args.length === 2) {
          const [left, right] = args as [Node, Node];
          const mismatch = (value: unknown): unknown => (isError(value) ? value : celError(`type mismatch: expected bool, got ${String(celType(value as CelValue))}`, id));
          return (frame) => {
            const first = left(frame);
            if (first === absorbing) return absorbing;
            const second = right(frame);
            if (second === absorbing) return absorbing;
            if (typeof first === 'boolean' && typeof second === 'boolean') return !absorbing;
            return typeof first !== 'boolean' ? mismatch(first) : mismatch(second);
          };
        }
        return (frame) => {
          let firstError: unknown;
          for (const arg of args) {
            const value = arg(frame);
            if (typeof value === 'boolean') {
              if (value === absorbing) return absorbing;
              continue;
            }
            firstError ??= isError(value) ? value : celError(`type mismatch: expected bool, got ${String(celType(value as CelValue))}`, id);
          }
          return firstError ?? !absorbing;
        };
      }
      case '@not_strictly_false':
      case '__not_strictly_false__': {
        if (call.target !== undefined) break;
        const arg = args[0] as Node;
        return (frame) => arg(frame) !== false;
      }
      case TICK: {
        if (call.target !== undefined || args.length !== 1) break;
        const arg = args[0] as Node;
        return (frame) => {
          const value = arg(frame);
          if (isError(value)) return value;
          try {
            charge(1);
          } catch (error) {
            return celError(error, id);
          }
          return value;
        };
      }
      default:
        break;
    }
    const target = call.target === undefined ? undefined : this.value(call.target, scope);
    return this.invoke(id, name, this.env.funcs.find(name), target, args);
  }

  private invoke(id: bigint, name: string, group: Group | undefined, target: Node | undefined, args: readonly Node[]): Node {
    if (group === undefined) return () => celError(`unbound function: ${name}`, id);
    const numericId = Number(id);
    const noOverload = (self: unknown, values: unknown[]): unknown =>
      celError(
        `found no matching overload for '${name}' applied to '${self !== undefined ? `${String(celType(self as CelValue))}.` : ''}(${values.map((value) => celType(value as CelValue).name).join(', ')})'`,
        id,
      );
    const arity = args.length;
    // Every call costs one unit, charged by the group (environment.ts) or here on a fast path.
    const fastUnary = target === undefined && arity === 1 && Object.hasOwn(FAST_UNARY, name) ? FAST_UNARY[name] : undefined;
    const fastBinary = target === undefined && arity === 2 && Object.hasOwn(FAST_BINARY, name) ? FAST_BINARY[name] : undefined;
    if (target === undefined && arity === 1) {
      const only = args[0] as Node;
      return (frame) => {
        const value = only(frame);
        if (isError(value)) return value;
        if (fastUnary !== undefined) {
          const fast = fastUnary(value);
          if (fast !== SLOW) {
            charge(1);
            return fast;
          }
        }
        const values = [value] as CelValue[];
        return group.call(numericId, undefined, values) ?? noOverload(undefined, values);
      };
    }
    if (target === undefined && arity === 2) {
      const [left, right] = args as [Node, Node];
      return (frame) => {
        const first = left(frame);
        if (isError(first)) return first;
        const second = right(frame);
        if (isError(second)) return second;
        if (fastBinary !== undefined) {
          const fast = fastBinary(first, second);
          if (fast !== SLOW) {
            charge(1);
            return fast;
          }
        }
        const values = [first, second] as CelValue[];
        return group.call(numericId, undefined, values) ?? noOverload(undefined, values);
      };
    }
    const fastMethod = target !== undefined && Object.hasOwn(FAST_METHODS, name) ? FAST_METHODS[name] : undefined;
    return (frame) => {
      const self = target?.(frame);
      if (isError(self)) return self;
      const values: CelValue[] = [];
      for (const arg of args) {
        const value = arg(frame);
        if (isError(value)) return value;
        values.push(value as CelValue);
      }
      if (fastMethod !== undefined) {
        const fast = fastMethod(self, values);
        if (fast !== SLOW) {
          charge(1);
          return fast;
        }
      }
      return group.call(numericId, self as CelValue | undefined, values) ?? noOverload(self, values);
    };
  }
}

/** @bufbuild/cel's conversion of an input binding, for the inputs Rampart passes (CEL values, arrays, maps, plain objects). */
function toCelInput(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof JsonMap) return value;
  if (isCelMap(value) || isCelList(value) || isCelUint(value) || isError(value) || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return celList(value as CelValue[]);
  if (value instanceof Map) return celMap(value);
  if (Object.getPrototypeOf(value) === Object.prototype) return celMap(new Map(Object.entries(value)));
  return value;
}

export interface CompiledClosure {
  /** Evaluates with the given bindings; gives a CEL value or a CelError, like `plan`'s function. */
  (bindings: Readonly<Record<string, unknown>>): unknown;
}

/**
 * Compiles `root` (after Rampart's rewrites) into closures, or undefined when
 * it uses something only `plan` handles. `inContext` runs the evaluation
 * inside @bufbuild/cel's evaluation context, which its equality of timestamps
 * and durations needs.
 */
export function compileClosures(root: Expr, env: CelEnv, variables: readonly string[], inContext: (run: () => unknown) => unknown): CompiledClosure | undefined {
  const compiler = new Compiler(env, new Set(variables));
  let node: Node;
  try {
    node = compiler.value(root, new Map());
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  const slotCount = compiler.slots;
  const rootId = root.id;
  return (bindings) =>
    inContext(() => {
      try {
        return node({ bindings, slots: new Array<unknown>(slotCount) });
      } catch (error) {
        return celError(error, rootId);
      }
    });
}
