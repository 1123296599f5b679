#!/usr/bin/env node
/**
 * `node bench/floorScan.mjs [DIR] [--runs N] [--threads 2]`: the least any JavaScript scanner must do with a corpus,
 * as a whole process, against the 0.5 s target of `rampart scan` (issue 2): read every .yaml, .yml
 * and .json file, parse it with js-yaml (faster than a parser that keeps positions), and write the
 * objects as JSON. No checks, no source positions, no report. Alternated with `node -e 0` (Node's own
 * start-up): median wall and CPU (user + system of the child, from this process's cutime and cstime
 * in /proc) of N runs each. DIR defaults to the real-world corpus.
 *
 * `--threads N` measures the same work split over N threads (the main thread and N - 1 workers,
 * files dealt out by size, each worker started before the main thread loads js-yaml and sending
 * back its JSON text): the floor of a scan that parses in parallel on this machine's cores.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const here = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(here), '..');

/** Parses the files with js-yaml; returns the documents. */
async function parseAll(files) {
  const { default: yaml } = await import('js-yaml');
  const objects = [];
  for (const file of files) {
    try {
      yaml.loadAll(readFileSync(file, 'utf8'), (document) => objects.push(document));
    } catch {
      // A malformed file is skipped.
    }
  }
  return objects;
}

if (!isMainThread) {
  // A worker of the threaded floor: its share of the files, back as JSON text.
  const objects = await parseAll(workerData.files);
  parentPort.postMessage({ count: objects.length, text: objects.map((object) => JSON.stringify(object, null, 2)).join(',\n') });
} else if (process.argv[2] === '--child') {
  // The work itself, in a fresh process.
  const threads = Number(process.argv[4] ?? 1);
  const files = [];
  const walk = (directory) => {
    for (const name of readdirSync(directory)) {
      const full = path.join(directory, name);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/.test(name)) files.push({ full, size: stat.size });
    }
  };
  walk(process.argv[3]);
  // Deal the files out by size, largest first, to the least loaded share.
  const shares = Array.from({ length: threads }, () => ({ bytes: 0, files: [] }));
  for (const file of [...files].sort((a, b) => b.size - a.size)) {
    const share = shares.reduce((least, candidate) => (candidate.bytes < least.bytes ? candidate : least));
    share.bytes += file.size;
    share.files.push(file.full);
  }
  const workers = shares.slice(1).map(
    (share) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(here, { workerData: { files: share.files } });
        worker.once('message', resolve);
        worker.once('error', reject);
      }),
  );
  const objects = await parseAll(shares[0].files);
  const parts = [objects.map((object) => JSON.stringify(object, null, 2)).join(',\n')];
  let count = objects.length;
  for (const result of await Promise.all(workers)) {
    parts.push(result.text);
    count += result.count;
  }
  writeFileSync('/dev/null', `[\n${parts.filter((part) => part !== '').join(',\n')}\n]`);
  process.stdout.write(`${files.length} ${count}\n`);
  process.exit(0);
}

if (isMainThread && process.argv[2] !== '--child') driver();

/** Runs the children and prints the medians. */
function driver() {
  const argument = (name, fallback) => {
    const index = process.argv.indexOf(name);
    return index >= 0 ? process.argv[index + 1] : fallback;
  };
  const corpus = process.argv[2] !== undefined && !process.argv[2].startsWith('--') ? path.resolve(process.argv[2]) : path.resolve(ROOT, '..', 'shared', 'corpora', 'real-world-manifests');
  const runs = Number(argument('--runs', 10));
  const threads = Number(argument('--threads', 1));

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
    const work = cpuOfChildren(() => measure([here, '--child', corpus, String(threads)]));
    counts = work.stdout.trim();
    floor.wall.push(work.wall);
    floor.cpu.push(work.cpu);
    const empty = cpuOfChildren(() => measure(['-e', '0']));
    node.wall.push(empty.wall);
    node.cpu.push(empty.cpu);
  }
  const [files, documents] = counts.split(' ');
  process.stdout.write(`floor of a scan of ${corpus} (${files} files, ${documents} documents): read, js-yaml, JSON out, whole process, ${threads} thread${threads === 1 ? '' : 's'}\n`);
  process.stdout.write(`  wall ${median(floor.wall).toFixed(0)} ms (min ${Math.min(...floor.wall).toFixed(0)}), cpu ${median(floor.cpu).toFixed(0)} ms  [${runs} runs]\n`);
  process.stdout.write(`  node -e 0: wall ${median(node.wall).toFixed(0)} ms, cpu ${median(node.cpu).toFixed(0)} ms\n`);
  process.stdout.write(`  against the 0.5 s target of rampart scan (which also keeps positions, runs the checks and writes the report)\n`);
}
