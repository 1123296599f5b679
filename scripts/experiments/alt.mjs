#!/usr/bin/env node
/**
 * Alternated whole-process timing (BENCHMARKS.md (a.2)):
 *
 *   node scripts/experiments/alt.mjs RUNS NAME 'COMMAND' NAME 'COMMAND' ...
 *
 * Runs every command once per round, in order on even rounds and reversed on
 * odd ones, RUNS rounds; each through `/usr/bin/time` (user+system CPU and
 * peak RSS of the whole process tree, so a re-exec's parent is counted) with
 * stdout to /dev/null. Prints median wall (around the child), min and max,
 * median CPU and RSS. Exit codes 0-2 are Rampart's; others are reported.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const [runs, ...rest] = process.argv.slice(2);
const commands = [];
for (let index = 0; index < rest.length; index += 2) commands.push({ name: rest[index], command: rest[index + 1], wall: [], cpu: [], rss: [] });
const scratch = mkdtempSync(path.join(tmpdir(), 'rampart-alt-'));
const timeFile = path.join(scratch, 'time');
const loadBefore = loadavg()[0];
for (let round = 0; round < Number(runs); round++) {
  for (const entry of round % 2 === 0 ? commands : [...commands].reverse()) {
    const start = performance.now();
    const child = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', 'sh', '-c', `${entry.command} > /dev/null`], { stdio: ['ignore', 'ignore', 'inherit'] });
    entry.wall.push(performance.now() - start);
    const [user, system, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    entry.cpu.push((user + system) * 1000);
    entry.rss.push(rssKb / 1024);
    if (child.status === null || child.status > 2) console.error(`${entry.name}: exit ${child.status}`);
  }
}
rmSync(scratch, { recursive: true, force: true });
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
console.log(`${runs} runs each, alternated; load average ${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)}`);
for (const entry of commands) {
  console.log(
    `${entry.name.padEnd(18)} wall ${median(entry.wall).toFixed(0)} ms (min ${Math.min(...entry.wall).toFixed(0)}, max ${Math.max(...entry.wall).toFixed(0)})  cpu ${median(entry.cpu).toFixed(0)} ms  rss ${median(entry.rss).toFixed(0)} MB`,
  );
}
