#!/usr/bin/env node
/**
 * `node bench/loopStalls.mjs FILE [--from-end MS] [--until-end MS]`: what stopped a server's event loop
 * in the last part of its life, from the record bench/loopProbe.mjs writes (RAMPART_LOOP_PROBE_FILE).
 * bench/admission.mjs ends with the evenly paced run (10 s) and stops the server about 0.3 s after it,
 * so the defaults (from 10,800 ms to 300 ms before exit) cover that run. Prints the stalls over 2 ms
 * (count, total, over 5 and 10 ms, the longest), the collections by kind, and how many stalls had a
 * collection inside them.
 *
 *   RAMPART_LOOP_PROBE_FILE=/tmp/loop.json RAMPART_BENCH_SERVER_FLAGS="--import ./bench/loopProbe.mjs" node bench/admission.mjs
 *   node bench/loopStalls.mjs /tmp/loop.json
 */
import { readFileSync } from 'node:fs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const file = process.argv[2];
if (file === undefined || file.startsWith('--')) {
  process.stderr.write('usage: node bench/loopStalls.mjs FILE [--from-end MS] [--until-end MS]\n');
  process.exit(2);
}
const { exitAt, stalls, collections } = JSON.parse(readFileSync(file, 'utf8'));
const from = exitAt - argument('--from-end', 10_800);
const to = exitAt - argument('--until-end', 300);
const inWindow = ([at]) => at >= from && at <= to;
const windowStalls = stalls.filter(inWindow);
const windowCollections = collections.filter(inWindow);
const sum = (values) => values.reduce((total, value) => total + value, 0);

const KINDS = { 1: 'scavenge', 2: 'minor mark-compact', 4: 'mark-compact', 8: 'incremental marking', 16: 'weak callbacks' };
const byKind = new Map();
for (const [, duration, kind] of windowCollections) {
  const entry = byKind.get(kind) ?? { count: 0, total: 0, max: 0 };
  entry.count++;
  entry.total += duration;
  entry.max = Math.max(entry.max, duration);
  byKind.set(kind, entry);
}
// A stall ended at `at` after the loop was `late` ms late: it began about `late + 1` ms earlier.
const withCollection = windowStalls.filter(([at, late]) => windowCollections.some(([start, duration]) => start + duration >= at - late - 1 && start <= at));
const longest = [...windowStalls].sort((a, b) => b[1] - a[1]).slice(0, 10);

const out = (line) => process.stdout.write(`${line}\n`);
out(`window: ${Math.round(to - from)} ms, ending ${Math.round(exitAt - to)} ms before exit`);
out(
  `stalls over 2 ms: ${windowStalls.length}, ${Math.round(sum(windowStalls.map(([, late]) => late)))} ms in all; over 5 ms ${windowStalls.filter(([, late]) => late > 5).length}, over 10 ms ${windowStalls.filter(([, late]) => late > 10).length}`,
);
out(`longest: ${longest.map(([at, late]) => `${late.toFixed(1)} ms at ${((at - from) / 1000).toFixed(2)} s`).join(', ')}`);
for (const [kind, entry] of byKind) out(`collections, ${KINDS[kind] ?? `kind ${kind}`}: ${entry.count}, ${entry.total.toFixed(1)} ms in all, longest ${entry.max.toFixed(1)} ms`);
out(`stalls with a collection inside: ${withCollection.length} of ${windowStalls.length}`);
