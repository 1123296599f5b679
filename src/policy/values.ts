/**
 * JSON (a Kubernetes object as decoded from YAML or JSON) ↔ CEL values.
 *
 * Kubernetes types values by the OpenAPI schema; offline we have the JSON, so
 * integral numbers are CEL `int` (so `object.spec.replicas + 1` works) and
 * other numbers `double`. Maps and lists are wrapped lazily: a 100k-item list
 * is not copied unless an expression walks it. Field names that are not CEL
 * identifiers are reached the Kubernetes way, escaped (`__dash__`, `__dot__`,
 * `__slash__`, `__underscores__`, `__{keyword}__`), or by index (`m['a-b']`).
 */
import { isCelList, isCelMap, isCelUint, type CelValue } from '@bufbuild/cel';

// @bufbuild/cel recognises its lists and maps by these registered symbols.
export const CEL_MAP_MARK = Symbol.for('@bufbuild/cel/map');
export const CEL_LIST_MARK = Symbol.for('@bufbuild/cel/list');

const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import',
  'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

/** Kubernetes' property-name escaping, reversed. Undefined when the name carries no escape. */
export function unescapePropertyName(name: string): string | undefined {
  if (!name.includes('__')) return undefined;
  const keyword = /^__([a-z]+)__$/.exec(name);
  if (keyword !== null && CEL_RESERVED.has(keyword[1] ?? '')) return keyword[1];
  const unescaped = name.replace(/__(underscores|dot|dash|slash)__/g, (_match, token: string) => {
    switch (token) {
      case 'underscores':
        return '__';
      case 'dot':
        return '.';
      case 'dash':
        return '-';
      default:
        return '/';
    }
  });
  return unescaped === name ? undefined : unescaped;
}

/** Kubernetes' escaping of a property name into a CEL identifier; undefined when it cannot be escaped. */
export function escapePropertyName(name: string): string | undefined {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  const escaped = name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(escaped) ? escaped : undefined;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * @bufbuild/cel recognises its lists and maps by a registered symbol (`symbol in value`); the mark lives on
 * the prototype, so wrappers cost no extra object each.
 */
export function markAsCelMap(constructor: { prototype: object }): void {
  Object.defineProperty(constructor.prototype, CEL_MAP_MARK, { value: {} });
}

export class JsonMap {
  private children: Map<string, CelValue> | undefined;
  constructor(private readonly record: Record<string, unknown>) {}
  get size(): number {
    return Object.keys(this.record).length;
  }
  private lookup(key: unknown): unknown {
    if (typeof key !== 'string') return undefined;
    if (Object.hasOwn(this.record, key)) return this.record[key];
    const unescaped = unescapePropertyName(key);
    if (unescaped !== undefined && Object.hasOwn(this.record, unescaped)) return this.record[unescaped];
    return undefined;
  }
  get(key: unknown): CelValue | undefined {
    const value = this.lookup(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null) return jsonToCel(value);
    // One CEL wrapper per object or list field, so an expression that reads `spec.securityContext` ten times wraps it once.
    const cached = this.children?.get(key as string);
    if (cached !== undefined) return cached;
    const converted = jsonToCel(value);
    (this.children ??= new Map()).set(key as string, converted);
    return converted;
  }
  has(key: unknown): boolean {
    return this.lookup(key) !== undefined;
  }
  forEach(callback: (value: CelValue, key: string, map: JsonMap) => void): void {
    for (const key of Object.keys(this.record)) callback(this.get(key) as CelValue, key, this);
  }
  *entries(): IterableIterator<[string, CelValue]> {
    for (const key of Object.keys(this.record)) yield [key, this.get(key) as CelValue];
  }
  keys(): IterableIterator<string> {
    return Object.keys(this.record)[Symbol.iterator]();
  }
  *values(): IterableIterator<CelValue> {
    for (const key of Object.keys(this.record)) yield this.get(key) as CelValue;
  }
  [Symbol.iterator](): IterableIterator<[string, CelValue]> {
    return this.entries();
  }
}

export class JsonList {
  private converted: CelValue[] | undefined;
  constructor(private readonly items: readonly unknown[]) {}
  get size(): number {
    return this.items.length;
  }
  get(index: number | bigint): CelValue | undefined {
    const position = Number(index);
    if (!Number.isInteger(position) || position < 0 || position >= this.items.length) return undefined;
    const converted = (this.converted ??= new Array<CelValue>(this.items.length));
    return (converted[position] ??= jsonToCel(this.items[position]));
  }
  *values(): IterableIterator<CelValue> {
    for (let index = 0; index < this.items.length; index++) yield this.get(index) as CelValue;
  }
  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

/**
 * A list of CEL values built during evaluation (`[a, b]`), or two lists joined
 * by `+` without copying. @bufbuild/cel's own lists carry an object per
 * instance for their mark; these keep it on the prototype.
 */
export class ValueList {
  constructor(readonly items: readonly CelValue[]) {}
  get size(): number {
    return this.items.length;
  }
  get(index: number | bigint): CelValue | undefined {
    return this.items[Number(index)];
  }
  *values(): IterableIterator<CelValue> {
    yield* this.items;
  }
  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

export class ConcatenatedList {
  readonly size: number;
  constructor(
    readonly left: { readonly size: number; get(index: number): CelValue | undefined; values(): IterableIterator<CelValue> },
    readonly right: { readonly size: number; get(index: number): CelValue | undefined; values(): IterableIterator<CelValue> },
  ) {
    this.size = left.size + right.size;
  }
  get(index: number | bigint): CelValue | undefined {
    let position = Number(index);
    if (!(position >= 0 && position < this.size)) return undefined;
    // Down the chain without recursion: `accu + [x]` in a loop makes it as deep as the list is long.
    const inLeft = position < this.left.size;
    let list: { readonly size: number; get(index: number): CelValue | undefined } = inLeft ? this.left : this.right;
    if (!inLeft) position -= this.left.size;
    while (list instanceof ConcatenatedList) {
      if (position < list.left.size) list = list.left;
      else {
        position -= list.left.size;
        list = list.right;
      }
    }
    return list.get(position);
  }
  *values(): IterableIterator<CelValue> {
    yield* listItems(this);
  }
  [Symbol.iterator](): IterableIterator<CelValue> {
    return this.values();
  }
}

/**
 * The items of a CEL list in order. Lists built by `+` in a loop (`filter`,
 * `map`: `accu + [x]` per step) are chains as deep as they are long; they are
 * walked with an explicit stack, in linear time and without recursion.
 */
export function listItems(list: { readonly size: number; get(index: number): CelValue | undefined }): CelValue[] {
  const items: CelValue[] = [];
  const pending: object[] = [list];
  while (pending.length > 0) {
    const current = pending.pop();
    if (current instanceof ConcatenatedList) {
      pending.push(current.right, current.left);
    } else if (current instanceof ValueList) {
      for (const item of current.items) items.push(item);
    } else {
      const other = current as { readonly size: number; get(index: number): CelValue | undefined };
      for (let index = 0; index < other.size; index++) items.push(other.get(index) as CelValue);
    }
  }
  return items;
}

markAsCelMap(JsonMap);
for (const list of [JsonList, ValueList, ConcatenatedList]) Object.defineProperty(list.prototype, CEL_LIST_MARK, { value: {} });

/** A JSON value as CEL sees it. */
export function jsonToCel(value: unknown): CelValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'bigint':
      return value;
    case 'undefined':
      return null;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) return new JsonList(value) as unknown as CelValue;
      if (isCelList(value) || isCelMap(value)) return value as CelValue;
      return new JsonMap(value as Record<string, unknown>) as unknown as CelValue;
    default:
      return null;
  }
}

/** A CEL value as JSON, for messages, annotations and reports. Opaque values render as their string form. */
export function celToJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    default:
      break;
  }
  if (isCelUint(value)) return celToJson(value.value);
  if (typeof value === 'object' && value !== null && 'celString' in value && typeof (value as { celString: unknown }).celString === 'function') {
    return (value as { celString: () => string }).celString();
  }
  if (isCelList(value)) return Array.from(value, (item) => celToJson(item));
  if (isCelMap(value)) {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of value.entries()) out[String(celToJson(key))] = celToJson(item);
    return out;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
}

/** Human-readable CEL type name of a value, for error messages. */
export function celTypeName(value: unknown): string {
  if (value === null) return 'null_type';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'double';
    case 'bigint':
      return 'int';
    default:
      break;
  }
  if (typeof value === 'object' && value !== null && 'celTypeName' in value) return String((value as { celTypeName: unknown }).celTypeName);
  if (isCelUint(value)) return 'uint';
  if (isCelList(value)) return 'list';
  if (isCelMap(value)) return 'map';
  if (value instanceof Uint8Array) return 'bytes';
  return 'object';
}
