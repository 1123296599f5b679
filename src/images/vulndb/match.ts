/**
 * Matching packages to advisories, and explaining every verdict. Pure: the
 * database is read through `candidates`/`byId` results passed in. Each
 * package is looked up in exactly its own ecosystem (an OS package by its
 * source package in its distribution release, never in a language feed),
 * and versions compare with that ecosystem's ordering.
 */
import type { ImageSeverity } from '../configChecks.js';
import type { OsRelease, Package } from '../model.js';
import { compareVersions, VersionSyntaxError, type VersionScheme } from '../versions/index.js';
import { DEBIAN_RELEASES, type Advisory, type AffectedEntry } from './feeds.js';
import { ecosystemKey, packageKey } from './store.js';

export interface PackageQuery {
  readonly ecosystems: readonly string[];
  readonly name: string;
  readonly version: string;
  readonly scheme: VersionScheme;
}

const RPM_DISTROS: Readonly<Record<string, string>> = { rocky: 'Rocky Linux', almalinux: 'AlmaLinux', rhel: 'Red Hat', opensuse: 'openSUSE', 'opensuse-leap': 'openSUSE', sles: 'SUSE', mageia: 'Mageia', openeuler: 'openEuler' };

/** Where and how a package is looked up; a string says why it cannot be. */
export function packageQuery(found: Package, os: OsRelease | undefined): PackageQuery | string {
  switch (found.type) {
    case 'deb': {
      const source = found.source ?? { name: found.name, version: found.version };
      if (os?.id === 'debian') {
        const major = os.versionId?.split('.')[0];
        const codename = os.versionCodename;
        const ecosystems = [major, codename, codename === undefined ? undefined : DEBIAN_RELEASES[codename]].filter((value): value is string => value !== undefined).map((release) => `Debian:${release}`);
        if (ecosystems.length === 0) return 'the Debian release is unknown (no VERSION_ID or VERSION_CODENAME in os-release)';
        return { ecosystems: [...new Set(ecosystems)], name: source.name, version: source.version, scheme: 'dpkg' };
      }
      if (os?.id === 'ubuntu' && os.versionId !== undefined) return { ecosystems: [`Ubuntu:${os.versionId}`, `Ubuntu:${os.versionId}:LTS`, `Ubuntu:Pro:${os.versionId}:LTS`], name: source.name, version: source.version, scheme: 'dpkg' };
      return `no vendor feed for deb packages of ${os?.id ?? 'an unknown distribution'}`;
    }
    case 'apk': {
      if ((os?.id === 'alpine' || os?.id === 'wolfi' || os?.id === 'chainguard') && os.versionId !== undefined) {
        const release = os.id === 'alpine' ? `Alpine:v${os.versionId.split('.').slice(0, 2).join('.')}` : os.id === 'wolfi' ? 'Wolfi' : 'Chainguard';
        return { ecosystems: [release], name: found.source?.name ?? found.name, version: found.version, scheme: 'apk' };
      }
      return `no vendor feed for apk packages of ${os?.id ?? 'an unknown distribution'}`;
    }
    case 'rpm': {
      const distro = os === undefined ? undefined : RPM_DISTROS[os.id];
      if (distro === undefined || os?.versionId === undefined) return `no vendor feed for rpm packages of ${os?.id ?? 'an unknown distribution'}`;
      return { ecosystems: [`${distro}:${os.versionId.split('.')[0]!}`, `${distro}:${os.versionId}`], name: found.source?.name ?? found.name, version: found.version, scheme: 'rpm' };
    }
    case 'npm':
      return { ecosystems: ['npm'], name: found.name, version: found.version, scheme: 'semver' };
    case 'pypi':
      return { ecosystems: ['PyPI'], name: found.name, version: found.version, scheme: 'pep440' };
    case 'golang':
      return { ecosystems: ['Go'], name: found.name, version: found.version, scheme: 'semver' };
    case 'cargo':
      return { ecosystems: ['crates.io'], name: found.name, version: found.version, scheme: 'semver' };
    case 'maven':
      return { ecosystems: ['Maven'], name: `${found.namespace ?? ''}:${found.name}`, version: found.version, scheme: 'maven' };
  }
}

export type EntryVerdict = { readonly affected: true; readonly fixed?: string; readonly reason: string } | { readonly affected: false; readonly reason: string };

function eventVersion(event: object): [kind: 'introduced' | 'fixed' | 'last_affected' | 'limit', version: string] {
  const [kind, version] = Object.entries(event)[0] as ['introduced' | 'fixed' | 'last_affected' | 'limit', string];
  return [kind, version];
}

/** Whether one affected entry covers a version (OSV range semantics: introduced ≤ v < fixed, v ≤ last_affected). */
export function evaluateEntry(entry: AffectedEntry, version: string, scheme: VersionScheme): EntryVerdict {
  if (entry.notAffected === true) return { affected: false, reason: `the vendor marks it not affected (${entry.note ?? 'not affected'})` };
  if (entry.versions.includes(version)) return { affected: true, reason: `version ${version} is listed as affected` };
  const compare = (left: string, right: string): number => {
    if (left === '0') return right === '0' ? 0 : -1;
    if (right === '0') return 1;
    return compareVersions(scheme, left, right);
  };
  try {
    for (const range of entry.ranges) {
      if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') continue;
      const events = range.events.map(eventVersion).sort((a, b) => compare(a[1], b[1]));
      let affected = false;
      let introduced: string | undefined;
      for (const [kind, at] of events) {
        if (kind === 'introduced' && compare(version, at) >= 0) {
          affected = true;
          introduced = at;
        } else if ((kind === 'fixed' || kind === 'limit') && compare(version, at) >= 0) affected = false;
        else if (kind === 'last_affected' && compare(version, at) > 0) affected = false;
      }
      if (affected) {
        const fixed = events.find(([kind, at]) => kind === 'fixed' && compare(at, version) > 0)?.[1];
        const lastAffected = events.find(([kind, at]) => kind === 'last_affected' && compare(at, version) >= 0)?.[1];
        const bound = fixed !== undefined ? `, fixed in ${fixed}` : lastAffected !== undefined ? `, affected up to ${lastAffected}` : `, no fixed version${entry.note === undefined ? '' : ` (${entry.note})`}`;
        return { affected: true, ...(fixed === undefined ? {} : { fixed }), reason: `version ${version} is at or after ${introduced === '0' ? 'the first version' : `introduced ${introduced}`}${bound}` };
      }
    }
  } catch (error) {
    if (error instanceof VersionSyntaxError) return { affected: false, reason: `cannot compare versions: ${error.message}` };
    throw error;
  }
  const fixedVersions = entry.ranges.flatMap((range) => range.events.map(eventVersion).filter(([kind]) => kind === 'fixed').map(([, at]) => at));
  return { affected: false, reason: fixedVersions.length > 0 ? `version ${version} is not in the affected range (fixed in ${fixedVersions.join(', ')})` : `version ${version} is not in any affected range` };
}

export interface VulnerabilityMatch {
  /** The CVE id when the advisory has one, else the advisory's id. */
  readonly id: string;
  readonly advisoryIds: readonly string[];
  readonly sources: readonly string[];
  readonly package: Package;
  readonly fixedVersion?: string;
  readonly severity: ImageSeverity | 'unknown';
  readonly cvss?: number;
  readonly summary?: string;
  readonly reason: string;
}

export function primaryId(advisory: Advisory): string {
  if (advisory.id.startsWith('CVE-')) return advisory.id;
  return advisory.aliases.find((alias) => alias.startsWith('CVE-')) ?? advisory.id;
}

function entriesFor(advisory: Advisory, query: PackageQuery): AffectedEntry[] {
  const ecosystems = new Set(query.ecosystems.map(ecosystemKey));
  return advisory.affected.filter((entry) => ecosystems.has(ecosystemKey(entry.ecosystem)) && packageKey(entry.ecosystem, entry.package) === packageKey(query.ecosystems[0]!, query.name));
}

/** The vulnerabilities of one package among its candidate advisories (one match per vulnerability id). */
export function matchPackage(found: Package, query: PackageQuery, advisories: readonly (Advisory & { source: string })[]): VulnerabilityMatch[] {
  const byId = new Map<string, { match: VulnerabilityMatch; notAffected: boolean }>();
  const explicitlyNotAffected = new Set<string>();
  for (const advisory of advisories) {
    if (advisory.withdrawn !== undefined) continue;
    const id = primaryId(advisory);
    for (const entry of entriesFor(advisory, query)) {
      const verdict = evaluateEntry(entry, query.version, query.scheme);
      if (entry.notAffected === true) explicitlyNotAffected.add(id);
      if (!verdict.affected) continue;
      const severity = entry.severity ?? advisory.severity ?? 'unknown';
      const previous = byId.get(id)?.match;
      const merged: VulnerabilityMatch = {
        id,
        advisoryIds: [...new Set([...(previous?.advisoryIds ?? []), advisory.id])],
        sources: [...new Set([...(previous?.sources ?? []), advisory.source])],
        package: found,
        ...((verdict.fixed ?? previous?.fixedVersion) === undefined ? {} : { fixedVersion: (verdict.fixed ?? previous?.fixedVersion)! }),
        severity: previous === undefined || previous.severity === 'unknown' ? severity : previous.severity,
        ...((advisory.cvss ?? previous?.cvss) === undefined ? {} : { cvss: (advisory.cvss ?? previous?.cvss)! }),
        ...((previous?.summary ?? advisory.summary) === undefined ? {} : { summary: (previous?.summary ?? advisory.summary)! }),
        reason: previous?.reason ?? `${advisory.source} ${advisory.id}: ${verdict.reason}`,
      };
      byId.set(id, { match: merged, notAffected: false });
    }
  }
  // A vendor's explicit "never affected" for this release wins over a range elsewhere.
  return [...byId.values()].filter((entry) => !explicitlyNotAffected.has(entry.match.id)).map((entry) => entry.match);
}

/** Every reason an advisory does or does not apply to a package, one line each. */
export function explainMatch(found: Package, query: PackageQuery | string, advisories: readonly (Advisory & { source: string })[], vulnerability: string): string[] {
  const label = `${found.type} package ${found.name} ${found.version}${found.source !== undefined && found.source.name !== found.name ? ` (source package ${found.source.name} ${found.source.version})` : ''}`;
  if (typeof query === 'string') return [`${label}: not matched: ${query}`];
  if (advisories.length === 0) return [`${label}: the database has no advisory with id or alias ${vulnerability}`];
  const lines: string[] = [];
  for (const advisory of advisories) {
    const head = `${label}: ${advisory.source} ${advisory.id}`;
    if (advisory.withdrawn !== undefined) {
      lines.push(`${head}: withdrawn on ${advisory.withdrawn}, so never matched`);
      continue;
    }
    const entries = entriesFor(advisory, query);
    if (entries.length === 0) {
      const listed = advisory.affected.map((entry) => `${entry.ecosystem}/${entry.package}`);
      const sameName = advisory.affected.filter((entry) => packageKey(entry.ecosystem, entry.package) === packageKey(query.ecosystems[0]!, query.name) || entry.package === found.name);
      const why =
        sameName.length > 0
          ? `it names ${sameName.map((entry) => `${entry.ecosystem}/${entry.package}`).join(', ')}, but this package is looked up only as ${query.ecosystems.join(' or ')}/${query.name}${['deb', 'apk', 'rpm'].includes(found.type) ? ' (OS packages match their vendor feed only, by source package)' : ''}`
          : `it covers ${listed.slice(0, 8).join(', ')}${listed.length > 8 ? ', …' : ''}, not ${query.ecosystems.join(' or ')}/${query.name}`;
      lines.push(`${head}: not matched: ${why}`);
      continue;
    }
    for (const entry of entries) {
      const verdict = evaluateEntry(entry, query.version, query.scheme);
      lines.push(`${head} [${entry.ecosystem}/${entry.package}]: ${verdict.affected ? 'AFFECTED' : 'not affected'}: ${verdict.reason} (${query.scheme} ordering)`);
    }
  }
  return lines;
}
