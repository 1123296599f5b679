/**
 * Semantic Versioning 2.0.0 precedence (npm, Go modules, Cargo, NuGet...):
 * MAJOR.MINOR.PATCH[-prerelease][+build]; build metadata is ignored; a
 * pre-release sorts before its release; numeric identifiers compare as
 * numbers and sort before alphanumeric ones. A leading "v" is accepted (Go).
 */
export interface SemVer {
  readonly core: readonly [bigint, bigint, bigint];
  readonly prerelease: readonly string[];
}

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;

export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text.trim());
  if (match === null) return undefined;
  return { core: [BigInt(match[1]!), BigInt(match[2]!), BigInt(match[3]!)], prerelease: match[4] === undefined ? [] : match[4].split('.') };
}

function compareIdentifier(left: string, right: string): number {
  const leftNumeric = /^\d+$/.test(left);
  const rightNumeric = /^\d+$/.test(right);
  if (leftNumeric && rightNumeric) {
    const a = BigInt(left);
    const b = BigInt(right);
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (leftNumeric !== rightNumeric) return leftNumeric ? -1 : 1;
  return left === right ? 0 : left < right ? -1 : 1;
}

export function compareParsedSemver(a: SemVer, b: SemVer): number {
  for (let index = 0; index < 3; index++) {
    if (a.core[index] !== b.core[index]) return a.core[index]! < b.core[index]! ? -1 : 1;
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    if (a.prerelease.length === b.prerelease.length) return 0;
    return a.prerelease.length === 0 ? 1 : -1;
  }
  const count = Math.min(a.prerelease.length, b.prerelease.length);
  for (let index = 0; index < count; index++) {
    const order = compareIdentifier(a.prerelease[index]!, b.prerelease[index]!);
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/** Compares two semantic versions; throws VersionSyntaxError when one is not semver. */
export function compareSemver(left: string, right: string): number {
  const a = parseSemver(left);
  const b = parseSemver(right);
  if (a === undefined) throw new VersionSyntaxError('semver', left);
  if (b === undefined) throw new VersionSyntaxError('semver', right);
  return compareParsedSemver(a, b);
}

export class VersionSyntaxError extends Error {
  constructor(
    readonly scheme: string,
    readonly version: string,
  ) {
    super(`${JSON.stringify(version)} is not a valid ${scheme} version`);
  }
}
