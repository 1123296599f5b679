/**
 * CEL optional types (Kubernetes 1.28+): `optional.of`, `optional.none`,
 * `optional.ofNonZeroValue`, `hasValue`, `value`, `orValue`, `or`. The
 * `.?field` and `[?index]` syntax is not parsed by @bufbuild/cel; the compiler
 * reports it as unsupported rather than as a syntax error.
 */
import { celFunc, celMethod, CelScalar, isCelList, isCelMap, isCelUint, type CelValue } from '@bufbuild/cel';
import type { CelLibrary } from '../library.js';
import { expect, noOverload, OpaqueValue } from './opaque.js';

const { DYN } = CelScalar;

export class CelOptional extends OpaqueValue {
  readonly celTypeName = 'optional_type';
  private constructor(readonly inner: CelValue | undefined) {
    super();
  }
  static of(value: unknown): CelOptional {
    return new CelOptional(value as CelValue);
  }
  static readonly none = new CelOptional(undefined);
  celString(): string {
    return this.inner === undefined ? 'optional.none()' : `optional.of(${String(this.inner)})`;
  }
  protected equalityKey(): string {
    return this.inner === undefined ? 'none' : `of:${keyOf(this.inner)}`;
  }
  /** Selecting or indexing into an optional stays optional: none stays none, a missing key gives none. */
  override get(key: unknown): CelValue | undefined {
    if (key === '@equality') return super.get(key);
    return this.lookup(key) as unknown as CelValue;
  }
  override has(key: unknown): boolean {
    if (key === '@equality') return true;
    return this.lookup(key).inner !== undefined;
  }
  lookup(key: unknown): CelOptional {
    const inner = this.inner;
    if (inner === undefined) return CelOptional.none;
    if (isCelMap(inner) && !(inner instanceof OpaqueValue)) {
      const value = inner.get(key as never);
      return value === undefined ? CelOptional.none : CelOptional.of(value);
    }
    if (isCelList(inner) && (typeof key === 'bigint' || (typeof key === 'number' && Number.isInteger(key)))) {
      const value = inner.get(Number(key));
      return value === undefined ? CelOptional.none : CelOptional.of(value);
    }
    throw new Error(`no such key: ${String(key)} (the optional holds ${inner === null ? 'null' : typeof inner})`);
  }
}

function keyOf(value: CelValue): string {
  if (value instanceof OpaqueValue) return String(value.get('@equality'));
  if (typeof value === 'bigint') return `${value}`;
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? String(value);
}

function isZero(value: CelValue): boolean {
  if (value === null || value === false || value === '' || value === 0 || value === 0n) return true;
  if (isCelUint(value)) return value.value === 0n;
  if (isCelList(value) || isCelMap(value)) return value.size === 0;
  if (value instanceof Uint8Array) return value.length === 0;
  return false;
}

export const optionalLibrary: CelLibrary = {
  name: 'optional types',
  introducedIn: 28,
  functions: [
    celFunc('optional.of', [DYN], DYN, (value) => CelOptional.of(value)),
    celFunc('optional.none', [], DYN, () => CelOptional.none),
    celFunc('optional.ofNonZeroValue', [DYN], DYN, (value) => (isZero(value) ? CelOptional.none : CelOptional.of(value))),
    celMethod('hasValue', DYN, [], DYN, function () {
      return expect(this, CelOptional, 'hasValue', this).inner !== undefined;
    }),
    celMethod('value', DYN, [], DYN, function () {
      const optional = expect(this, CelOptional, 'value', this);
      if (optional.inner === undefined) throw new Error('optional.none() dereference');
      return optional.inner;
    }),
    celMethod('orValue', DYN, [DYN], DYN, function (fallback) {
      const optional = expect(this, CelOptional, 'orValue', this, fallback);
      return optional.inner ?? fallback;
    }),
    celMethod('or', DYN, [DYN], DYN, function (other) {
      const optional = expect(this, CelOptional, 'or', this, other);
      if (!(other instanceof CelOptional)) throw noOverload('or', this, other);
      return optional.inner !== undefined ? optional : other;
    }),
  ],
};
