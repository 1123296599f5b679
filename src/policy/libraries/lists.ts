/**
 * Kubernetes lists library (1.0+): `isSorted`, `sum`, `min`, `max`,
 * `indexOf`, `lastIndexOf`; CEL sets extension (1.29+): `sets.contains`,
 * `sets.equivalent`, `sets.intersects`; CEL lists extension version 3
 * (1.34+): `slice`, `flatten`, `lists.range`, `distinct`, `reverse`, `sort`,
 * `first`, `last`.
 */
import { celFunc, celMethod, CelScalar, isCelList, isCelUint, listType, type CelList, type CelValue } from '@bufbuild/cel';
import { charge } from '../cost.js';
import type { CelLibrary } from '../library.js';
import { celTypeName } from '../values.js';
import { OpaqueValue } from './opaque.js';
import { CelOptional } from './optional.js';

const { DYN, INT, BOOL } = CelScalar;
const LIST = listType(DYN);

/** CEL equality for the values these functions see (numbers across types, opaque values by canonical form). */
export function celEquals(left: CelValue, right: CelValue): boolean {
  const a = isCelUint(left) ? left.value : left;
  const b = isCelUint(right) ? right.value : right;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a == b;
  if (a instanceof OpaqueValue || b instanceof OpaqueValue) return a instanceof OpaqueValue && b instanceof OpaqueValue && a.get('@equality') === b.get('@equality');
  if (isCelList(a)) {
    if (!isCelList(b) || a.size !== b.size) return false;
    for (let index = 0; index < a.size; index++) if (!celEquals(a.get(index) as CelValue, b.get(index) as CelValue)) return false;
    return true;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && 'entries' in a && 'get' in b && !(a instanceof Uint8Array)) {
    const mapA = a as unknown as ReadonlyMap<unknown, CelValue>;
    const mapB = b as unknown as ReadonlyMap<unknown, CelValue>;
    if (mapA.size !== mapB.size) return false;
    for (const [key, value] of mapA.entries()) {
      const other = mapB.get(key);
      if (other === undefined || !celEquals(value, other)) return false;
    }
    return true;
  }
  return a === b;
}

/** Ordering for int, uint, double, string, bool, bytes and comparable opaque values; throws on mixed or unordered kinds. */
export function celCompare(left: CelValue, right: CelValue, functionName: string): number {
  const a = isCelUint(left) ? left.value : left;
  const b = isCelUint(right) ? right.value : right;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof OpaqueValue && b instanceof OpaqueValue && 'compare' in a && typeof (a as { compare?: unknown }).compare === 'function' && a.celTypeName === b.celTypeName) {
    return (a as unknown as { compare(other: unknown): number }).compare(b);
  }
  throw new Error(`found no matching overload for '${functionName}' applied to '(${celTypeName(left)}, ${celTypeName(right)})'`);
}

function items(list: CelList): CelValue[] {
  charge(list.size / 10);
  return Array.from(list);
}

function sum(list: CelList): CelValue {
  const values = items(list);
  if (values.length === 0) return 0n;
  const first = values[0];
  if (typeof first === 'bigint') {
    let total = 0n;
    for (const value of values) {
      if (typeof value !== 'bigint') throw new Error(`sum: mixed element types int and ${celTypeName(value)}`);
      total += value;
      if (total > 9223372036854775807n || total < -9223372036854775808n) throw new Error('int overflow in sum');
    }
    return total;
  }
  if (typeof first === 'number') {
    let total = 0;
    for (const value of values) {
      if (typeof value !== 'number') throw new Error(`sum: mixed element types double and ${celTypeName(value)}`);
      total += value;
    }
    return total;
  }
  throw new Error(`found no matching overload for 'sum' applied to 'list(${celTypeName(first)})'`);
}

function extreme(list: CelList, name: 'min' | 'max'): CelValue {
  const values = items(list);
  if (values.length === 0) throw new Error(`${name} called on empty list`);
  let best = values[0] as CelValue;
  for (const value of values.slice(1)) {
    const order = celCompare(value, best, name);
    if ((name === 'min' && order < 0) || (name === 'max' && order > 0)) best = value;
  }
  return best;
}

function indexOf(list: CelList, target: CelValue, last: boolean): bigint {
  const values = items(list);
  if (last) {
    for (let index = values.length - 1; index >= 0; index--) if (celEquals(values[index] as CelValue, target)) return BigInt(index);
  } else {
    for (let index = 0; index < values.length; index++) if (celEquals(values[index] as CelValue, target)) return BigInt(index);
  }
  return -1n;
}

export const kubernetesListsLibrary: CelLibrary = {
  name: 'Kubernetes lists',
  introducedIn: 0,
  functions: [
    celMethod('isSorted', LIST, [], BOOL, function () {
      const values = items(this);
      for (let index = 1; index < values.length; index++) if (celCompare(values[index - 1] as CelValue, values[index] as CelValue, 'isSorted') > 0) return false;
      return true;
    }),
    celMethod('sum', LIST, [], DYN, function () {
      return sum(this);
    }),
    celMethod('min', LIST, [], DYN, function () {
      return extreme(this, 'min');
    }),
    celMethod('max', LIST, [], DYN, function () {
      return extreme(this, 'max');
    }),
    celMethod('indexOf', LIST, [DYN], INT, function (target) {
      return indexOf(this, target, false);
    }),
    celMethod('lastIndexOf', LIST, [DYN], INT, function (target) {
      return indexOf(this, target, true);
    }),
  ],
};

function containsAll(container: CelList, wanted: CelList): boolean {
  const have = items(container);
  charge((have.length * wanted.size) / 10);
  for (const item of wanted) if (!have.some((candidate) => celEquals(candidate, item))) return false;
  return true;
}

export const setsLibrary: CelLibrary = {
  name: 'CEL sets extension',
  introducedIn: 29,
  functions: [
    celFunc('sets.contains', [LIST, LIST], BOOL, (container, wanted) => containsAll(container, wanted)),
    celFunc('sets.equivalent', [LIST, LIST], BOOL, (left, right) => containsAll(left, right) && containsAll(right, left)),
    celFunc('sets.intersects', [LIST, LIST], BOOL, (left, right) => {
      const have = items(left);
      charge((have.length * right.size) / 10);
      for (const item of right) if (have.some((candidate) => celEquals(candidate, item))) return true;
      return false;
    }),
  ],
};

function flatten(list: CelList, depth: number): CelValue[] {
  if (depth < 0) throw new Error('level must be non-negative');
  const out: CelValue[] = [];
  for (const item of items(list)) {
    if (isCelList(item) && depth > 0) out.push(...flatten(item, depth - 1));
    else out.push(item);
  }
  return out;
}

export const extListsLibrary: CelLibrary = {
  name: 'CEL lists extension (version 3)',
  introducedIn: 34,
  functions: [
    celMethod('slice', LIST, [INT, INT], LIST, function (start, end) {
      if (start < 0n || end < 0n) throw new Error(`cannot slice(${start}, ${end}), negative indexes not supported`);
      if (start > end) throw new Error(`cannot slice(${start}, ${end}), start index must be less than or equal to end index`);
      if (end > BigInt(this.size)) throw new Error(`cannot slice(${start}, ${end}), list is length ${this.size}`);
      return items(this).slice(Number(start), Number(end));
    }),
    celMethod('flatten', LIST, [], LIST, function () {
      return flatten(this, 1);
    }),
    celMethod('flatten', LIST, [INT], LIST, function (depth) {
      return flatten(this, Number(depth));
    }),
    celFunc('lists.range', [INT], LIST, (count) => {
      charge(Number(count) / 10);
      if (count > 1_000_000n) throw new Error('lists.range: count too large');
      return Array.from({ length: Math.max(0, Number(count)) }, (_unused, index) => BigInt(index));
    }),
    celMethod('distinct', LIST, [], LIST, function () {
      const out: CelValue[] = [];
      const values = items(this);
      charge((values.length * values.length) / 10);
      for (const value of values) if (!out.some((seen) => celEquals(seen, value))) out.push(value);
      return out;
    }),
    celMethod('reverse', LIST, [], LIST, function () {
      return items(this).reverse();
    }),
    celMethod('sort', LIST, [], LIST, function () {
      const values = items(this);
      charge((values.length * Math.log2(values.length + 1)) / 10);
      return values.sort((a, b) => celCompare(a, b, 'sort'));
    }),
    celMethod('first', LIST, [], DYN, function () {
      return this.size === 0 ? CelOptional.none : CelOptional.of(this.get(0) as CelValue);
    }),
    celMethod('last', LIST, [], DYN, function () {
      return this.size === 0 ? CelOptional.none : CelOptional.of(this.get(this.size - 1) as CelValue);
    }),
  ],
};
