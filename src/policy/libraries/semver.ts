/**
 * Kubernetes semver library (1.33+, library version 1): `semver(s)`,
 * `semver(s, normalize)`, `isSemver`, `major`, `minor`, `patch`, and the
 * comparisons in compare.ts. Strict Semantic Versioning 2.0.0 parsing;
 * normalisation (version 1) accepts a `v` prefix, missing minor or patch and
 * leading zeros, as Kubernetes does.
 */
import { celFunc, celMethod, CelScalar } from '@bufbuild/cel';
import type { CelLibrary } from '../library.js';
import { expect, OpaqueValue } from './opaque.js';

const { DYN, STRING, BOOL, INT } = CelScalar;
const IDENTIFIERS = '[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*';
const STRICT = new RegExp(`^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(?:-(${IDENTIFIERS}))?(?:\\+(${IDENTIFIERS}))?$`);

export class Semver extends OpaqueValue {
  readonly celTypeName = 'kubernetes.Semver';
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    readonly prerelease: readonly string[],
    readonly build: string,
  ) {
    super();
  }
  celString(): string {
    return `${this.major}.${this.minor}.${this.patch}${this.prerelease.length > 0 ? `-${this.prerelease.join('.')}` : ''}${this.build !== '' ? `+${this.build}` : ''}`;
  }
  protected equalityKey(): string {
    // Build metadata does not take part in precedence or equality.
    return `${this.major}.${this.minor}.${this.patch}-${this.prerelease.join('.')}`;
  }
  compare(other: Semver): number {
    return semverCompare(this, other);
  }
}

/** Adds what strict parsing lacks: drops a `v` prefix, pads missing minor/patch with 0, strips leading zeros. */
export function normalizeSemver(text: string): string {
  let rest = text.startsWith('v') ? text.slice(1) : text;
  const suffixAt = rest.search(/[-+]/);
  const suffix = suffixAt >= 0 ? rest.slice(suffixAt) : '';
  rest = suffixAt >= 0 ? rest.slice(0, suffixAt) : rest;
  const parts = rest.split('.');
  while (parts.length < 3) parts.push('0');
  return `${parts.map((part) => (/^[0-9]+$/.test(part) ? part.replace(/^0+(?=[0-9])/, '') : part)).join('.')}${suffix}`;
}

export function parseSemver(text: string, normalize = false): Semver | string {
  const candidate = normalize ? normalizeSemver(text) : text;
  const match = STRICT.exec(candidate);
  if (match === null) return `invalid semver: ${JSON.stringify(text)}`;
  const prerelease = match[4] === undefined ? [] : match[4].split('.');
  if (prerelease.some((identifier) => /^0[0-9]+$/.test(identifier))) return `invalid semver: numeric pre-release identifiers must not have leading zeros: ${JSON.stringify(text)}`;
  return new Semver(BigInt(match[1] ?? 0), BigInt(match[2] ?? 0), BigInt(match[3] ?? 0), prerelease, match[5] ?? '');
}

function compareIdentifiers(left: string, right: string): number {
  const leftNumeric = /^[0-9]+$/.test(left);
  const rightNumeric = /^[0-9]+$/.test(right);
  if (leftNumeric && rightNumeric) {
    const a = BigInt(left);
    const b = BigInt(right);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (leftNumeric) return -1;
  if (rightNumeric) return 1;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function semverCompare(left: Semver, right: Semver): number {
  for (const [a, b] of [
    [left.major, right.major],
    [left.minor, right.minor],
    [left.patch, right.patch],
  ] as const) {
    if (a !== b) return a < b ? -1 : 1;
  }
  if (left.prerelease.length === 0 || right.prerelease.length === 0) return right.prerelease.length - left.prerelease.length === 0 ? 0 : left.prerelease.length === 0 ? 1 : -1;
  for (let index = 0; index < Math.min(left.prerelease.length, right.prerelease.length); index++) {
    const order = compareIdentifiers(left.prerelease[index] ?? '', right.prerelease[index] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(left.prerelease.length - right.prerelease.length);
}

function parseOrThrow(text: string, normalize: boolean): Semver {
  const parsed = parseSemver(text, normalize);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

export const semverLibrary: CelLibrary = {
  name: 'Kubernetes semver',
  introducedIn: 33,
  functions: [
    celFunc('semver', [STRING], DYN, (text) => parseOrThrow(text, false)),
    celFunc('semver', [STRING, BOOL], DYN, (text, normalize) => parseOrThrow(text, normalize)),
    celFunc('isSemver', [STRING], BOOL, (text) => typeof parseSemver(text) !== 'string'),
    celFunc('isSemver', [STRING, BOOL], BOOL, (text, normalize) => typeof parseSemver(text, normalize) !== 'string'),
    celMethod('major', DYN, [], INT, function () {
      return expect(this, Semver, 'major', this).major;
    }),
    celMethod('minor', DYN, [], INT, function () {
      return expect(this, Semver, 'minor', this).minor;
    }),
    celMethod('patch', DYN, [], INT, function () {
      return expect(this, Semver, 'patch', this).patch;
    }),
  ],
};
