/**
 * Kubernetes quantity library (1.28+). A quantity is held exactly as an
 * integer over a power of ten, so `quantity('1.5Gi') == quantity('1536Mi')`
 * and `quantity('0.1') + quantity('0.2')` compare exactly, as
 * resource.Quantity does.
 */
import { celFunc, celMethod, CelScalar } from '@bufbuild/cel';
import type { CelLibrary } from '../library.js';
import { expect, noOverload, OpaqueValue } from './opaque.js';

const { DYN, STRING, BOOL, INT, DOUBLE } = CelScalar;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;
/** Bounds hostile input: `1e999999999` would otherwise allocate a billion-digit integer. */
const MAX_EXPONENT = 1000;
const MAX_DIGITS = 200;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

export class Quantity extends OpaqueValue {
  readonly celTypeName = 'kubernetes.Quantity';
  /** value = numerator / 10^scale, reduced (numerator not divisible by 10 unless scale is 0). */
  private constructor(
    readonly numerator: bigint,
    readonly scale: number,
    private readonly source: string,
  ) {
    super();
  }

  static make(numerator: bigint, scale: number, source?: string): Quantity {
    let n = numerator;
    let s = scale;
    while (s > 0 && n % 10n === 0n) {
      n /= 10n;
      s -= 1;
    }
    while (s < 0) {
      n *= 10n;
      s += 1;
    }
    return new Quantity(n, s, source ?? formatDecimal(n, s));
  }

  static parse(text: string): Quantity | string {
    const match = QUANTITY.exec(text);
    if (match === null) return 'quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'';
    const number = match[1] ?? '';
    const suffix = match[2] ?? '';
    const negative = number.startsWith('-');
    const unsigned = number.replace(/^[+-]/, '');
    const [whole = '', fraction = ''] = unsigned.split('.');
    if (whole.length + fraction.length > MAX_DIGITS) return 'quantity has too many digits';
    let numerator = BigInt(`${whole}${fraction}` || '0');
    let scale = fraction.length;
    if (suffix in BINARY) numerator *= 1n << BigInt(10 * (BINARY[suffix] ?? 0));
    else if (suffix in DECIMAL) scale -= DECIMAL[suffix] ?? 0;
    else {
      const exponent = Number(suffix.slice(1));
      if (Math.abs(exponent) > MAX_EXPONENT) return 'quantity exponent out of range';
      scale -= exponent;
    }
    return Quantity.make(negative ? -numerator : numerator, scale, text);
  }

  celString(): string {
    return this.source;
  }
  protected equalityKey(): string {
    return `${this.numerator}/${this.scale}`;
  }
  compare(other: Quantity): number {
    const scale = Math.max(this.scale, other.scale);
    const left = this.numerator * 10n ** BigInt(scale - this.scale);
    const right = other.numerator * 10n ** BigInt(scale - other.scale);
    return left < right ? -1 : left > right ? 1 : 0;
  }
  plus(other: Quantity, sign: 1n | -1n): Quantity {
    const scale = Math.max(this.scale, other.scale);
    const left = this.numerator * 10n ** BigInt(scale - this.scale);
    const right = other.numerator * 10n ** BigInt(scale - other.scale);
    return Quantity.make(left + sign * right, scale);
  }
}

function formatDecimal(numerator: bigint, scale: number): string {
  if (scale === 0) return numerator.toString();
  const negative = numerator < 0n;
  const digits = (negative ? -numerator : numerator).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
}

function parseOrThrow(text: string): Quantity {
  const parsed = Quantity.parse(text);
  if (typeof parsed === 'string') throw new Error(`invalid quantity ${JSON.stringify(text)}: ${parsed}`);
  return parsed;
}

function operand(value: unknown, name: string, self: unknown): Quantity {
  if (value instanceof Quantity) return value;
  if (typeof value === 'bigint') return Quantity.make(value, 0);
  throw noOverload(name, self, value);
}

/** Quantity methods share names with semver ones; each dispatches on its receiver. */
export function quantityMethod(name: string, self: unknown, args: unknown[]): unknown {
  const quantity = expect(self, Quantity, name, self, ...args);
  switch (name) {
    case 'isInteger':
      return quantity.scale === 0;
    case 'asInteger':
      if (quantity.scale !== 0 || quantity.numerator > INT64_MAX || quantity.numerator < INT64_MIN) throw new Error(`cannot convert value to integer: ${quantity.celString()}`);
      return quantity.numerator;
    case 'asApproximateFloat':
      return Number(quantity.numerator) / 10 ** quantity.scale;
    case 'sign':
      return quantity.numerator > 0n ? 1n : quantity.numerator < 0n ? -1n : 0n;
    case 'add':
      return quantity.plus(operand(args[0], name, self), 1n);
    case 'sub':
      return quantity.plus(operand(args[0], name, self), -1n);
    case 'isGreaterThan':
      return quantity.compare(expect(args[0], Quantity, name, self, ...args)) > 0;
    case 'isLessThan':
      return quantity.compare(expect(args[0], Quantity, name, self, ...args)) < 0;
    case 'compareTo':
      return BigInt(quantity.compare(expect(args[0], Quantity, name, self, ...args)));
    default:
      throw noOverload(name, self, ...args);
  }
}

export const quantityLibrary: CelLibrary = {
  name: 'Kubernetes quantity',
  introducedIn: 28,
  functions: [
    celFunc('quantity', [STRING], DYN, (text) => parseOrThrow(text)),
    celFunc('isQuantity', [STRING], BOOL, (text) => !(typeof Quantity.parse(text) === 'string')),
    celMethod('isInteger', DYN, [], BOOL, function () {
      return quantityMethod('isInteger', this, []) as boolean;
    }),
    celMethod('asInteger', DYN, [], INT, function () {
      return quantityMethod('asInteger', this, []) as bigint;
    }),
    celMethod('asApproximateFloat', DYN, [], DOUBLE, function () {
      return quantityMethod('asApproximateFloat', this, []) as number;
    }),
    celMethod('sign', DYN, [], INT, function () {
      return quantityMethod('sign', this, []) as bigint;
    }),
    celMethod('add', DYN, [DYN], DYN, function (other) {
      return quantityMethod('add', this, [other]) as Quantity;
    }),
    celMethod('sub', DYN, [DYN], DYN, function (other) {
      return quantityMethod('sub', this, [other]) as Quantity;
    }),
  ],
};
