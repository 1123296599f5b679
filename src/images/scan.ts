/**
 * One image scan: open the image (a path, else a registry reference), build
 * its inventory, run the configuration checks, match vulnerabilities from the
 * local database, apply VEX. The database's age is reported, with a warning
 * past the configured maximum.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { checkImageConfig, type ImageConfigFinding, type ImageSeverity } from './configChecks.js';
import { ImageError } from './errors.js';
import { inventoryImage, type DetailedInventory } from './inventory.js';
import type { OpenedImage, Package, Platform } from './model.js';
import { packageUrl } from './purl.js';
import { openLocalImage } from './sources/local.js';
import { openRegistryImage, type RegistryOptions } from './sources/registry.js';
import { matchPackage, packageQuery, type VulnerabilityMatch } from './vulndb/match.js';
import type { SourceInfo, VulnerabilityDatabase } from './vulndb/store.js';
import { parseVex, vexFor, VexError, type VexStatement } from './vex.js';

export interface OpenOptions extends Omit<RegistryOptions, 'platform'> {
  readonly platform: Platform;
}

/** A path that exists is read from disk; anything else is a registry reference. */
export async function openImage(reference: string, options: OpenOptions): Promise<OpenedImage> {
  if (existsSync(reference)) return await openLocalImage(reference, options.platform);
  // What looks like a path is not sent to a registry (Docker Hub would be asked for "library/app.tar").
  if (reference.startsWith('/') || reference.startsWith('.') || /\.(tar|tar\.gz|tgz)$/.test(reference)) throw new ImageError(`${reference}: no such file or directory`);
  return await openRegistryImage(reference, options);
}

export interface SuppressedMatch {
  readonly match: VulnerabilityMatch;
  readonly statement: VexStatement;
}

export interface DatabaseStatus {
  readonly sources: readonly SourceInfo[];
  /** Age in days of the oldest source's data. */
  readonly oldestAgeDays?: number;
  readonly warnings: readonly string[];
}

export interface ImageScanResult {
  readonly inventory: DetailedInventory;
  readonly configFindings: readonly ImageConfigFinding[];
  readonly vulnerabilities: readonly VulnerabilityMatch[];
  readonly suppressed: readonly SuppressedMatch[];
  /** Packages with no vulnerability lookup, and why (an unknown distribution). */
  readonly unmatched: readonly { readonly package: Package; readonly reason: string }[];
  readonly database?: DatabaseStatus;
  readonly purls: ReadonlyMap<Package, string>;
}

export async function loadVex(files: readonly string[]): Promise<VexStatement[]> {
  const statements: VexStatement[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new ImageError(`cannot read VEX file ${file}`);
    }
    try {
      statements.push(...parseVex(text, file));
    } catch (error) {
      if (error instanceof VexError) throw new ImageError(error.message);
      throw error;
    }
  }
  return statements;
}

export function databaseStatus(database: VulnerabilityDatabase, maxAgeDays: number, now: Date): DatabaseStatus {
  const sources = database.sources();
  const warnings: string[] = [];
  if (sources.length === 0) warnings.push('the vulnerability database is empty: import data with `rampart db import`');
  let oldest: number | undefined;
  for (const source of sources) {
    const time = Date.parse(source.dataTime ?? source.importedAt);
    if (Number.isNaN(time)) continue;
    const age = (now.getTime() - time) / 86_400_000;
    oldest = oldest === undefined ? age : Math.max(oldest, age);
    if (age > maxAgeDays) warnings.push(`vulnerability data from ${source.name} is ${Math.floor(age)} days old (over ${maxAgeDays}); import a newer copy`);
  }
  return { sources, ...(oldest === undefined ? {} : { oldestAgeDays: oldest }), warnings };
}

export interface ScanOptions {
  readonly database?: VulnerabilityDatabase;
  readonly vex?: readonly VexStatement[];
  readonly maxDatabaseAgeDays?: number;
  readonly now?: Date;
}

export async function scanOpenedImage(image: OpenedImage, options: ScanOptions = {}): Promise<ImageScanResult> {
  const inventory = await inventoryImage(image);
  const configFindings = checkImageConfig(image.config, inventory.setuidFiles);
  const purls = new Map<Package, string>(inventory.packages.map((found) => [found, packageUrl(found, inventory.os)]));
  const vulnerabilities: VulnerabilityMatch[] = [];
  const suppressed: SuppressedMatch[] = [];
  const unmatched: { package: Package; reason: string }[] = [];
  const database = options.database;
  if (database !== undefined) {
    for (const found of inventory.packages) {
      const query = packageQuery(found, inventory.os);
      if (typeof query === 'string') {
        unmatched.push({ package: found, reason: query });
        continue;
      }
      for (const match of matchPackage(found, query, database.candidates(query.ecosystems, query.name))) {
        const statement = vexFor(options.vex ?? [], [match.id, ...match.advisoryIds], purls.get(found)!);
        if (statement !== undefined && (statement.status === 'not_affected' || statement.status === 'fixed')) suppressed.push({ match, statement });
        else vulnerabilities.push(match);
      }
    }
  }
  vulnerabilities.sort((a, b) => severityOrder(b.severity) - severityOrder(a.severity) || a.package.name.localeCompare(b.package.name) || a.id.localeCompare(b.id));
  return {
    inventory,
    configFindings,
    vulnerabilities,
    suppressed,
    unmatched,
    ...(database === undefined ? {} : { database: databaseStatus(database, options.maxDatabaseAgeDays ?? 7, options.now ?? new Date()) }),
    purls,
  };
}

const ORDER: Record<ImageSeverity | 'unknown', number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1, unknown: 0 };

export function severityOrder(severity: ImageSeverity | 'unknown'): number {
  return ORDER[severity];
}
