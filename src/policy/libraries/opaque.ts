/**
 * Kubernetes' own CEL types (Quantity, URL, IP, CIDR, Semver, Format) and
 * optionals as opaque values. @bufbuild/cel has no hook for custom non-proto
 * types, so an opaque value presents itself as a one-entry map whose entry is
 * its canonical form: CEL equality between two values of the same kind then
 * compares them semantically (`quantity('1.5Gi') == quantity('1536Mi')`), and
 * values of different kinds never compare equal.
 */
import type { CelValue } from '@bufbuild/cel';
import { celTypeName, markAsCelMap } from '../values.js';

const EQUALITY_KEY = '@equality';

export abstract class OpaqueValue {
  abstract readonly celTypeName: string;
  /** The form `string(x)` and reports print. */
  abstract celString(): string;
  /** Equal keys ⇔ equal values. */
  protected abstract equalityKey(): string;

  get size(): number {
    return 1;
  }
  get(key: unknown): CelValue | undefined {
    return key === EQUALITY_KEY ? `${this.celTypeName}:${this.equalityKey()}` : undefined;
  }
  has(key: unknown): boolean {
    return key === EQUALITY_KEY;
  }
  *entries(): IterableIterator<[string, CelValue]> {
    yield [EQUALITY_KEY, `${this.celTypeName}:${this.equalityKey()}`];
  }
  *keys(): IterableIterator<string> {
    yield EQUALITY_KEY;
  }
  *values(): IterableIterator<CelValue> {
    yield `${this.celTypeName}:${this.equalityKey()}`;
  }
  forEach(callback: (value: CelValue, key: string, map: OpaqueValue) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
  [Symbol.iterator](): IterableIterator<[string, CelValue]> {
    return this.entries();
  }
}

markAsCelMap(OpaqueValue);

/** The error cel-go gives when no overload matches; functions on opaque types share names, so they dispatch themselves. */
export function noOverload(functionName: string, ...args: unknown[]): Error {
  return new Error(`found no matching overload for '${functionName}' applied to '(${args.map(celTypeName).join(', ')})'`);
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function expect<T>(value: unknown, kind: Function & { prototype: T }, functionName: string, ...all: unknown[]): T {
  if (value instanceof kind) return value as T;
  throw noOverload(functionName, ...all);
}
