#!/usr/bin/env node
/**
 * `node bench/floorScan.mjs [DIR] [--runs N]`: the least any JavaScript scanner must do with a corpus,
 * as a whole process, against the 0.5 s target of `rampart scan` (issue 2): read every .yaml, .yml
 * and .json file, parse it with js-yaml (faster than a parser that keeps positions), and write the
 * objects as JSON. No checks, no source positions, no report. Alternated with `node -e 0` (Node's own
 * start-up): median wall and CPU (user + system of the child, from this process's cutime and cstime
 * in /proc) of N runs each. DIR defaults to the real-world corpus.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(here), '..');

if (process.argv[2] === '--child') {
  // The work itself, in a fresh process.
  const { default: yaml } = await import('js-yaml');
  const files = [];
  const walk = (directory) => {
    for (const name of readdirSync(directory)) {
      const full = path.join(directory, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(name)) files.push(full);
    }
  };
  walk(process.argv[3]);
  const objects = [];
  for (const file of files) {
    try {
      yaml.loadAll(readFileSync(file, 'utf8'), (document) => objects.push(document));
    } catch {
      // A malformed file is skipped.
    }
  }
  writeFileSync('/dev/null', JSON.stringify(objects, null, 2));
  process.stdout.write(`${files.length} ${objects.length}\n`);
  process.exit(0);
}

const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const corpus = process.argv[2] !== undefined && !process.argv[2].startsWith('--') ? path.resolve(process.argv[2]) : path.resolve(ROOT, '..', 'shared', 'corpora', 'real-world-manifests');
const runs = Number(argument('--runs', 10));

/** Runs a child and returns its wall time and its own CPU time, in ms. */
function measure(args) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${args.join(' ')} failed: ${child.stderr}`);
  return { wall, stdout: child.stdout };
}
/** CPU of finished children: the difference of RUSAGE_CHILDREN around one run. */
function cpuOfChildren(run) {
  const usage = () => {
    const text = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // cutime and cstime, fields 16 and 17 of /proc/PID/stat, in clock ticks (100 per second).
    return (Number(text[13]) + Number(text[14])) * 10;
  };
  const before = usage();
  const result = run();
  return { ...result, cpu: usage() - before };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const floor = { wall: [], cpu: [] };
const node = { wall: [], cpu: [] };
let counts = '';
for (let round = 0; round < runs; round++) {
  const work = cpuOfChildren(() => measure([here, '--child', corpus]));
  counts = work.stdout.trim();
  floor.wall.push(work.wall);
  floor.cpu.push(work.cpu);
  const empty = cpuOfChildren(() => measure(['-e', '0']));
  node.wall.push(empty.wall);
  node.cpu.push(empty.cpu);
}
const [files, documents] = counts.split(' ');
process.stdout.write(`floor of a scan of ${corpus} (${files} files, ${documents} documents): read, js-yaml, JSON out, whole process\n`);
process.stdout.write(`  wall ${median(floor.wall).toFixed(0)} ms (min ${Math.min(...floor.wall).toFixed(0)}), cpu ${median(floor.cpu).toFixed(0)} ms  [${runs} runs]\n`);
process.stdout.write(`  node -e 0: wall ${median(node.wall).toFixed(0)} ms, cpu ${median(node.cpu).toFixed(0)} ms\n`);
process.stdout.write(`  against the 0.5 s target of rampart scan (which also keeps positions, runs the checks and writes the report)\n`);
