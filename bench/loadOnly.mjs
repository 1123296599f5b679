/**
 * The loader alone, in a fresh process: reads and parses the given paths with
 * `loadFiles` (no checks, no report) and prints what it took as JSON. Used by
 * bench/run.mjs to separate the loader's share of a scan from the rest, and to
 * time hostile files without the process start-up around them.
 *
 *   node bench/loadOnly.mjs [--repeat N] [--retain] <paths…>
 *
 * --repeat N  load N times in the same process: the first is cold (what a CLI
 *             run pays), the rest warm.
 * --retain    keep every object until the end, as a scan that retained them
 *             all would, to show what holding the whole input costs.
 */
import { performance } from 'node:perf_hooks';
import { loadFiles } from '../dist/load/load.js';

const args = process.argv.slice(2);
let repeat = 1;
let retain = false;
const paths = [];
for (let index = 0; index < args.length; index++) {
  if (args[index] === '--repeat') repeat = Number(args[++index]);
  else if (args[index] === '--retain') retain = true;
  else paths.push(args[index]);
}

const times = [];
const cpuTimes = [];
const kept = [];
let objects = 0;
let documents = 0;
const codes = new Map();
for (let run = 0; run < repeat; run++) {
  objects = 0;
  codes.clear();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for await (const batch of loadFiles(paths)) {
    objects += batch.objects.length;
    if (retain && run === 0) kept.push(batch);
    for (const diagnostic of batch.diagnostics) codes.set(diagnostic.code, (codes.get(diagnostic.code) ?? 0) + 1);
  }
  times.push(performance.now() - started);
  const cpu = process.cpuUsage(cpuStarted);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
}
documents = kept.length;
const warm = times.slice(1).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    firstMs: times[0],
    firstCpuMs: cpuTimes[0],
    warmMedianMs: warm.length > 0 ? warm[Math.floor(warm.length / 2)] : undefined,
    objects,
    retainedFiles: documents,
    diagnostics: Object.fromEntries(codes),
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
