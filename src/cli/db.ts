/** `rampart db import|status`: the offline vulnerability database. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { FeedError, parseFeed } from '../images/vulndb/feeds.js';
import { defaultDatabasePath, VulnerabilityDatabase, type ImportedFeed } from '../images/vulndb/store.js';
import { UsageError, writeOutput } from './common.js';

async function feedFiles(location: string): Promise<string[]> {
  const info = await stat(location).catch(() => {
    throw new UsageError(`${location}: no such file or directory`);
  });
  if (!info.isDirectory()) return [location];
  const files: string[] = [];
  for (const entry of (await readdir(location, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(location, entry.name);
    if (entry.isDirectory()) files.push(...(await feedFiles(full)));
    else if (entry.name.endsWith('.json')) files.push(full);
  }
  return files;
}

export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('the offline vulnerability database');
  db.command('import')
    .description('import OSV records, Debian security tracker JSON and Alpine secdb files (all or nothing)')
    .argument('<paths...>', 'files, or directories of .json files')
    .option('--db <file>', 'database file (default: $RAMPART_DB or ~/.cache/rampart/vulndb.sqlite)')
    .action(async (paths: string[], flags: { db?: string }) => {
      const feeds: ImportedFeed[] = [];
      for (const location of paths) {
        for (const file of await feedFiles(location)) {
          let text: string;
          try {
            text = await readFile(file, 'utf8');
          } catch {
            throw new UsageError(`cannot read ${file}`);
          }
          try {
            feeds.push({ feed: parseFeed(text, file), location: file, fileTime: (await stat(file)).mtime.toISOString() });
          } catch (error) {
            if (error instanceof FeedError) throw new UsageError(`${error.message}; nothing was imported`);
            throw error;
          }
        }
      }
      if (feeds.length === 0) throw new UsageError('no .json files to import');
      const file = flags.db ?? defaultDatabasePath();
      const database = await VulnerabilityDatabase.open(file);
      try {
        const { advisories } = database.importFeeds(feeds);
        const sources = [...new Set(feeds.map((entry) => entry.feed.source))];
        await writeOutput(`imported ${advisories} advisories from ${feeds.length} files into ${file} (sources: ${sources.join(', ')})\n`, undefined);
      } finally {
        database.close();
      }
    });
  db.command('status')
    .description('list the imported sources with their age')
    .option('--db <file>', 'database file (default: $RAMPART_DB or ~/.cache/rampart/vulndb.sqlite)')
    .action(async (flags: { db?: string }) => {
      const file = flags.db ?? defaultDatabasePath();
      const database = await VulnerabilityDatabase.open(file, { readonly: true }).catch(() => {
        throw new UsageError(`no vulnerability database at ${file}`);
      });
      try {
        const now = Date.now();
        const lines = database.sources().map((source) => {
          const time = Date.parse(source.dataTime ?? source.importedAt);
          return `${source.name}\t${source.advisories} advisories\tdata from ${source.dataTime ?? 'unknown'} (${((now - time) / 86_400_000).toFixed(1)} days old)\timported ${source.importedAt}`;
        });
        await writeOutput(`${lines.join('\n') || 'no sources imported'}\n`, undefined);
      } finally {
        database.close();
      }
    });
}
