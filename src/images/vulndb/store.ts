/**
 * The local vulnerability database: SQLite through better-sqlite3. Imports
 * run in one transaction, so a failed import leaves the previous data as it
 * was; each source records when it was imported and how new its data is.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Advisory, AffectedEntry, Feed } from './feeds.js';
import { normalisePythonName } from '../purl.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (name TEXT PRIMARY KEY, kind TEXT NOT NULL, location TEXT NOT NULL, imported_at TEXT NOT NULL, data_time TEXT, advisories INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS advisories (id TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (id, source));
CREATE TABLE IF NOT EXISTS affected (advisory TEXT NOT NULL, source TEXT NOT NULL, ecosystem TEXT NOT NULL, package TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS affected_by_package ON affected (ecosystem, package);
CREATE INDEX IF NOT EXISTS affected_by_advisory ON affected (source, advisory);
CREATE TABLE IF NOT EXISTS aliases (alias TEXT NOT NULL, advisory TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS aliases_by_alias ON aliases (alias);
CREATE INDEX IF NOT EXISTS aliases_by_advisory ON aliases (source, advisory);
`;

export const SCHEMA_VERSION = '1';

export function defaultDatabasePath(): string {
  return process.env.RAMPART_DB ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'rampart', 'vulndb.sqlite');
}

/** The ecosystem key stored and looked up: "Debian:12" → "debian:12". */
export function ecosystemKey(ecosystem: string): string {
  return ecosystem.trim().toLowerCase();
}

export function packageKey(ecosystem: string, name: string): string {
  return ecosystem.toLowerCase().startsWith('pypi') ? normalisePythonName(name) : name;
}

export interface SourceInfo {
  readonly name: string;
  readonly kind: string;
  readonly location: string;
  readonly importedAt: string;
  readonly dataTime?: string;
  readonly advisories: number;
}

export interface StoredAdvisory extends Advisory {
  readonly source: string;
}

export interface ImportedFeed {
  readonly feed: Feed;
  readonly location: string;
  /** The file's modification time, used as the data time of feeds without dates. */
  readonly fileTime: string;
}

export class VulnerabilityDatabase {
  private constructor(private readonly database: BetterSqlite3.Database) {}

  static async open(file: string, options: { readonly?: boolean } = {}): Promise<VulnerabilityDatabase> {
    const { default: Database } = await import('better-sqlite3');
    if (options.readonly !== true) mkdirSync(path.dirname(file), { recursive: true });
    const database = new Database(file, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
    if (options.readonly !== true) {
      database.pragma('journal_mode = WAL');
      database.exec(SCHEMA);
      database.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('schema', SCHEMA_VERSION);
    }
    return new VulnerabilityDatabase(database);
  }

  close(): void {
    this.database.close();
  }

  /** Writes all feeds in one transaction: all of them or, on any error, none. */
  importFeeds(feeds: readonly ImportedFeed[], now: Date = new Date()): { advisories: number } {
    const deleteSource = ['DELETE FROM advisories WHERE source = ?', 'DELETE FROM affected WHERE source = ?', 'DELETE FROM aliases WHERE source = ?'].map((sql) => this.database.prepare(sql));
    const deleteOne = ['DELETE FROM advisories WHERE source = ? AND id = ?', 'DELETE FROM affected WHERE source = ? AND advisory = ?', 'DELETE FROM aliases WHERE source = ? AND advisory = ?'].map((sql) => this.database.prepare(sql));
    const insertAdvisory = this.database.prepare('INSERT OR REPLACE INTO advisories (id, source, body) VALUES (?, ?, ?)');
    const insertAffected = this.database.prepare('INSERT INTO affected (advisory, source, ecosystem, package) VALUES (?, ?, ?, ?)');
    const insertAlias = this.database.prepare('INSERT INTO aliases (alias, advisory, source) VALUES (?, ?, ?)');
    const countSource = this.database.prepare('SELECT COUNT(*) AS count FROM advisories WHERE source = ?');
    const previousTime = this.database.prepare('SELECT data_time FROM sources WHERE name = ?');
    const upsertSource = this.database.prepare('INSERT OR REPLACE INTO sources (name, kind, location, imported_at, data_time, advisories) VALUES (?, ?, ?, ?, ?, ?)');
    let written = 0;
    const run = this.database.transaction(() => {
      for (const { feed, location, fileTime } of feeds) {
        if (feed.replaceAll) for (const statement of deleteSource) statement.run(feed.source);
        for (const advisory of feed.advisories) {
          if (!feed.replaceAll) for (const statement of deleteOne) statement.run(feed.source, advisory.id);
          insertAdvisory.run(advisory.id, feed.source, JSON.stringify(advisory));
          const seen = new Set<string>();
          for (const entry of advisory.affected) {
            const key = `${ecosystemKey(entry.ecosystem)}\0${packageKey(entry.ecosystem, entry.package)}`;
            if (seen.has(key)) continue;
            seen.add(key);
            insertAffected.run(advisory.id, feed.source, ecosystemKey(entry.ecosystem), packageKey(entry.ecosystem, entry.package));
          }
          for (const alias of advisory.aliases) insertAlias.run(alias, advisory.id, feed.source);
          written++;
        }
        const earlier = (previousTime.get(feed.source) as { data_time: string | null } | undefined)?.data_time ?? undefined;
        const dataTime = feed.dataTime ?? fileTime;
        const newest = earlier !== undefined && !feed.replaceAll && earlier > dataTime ? earlier : dataTime;
        const { count } = countSource.get(feed.source) as { count: number };
        upsertSource.run(feed.source, feed.kind, location, now.toISOString(), newest, count);
      }
    });
    run();
    return { advisories: written };
  }

  sources(): SourceInfo[] {
    const rows = this.database.prepare('SELECT name, kind, location, imported_at, data_time, advisories FROM sources ORDER BY name').all() as { name: string; kind: string; location: string; imported_at: string; data_time: string | null; advisories: number }[];
    return rows.map((row) => ({ name: row.name, kind: row.kind, location: row.location, importedAt: row.imported_at, ...(row.data_time === null ? {} : { dataTime: row.data_time }), advisories: row.advisories }));
  }

  /** Advisories with an affected entry for this package in one of these ecosystems. */
  candidates(ecosystems: readonly string[], name: string): StoredAdvisory[] {
    if (ecosystems.length === 0) return [];
    const keys = ecosystems.map(ecosystemKey);
    const placeholders = keys.map(() => '?').join(', ');
    const rows = this.database
      .prepare(`SELECT DISTINCT a.source, a.body FROM affected f JOIN advisories a ON a.id = f.advisory AND a.source = f.source WHERE f.ecosystem IN (${placeholders}) AND f.package = ?`)
      .all(...keys, packageKey(ecosystems[0]!, name)) as { source: string; body: string }[];
    return rows.map((row) => ({ ...(JSON.parse(row.body) as Advisory), source: row.source }));
  }

  /** Advisories with this id or alias, in every source. */
  byId(id: string): StoredAdvisory[] {
    const rows = this.database
      .prepare('SELECT source, body FROM advisories WHERE id = ? UNION SELECT a.source, a.body FROM aliases s JOIN advisories a ON a.id = s.advisory AND a.source = s.source WHERE s.alias = ?')
      .all(id, id) as { source: string; body: string }[];
    return rows.map((row) => ({ ...(JSON.parse(row.body) as Advisory), source: row.source }));
  }
}

export type { AffectedEntry };
