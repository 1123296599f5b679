/** One version ordering per ecosystem, chosen by the ecosystem's name in OSV terms. */
import { compareApk } from './apk.js';
import { compareDpkg } from './dpkg.js';
import { compareMaven } from './maven.js';
import { comparePep440 } from './pep440.js';
import { compareRpm } from './rpm.js';
import { compareSemver } from './semver.js';

export { VersionSyntaxError } from './semver.js';

export type VersionScheme = 'dpkg' | 'apk' | 'rpm' | 'semver' | 'pep440' | 'maven';

export const COMPARATORS: Record<VersionScheme, (left: string, right: string) => number> = {
  dpkg: compareDpkg,
  apk: compareApk,
  rpm: compareRpm,
  semver: compareSemver,
  pep440: comparePep440,
  maven: compareMaven,
};

/**
 * The version scheme of an OSV ecosystem ("Debian:12" → dpkg), or undefined
 * for ecosystems Rampart has no exact ordering for (those never match by range).
 */
export function schemeForEcosystem(ecosystem: string): VersionScheme | undefined {
  const base = ecosystem.split(':')[0]!.toLowerCase();
  switch (base) {
    case 'debian':
    case 'ubuntu':
      return 'dpkg';
    case 'alpine':
    case 'wolfi':
    case 'chainguard':
      return 'apk';
    case 'red hat':
    case 'rocky linux':
    case 'almalinux':
    case 'opensuse':
    case 'suse':
    case 'mageia':
    case 'openeuler':
    case 'rpm':
      return 'rpm';
    case 'npm':
    case 'go':
    case 'crates.io':
    case 'nuget':
    case 'hex':
    case 'pub':
      return 'semver';
    case 'pypi':
      return 'pep440';
    case 'maven':
      return 'maven';
    default:
      return undefined;
  }
}

export function compareVersions(scheme: VersionScheme, left: string, right: string): number {
  return COMPARATORS[scheme](left, right);
}
