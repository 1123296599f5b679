/**
 * The image result cache: what `rampart image scan --cache DIR` (and
 * `rampart scan --images … --image-cache DIR`) learned about each image,
 * written as small JSON files keyed by digest and by reference, so the
 * admission webhook can judge images from earlier scans without pulling or
 * scanning anything while a request waits.
 *
 *   DIR/by-digest/sha256-<hex>.json      one per manifest (and index) digest
 *   DIR/by-reference/<sha256 of ref>.json one per canonical reference (registry/repo:tag)
 *
 * Files are replaced atomically (write, then rename), so a reader never sees
 * half an entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageSeverity } from './configChecks.js';
import { canonicalReference, parseImageReference } from './reference.js';
import { severityOrder, type ImageScanResult } from './scan.js';

export const CACHE_SCHEMA = 'rampart.dev/image-result/v1';

export interface CachedVulnerability {
  readonly id: string;
  readonly severity: ImageSeverity | 'unknown';
  readonly package: string;
  readonly version: string;
  readonly fixedVersion?: string;
}

export interface CachedImageResult {
  readonly schema: typeof CACHE_SCHEMA;
  /** Canonical references this result was scanned under. */
  readonly references: readonly string[];
  /** Manifest digest, and the index digest for a multi-platform image. */
  readonly digests: readonly string[];
  readonly configDigest?: string;
  readonly scannedAt: string;
  /** Vulnerabilities by severity (after VEX). */
  readonly counts: Readonly<Record<ImageSeverity | 'unknown', number>>;
  /** Every vulnerability, worst first. */
  readonly vulnerabilities: readonly CachedVulnerability[];
}

const SEVERITY_KEYS: readonly (ImageSeverity | 'unknown')[] = ['critical', 'high', 'medium', 'low', 'info', 'unknown'];

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The cache entry for one scanned image. Pure. */
export function cacheEntry(result: ImageScanResult, references: readonly string[], now: Date): CachedImageResult {
  const image = result.inventory.image;
  const counts = Object.fromEntries(SEVERITY_KEYS.map((key) => [key, 0])) as Record<ImageSeverity | 'unknown', number>;
  for (const match of result.vulnerabilities) counts[match.severity]++;
  const canonical = new Set<string>();
  for (const reference of [...references, ...image.repoTags]) {
    const name = canonicalReference(reference);
    if (name !== undefined) canonical.add(name);
  }
  const digests = [image.manifestDigest, image.indexDigest].filter((digest): digest is string => digest !== undefined);
  return {
    schema: CACHE_SCHEMA,
    references: [...canonical].sort(),
    digests,
    ...(image.configDigest === undefined ? {} : { configDigest: image.configDigest }),
    scannedAt: now.toISOString(),
    counts,
    vulnerabilities: [...result.vulnerabilities]
      .sort((a, b) => severityOrder(b.severity) - severityOrder(a.severity) || a.id.localeCompare(b.id))
      .map((match) => ({ id: match.id, severity: match.severity, package: match.package.name, version: match.package.version, ...(match.fixedVersion === undefined ? {} : { fixedVersion: match.fixedVersion }) })),
  };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes one entry under every digest and reference it carries; returns the files written. */
export async function writeCacheEntry(directory: string, entry: CachedImageResult): Promise<string[]> {
  const byDigest = path.join(directory, 'by-digest');
  const byReference = path.join(directory, 'by-reference');
  await mkdir(byDigest, { recursive: true });
  await mkdir(byReference, { recursive: true });
  const text = `${JSON.stringify(entry, null, 2)}\n`;
  const files = [...entry.digests.map((digest) => path.join(byDigest, `${digest.replace(':', '-')}.json`)), ...entry.references.map((reference) => path.join(byReference, `${hex(reference)}.json`))];
  for (const file of files) await writeAtomically(file, text);
  return files;
}

function isEntry(value: unknown): value is CachedImageResult {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    entry.schema === CACHE_SCHEMA &&
    Array.isArray(entry.references) &&
    Array.isArray(entry.digests) &&
    Array.isArray(entry.vulnerabilities) &&
    typeof entry.counts === 'object' &&
    entry.counts !== null &&
    (entry.vulnerabilities as unknown[]).every((item) => typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>).id === 'string' && typeof (item as Record<string, unknown>).severity === 'string')
  );
}

/** An entry, or why the file is not one. */
async function readEntry(file: string): Promise<CachedImageResult | string> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return `${file}: not a JSON file`;
  }
  return isEntry(value) ? value : `${file}: not a ${CACHE_SCHEMA} entry`;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface CacheLookup {
  readonly entry: CachedImageResult;
  /** How the image was found: by the digest it pins, or by its tag. */
  readonly by: 'digest' | 'reference';
}

/**
 * An in-memory copy of a cache directory. `refresh()` rereads it (the
 * webhook does so on a timer, never while a request waits); lookups are
 * map reads.
 */
export class ImageResultCache {
  private byDigest = new Map<string, CachedImageResult>();
  private byReference = new Map<string, CachedImageResult>();
  /** Files that could not be read as entries in the last refresh. */
  problems: string[] = [];

  constructor(readonly directory: string) {}

  static async load(directory: string): Promise<ImageResultCache> {
    const cache = new ImageResultCache(directory);
    await cache.refresh();
    return cache;
  }

  get size(): number {
    return new Set([...this.byDigest.values(), ...this.byReference.values()].map((entry) => entry.digests[0] ?? entry.references[0])).size;
  }

  /** What each file held when last read, so a refresh rereads only the files that changed. */
  private files = new Map<string, { readonly stamp: string; readonly entry: CachedImageResult | string }>();
  private folderStamps = new Map<string, number>();

  async refresh(): Promise<void> {
    // Nothing added or replaced since the last refresh: keep the index as it is.
    const times = await Promise.all(['by-digest', 'by-reference'].map(async (sub) => (await stat(path.join(this.directory, sub)).catch(() => undefined))?.mtimeMs));
    const settled = times.every((time, index) => time !== undefined && time === this.folderStamps.get(index === 0 ? 'by-digest' : 'by-reference') && Date.now() - time > 2000);
    if (settled) return;
    const byDigest = new Map<string, CachedImageResult>();
    const byReference = new Map<string, CachedImageResult>();
    const problems: string[] = [];
    const files = new Map<string, { readonly stamp: string; readonly entry: CachedImageResult | string }>();
    const folderStamps = new Map<string, number>();
    for (const sub of ['by-digest', 'by-reference'] as const) {
      const folder = path.join(this.directory, sub);
      const folderTime = (await stat(folder).catch(() => undefined))?.mtimeMs;
      if (folderTime !== undefined) folderStamps.set(sub, folderTime);
      // The writer adds and replaces entries by renaming into the folder, which changes the folder's time:
      // an unchanged folder (not touched in the last 2 s, against coarse clocks) needs no look at its files.
      const unchanged = folderTime !== undefined && this.folderStamps.get(sub) === folderTime && Date.now() - folderTime > 2000;
      const names = unchanged
        ? [...this.files.keys()].filter((file) => path.dirname(file) === folder).map((file) => path.basename(file))
        : (await readdir(folder).catch(() => [] as string[])).filter((candidate) => candidate.endsWith('.json')).sort();
      // A bounded number of files in flight: fast on a large cache without opening thousands at once.
      const read = await mapLimited(names, 32, async (name) => {
        const file = path.join(folder, name);
        const known = this.files.get(file);
        if (unchanged && known !== undefined) return { file, ...known };
        const info = await stat(file).catch(() => undefined);
        if (info === undefined) return undefined;
        const stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
        if (known !== undefined && known.stamp === stamp) return { file, ...known };
        return { file, stamp, entry: await readEntry(file) };
      });
      for (const item of read) {
        if (item === undefined) continue;
        files.set(item.file, { stamp: item.stamp, entry: item.entry });
        const value = item.entry;
        if (typeof value === 'string') problems.push(value);
        else if (sub === 'by-digest') for (const digest of value.digests) byDigest.set(digest, value);
        else for (const reference of value.references) byReference.set(reference, value);
      }
    }
    this.files = files;
    this.folderStamps = folderStamps;
    this.byDigest = byDigest;
    this.byReference = byReference;
    this.problems = problems;
  }

  /** A reference that pins a digest is looked up by that digest only; otherwise by its canonical tag. */
  lookup(reference: string): CacheLookup | undefined {
    const parsed = parseImageReference(reference);
    if (parsed === undefined) return undefined;
    if (parsed.digest !== undefined) {
      const entry = this.byDigest.get(parsed.digest);
      return entry === undefined ? undefined : { entry, by: 'digest' };
    }
    const entry = this.byReference.get(canonicalReference(reference) ?? reference);
    return entry === undefined ? undefined : { entry, by: 'reference' };
  }
}
