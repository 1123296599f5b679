/**
 * Vulnerability feeds → one normalised advisory shape: OSV records (any
 * ecosystem), the Debian security tracker JSON, Alpine secdb. Pure: text in,
 * advisories out; a malformed file is a FeedError naming the file and place.
 */
import type { ImageSeverity } from '../configChecks.js';
import { cvss3BaseScore, ratingOfScore } from './cvss.js';

export class FeedError extends Error {}

export type RangeEvent = { readonly introduced: string } | { readonly fixed: string } | { readonly last_affected: string } | { readonly limit: string };

export interface AffectedEntry {
  /** As the feed writes it ("Debian:12", "PyPI"). */
  readonly ecosystem: string;
  readonly package: string;
  readonly ranges: readonly { readonly type: string; readonly events: readonly RangeEvent[] }[];
  readonly versions: readonly string[];
  /** The vendor says this package in this release was never affected. */
  readonly notAffected?: boolean;
  /** Vendor severity for this package (Debian urgency), when it has one. */
  readonly severity?: ImageSeverity;
  /** The vendor's own words on status ("open", "undetermined", "unimportant"). */
  readonly note?: string;
}

export interface Advisory {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly summary?: string;
  readonly severity?: ImageSeverity;
  readonly cvss?: number;
  readonly withdrawn?: string;
  readonly modified?: string;
  readonly affected: readonly AffectedEntry[];
}

export interface Feed {
  /** "osv", "debian-tracker", "alpine-secdb:v3.20/main". */
  readonly source: string;
  readonly kind: 'osv' | 'debian-tracker' | 'alpine-secdb';
  /** Replace every advisory of the source (whole-feed sources), or only the ids imported (OSV). */
  readonly replaceAll: boolean;
  readonly advisories: readonly Advisory[];
  /** The newest date found in the data, when it has any. */
  readonly dataTime?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SEVERITY_WORDS: Record<string, ImageSeverity> = { critical: 'critical', high: 'high', important: 'high', moderate: 'medium', medium: 'medium', low: 'low', negligible: 'low', unimportant: 'low' };

function severityWord(value: unknown): ImageSeverity | undefined {
  return typeof value === 'string' ? SEVERITY_WORDS[value.toLowerCase()] : undefined;
}

/** One OSV record; `where` names the file (and index) in messages. */
export function parseOsvRecord(value: unknown, where: string): Advisory {
  if (!isObject(value)) throw new FeedError(`${where}: an OSV record must be a JSON object`);
  if (typeof value.id !== 'string' || value.id === '') throw new FeedError(`${where}: OSV record without an "id"`);
  const id = value.id;
  const at = `${where} (${id})`;
  if (typeof value.modified !== 'string') throw new FeedError(`${at}: OSV record without a "modified" time`);
  if (value.aliases !== undefined && (!Array.isArray(value.aliases) || value.aliases.some((alias) => typeof alias !== 'string'))) throw new FeedError(`${at}: "aliases" must be a list of strings`);
  if (value.affected !== undefined && !Array.isArray(value.affected)) throw new FeedError(`${at}: "affected" must be a list`);
  const affected: AffectedEntry[] = [];
  ((value.affected ?? []) as unknown[]).forEach((entry, index) => {
    const place = `${at}: affected[${index}]`;
    if (!isObject(entry) || !isObject(entry.package) || typeof entry.package.ecosystem !== 'string' || typeof entry.package.name !== 'string') {
      throw new FeedError(`${place}: needs package.ecosystem and package.name`);
    }
    const ranges = entry.ranges ?? [];
    if (!Array.isArray(ranges)) throw new FeedError(`${place}: "ranges" must be a list`);
    const parsedRanges = ranges.map((range, rangeIndex) => {
      if (!isObject(range) || typeof range.type !== 'string' || !Array.isArray(range.events)) throw new FeedError(`${place}.ranges[${rangeIndex}]: needs "type" and "events"`);
      const events = range.events.map((event, eventIndex): RangeEvent => {
        if (isObject(event)) {
          for (const key of ['introduced', 'fixed', 'last_affected', 'limit'] as const) if (typeof event[key] === 'string') return { [key]: event[key] } as RangeEvent;
        }
        throw new FeedError(`${place}.ranges[${rangeIndex}].events[${eventIndex}]: an event needs one of introduced, fixed, last_affected, limit`);
      });
      return { type: range.type, events };
    });
    const versions = entry.versions ?? [];
    if (!Array.isArray(versions) || versions.some((version) => typeof version !== 'string')) throw new FeedError(`${place}: "versions" must be a list of strings`);
    const specific = [entry.ecosystem_specific, entry.database_specific].find((item) => isObject(item) && severityWord(item.severity) !== undefined) as Record<string, unknown> | undefined;
    const severity = specific === undefined ? undefined : severityWord(specific.severity);
    affected.push({ ecosystem: entry.package.ecosystem, package: entry.package.name, ranges: parsedRanges, versions: versions as string[], ...(severity === undefined ? {} : { severity }) });
  });
  let cvss: number | undefined;
  if (Array.isArray(value.severity)) {
    for (const item of value.severity) {
      if (isObject(item) && typeof item.score === 'string') {
        const score = cvss3BaseScore(item.score);
        if (score !== undefined) cvss = Math.max(cvss ?? 0, score);
      }
    }
  }
  const databaseSeverity = isObject(value.database_specific) ? severityWord(value.database_specific.severity) : undefined;
  const severity = databaseSeverity ?? (cvss === undefined ? undefined : ratingOfScore(cvss));
  return {
    id,
    aliases: (value.aliases ?? []) as string[],
    ...(typeof value.summary === 'string' ? { summary: value.summary } : typeof value.details === 'string' ? { summary: value.details.split('\n')[0]!.slice(0, 200) } : {}),
    ...(severity === undefined ? {} : { severity }),
    ...(cvss === undefined ? {} : { cvss }),
    ...(typeof value.withdrawn === 'string' ? { withdrawn: value.withdrawn } : {}),
    modified: value.modified,
    affected,
  };
}

/** Debian release codenames to their version numbers (OSV's "Debian:12"). */
export const DEBIAN_RELEASES: Readonly<Record<string, string>> = { buster: '10', bullseye: '11', bookworm: '12', trixie: '13', forky: '14' };

const DEBIAN_URGENCY: Record<string, ImageSeverity> = { 'unimportant': 'low', 'low': 'low', 'low*': 'low', 'low**': 'low', 'medium': 'medium', 'medium*': 'medium', 'medium**': 'medium', 'high': 'high', 'high*': 'high', 'high**': 'high' };

/**
 * The Debian security tracker's JSON (security-tracker.debian.org/tracker/data/json):
 * source package → CVE → releases → status, fixed_version, urgency.
 * "resolved" with fixed_version "0" means the release never had the bug.
 */
export function parseDebianTracker(value: unknown, where: string): Advisory[] {
  if (!isObject(value)) throw new FeedError(`${where}: the Debian tracker JSON must be an object of source packages`);
  const byId = new Map<string, { summary?: string; affected: AffectedEntry[] }>();
  for (const [sourcePackage, issues] of Object.entries(value)) {
    if (!isObject(issues)) throw new FeedError(`${where}: package ${JSON.stringify(sourcePackage)} must map issue ids to objects`);
    for (const [issueId, issue] of Object.entries(issues)) {
      if (!isObject(issue) || !isObject(issue.releases)) throw new FeedError(`${where}: ${sourcePackage}/${issueId} has no "releases" object`);
      const advisory = byId.get(issueId) ?? { affected: [] };
      if (advisory.summary === undefined && typeof issue.description === 'string') advisory.summary = issue.description;
      for (const [release, data] of Object.entries(issue.releases)) {
        if (!isObject(data) || typeof data.status !== 'string') throw new FeedError(`${where}: ${sourcePackage}/${issueId}/${release} has no "status"`);
        const ecosystem = `Debian:${DEBIAN_RELEASES[release] ?? release}`;
        const urgency = typeof data.urgency === 'string' ? DEBIAN_URGENCY[data.urgency] : undefined;
        const base = { ecosystem, package: sourcePackage, versions: [], ...(urgency === undefined ? {} : { severity: urgency }) };
        const fixed = typeof data.fixed_version === 'string' ? data.fixed_version : undefined;
        if (data.status === 'resolved' && fixed === '0') advisory.affected.push({ ...base, ranges: [], notAffected: true, note: 'resolved: the release never had the vulnerable code (fixed_version 0)' });
        else if (data.status === 'resolved' && fixed !== undefined) advisory.affected.push({ ...base, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] });
        else advisory.affected.push({ ...base, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], note: `${data.status}${data.urgency === 'unimportant' ? ', unimportant' : ''}: no fixed version` });
      }
      byId.set(issueId, advisory);
    }
  }
  return [...byId].map(([id, advisory]) => ({ id, aliases: [], ...(advisory.summary === undefined ? {} : { summary: advisory.summary }), affected: advisory.affected }));
}

/** Alpine secdb (secdb.alpinelinux.org/v3.20/main.json): package → fixed version → CVEs; fixed version "0" means never affected. */
export function parseAlpineSecdb(value: unknown, where: string): { advisories: Advisory[]; source: string } {
  if (!isObject(value) || typeof value.distroversion !== 'string' || !Array.isArray(value.packages)) throw new FeedError(`${where}: an Alpine secdb file needs "distroversion" and "packages"`);
  const ecosystem = `Alpine:${value.distroversion}`;
  const byId = new Map<string, AffectedEntry[]>();
  value.packages.forEach((entry, index) => {
    const pkg = isObject(entry) ? entry.pkg : undefined;
    if (!isObject(pkg) || typeof pkg.name !== 'string' || !isObject(pkg.secfixes)) throw new FeedError(`${where}: packages[${index}] needs pkg.name and pkg.secfixes`);
    for (const [fixed, ids] of Object.entries(pkg.secfixes)) {
      if (!Array.isArray(ids)) throw new FeedError(`${where}: packages[${index}] (${pkg.name}) secfixes ${JSON.stringify(fixed)} must be a list`);
      for (const idText of ids) {
        if (typeof idText !== 'string') continue;
        // Entries look like "CVE-2023-1234" or "CVE-2023-1234 CVE-2023-5678".
        for (const id of idText.split(/\s+/).filter((part) => part !== '')) {
          const entries = byId.get(id) ?? [];
          entries.push(
            fixed === '0'
              ? { ecosystem, package: pkg.name, ranges: [], versions: [], notAffected: true, note: 'secfixes lists it under version 0: never affected' }
              : { ecosystem, package: pkg.name, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }], versions: [] },
          );
          byId.set(id, entries);
        }
      }
    }
  });
  const repository = typeof value.reponame === 'string' ? value.reponame : 'main';
  return { source: `alpine-secdb:${value.distroversion}/${repository}`, advisories: [...byId].map(([id, affected]) => ({ id, aliases: [], affected })) };
}

/** Recognises a feed file by its shape and parses it. */
export function parseFeed(text: string, where: string): Feed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FeedError(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(value)) {
    const advisories = value.map((record, index) => parseOsvRecord(record, `${where}[${index}]`));
    return osvFeed(advisories);
  }
  if (!isObject(value)) throw new FeedError(`${where}: not an OSV record, a Debian tracker file or an Alpine secdb file`);
  if (typeof value.id === 'string' && ('affected' in value || 'modified' in value || 'schema_version' in value)) return osvFeed([parseOsvRecord(value, where)]);
  if ('distroversion' in value && 'packages' in value) {
    const alpine = parseAlpineSecdb(value, where);
    return { source: alpine.source, kind: 'alpine-secdb', replaceAll: true, advisories: alpine.advisories };
  }
  const first = Object.values(value)[0];
  if (isObject(first) && Object.values(first).some((issue) => isObject(issue) && 'releases' in issue)) {
    return { source: 'debian-tracker', kind: 'debian-tracker', replaceAll: true, advisories: parseDebianTracker(value, where) };
  }
  throw new FeedError(`${where}: not an OSV record (needs "id" and "modified"), a Debian tracker file or an Alpine secdb file`);
}

function osvFeed(advisories: Advisory[]): Feed {
  const newest = advisories.reduce<string | undefined>((latest, advisory) => (advisory.modified !== undefined && (latest === undefined || advisory.modified > latest) ? advisory.modified : latest), undefined);
  return { source: 'osv', kind: 'osv', replaceAll: false, advisories, ...(newest === undefined ? {} : { dataTime: newest }) };
}
