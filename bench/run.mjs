/**
 * `npm run bench`: speed and memory of `rampart scan`, the numbers behind
 * BENCHMARKS.md. Never part of `npm test`.
 *
 *   npm run bench                                   everything, defaults below
 *   node bench/run.mjs --only real-world --runs 20  one part, more runs
 *   node bench/run.mjs --objects 20000 --json out.json
 *
 * Parts:
 *   startup     `node -e 0`, `rampart --version` and a scan of an empty file: the floor under every run
 *   real-world  `rampart scan ../shared/corpora/real-world-manifests --format json`,
 *               whole process (target: 0.5 s wall, 150 MB peak RSS) with the
 *               code cache a second scan has and without it (a first scan), where
 *               its time goes (bench/phases.mjs), and the loader alone on the same files
 *   generated   a generated tree of --objects objects (default 100,000), whole
 *               process (target: 10 s, 1 GB), plus a run at a fifth of the size
 *               and a loader-only run, to show how memory grows with the input
 *   hostile     the billion-laughs and deep-nesting fixtures: time to reject,
 *               in a warm process and as a whole process
 *   compare     with --against <checkout> (another built copy of the repository):
 *               the real-world scan and an empty-file scan of both, runs
 *               interleaved so both see the same machine, for before/after figures
 *
 * Wall time is measured around the child process; peak RSS and CPU time are
 * the child's own (bench/peakRss.mjs, preloaded). The machine is shared, so
 * every figure is a median of several runs, with min and max beside it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateManifests } from './generateManifests.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CLI = path.join(ROOT, 'bin', 'rampart.js');
const PEAK_RSS = pathToFileURL(path.join(HERE, 'peakRss.mjs')).href;
const LOAD_ONLY = path.join(HERE, 'loadOnly.mjs');
const PHASES = pathToFileURL(path.join(HERE, 'phases.mjs')).href;
const CORPORA = process.env.RAMPART_CORPORA ?? path.resolve(ROOT, '..', 'shared', 'corpora');
const REAL_WORLD = path.join(CORPORA, 'real-world-manifests');
const BAD_INPUT = path.join(ROOT, 'test', 'fixtures', 'bad-input');

const options = { runs: 10, generatedRuns: 3, objects: 100_000, only: undefined, json: undefined, against: [] };
const argv = process.argv.slice(2);
for (let index = 0; index < argv.length; index++) {
  const flag = argv[index];
  const value = argv[++index];
  if (flag === '--runs') options.runs = Number(value);
  else if (flag === '--generated-runs') options.generatedRuns = Number(value);
  else if (flag === '--objects') options.objects = Number(value);
  else if (flag === '--only') options.only = new Set(String(value).split(','));
  else if (flag === '--json') options.json = value;
  else if (flag === '--against') options.against.push(path.resolve(value));
  else {
    process.stderr.write(`unknown option ${flag}\n`);
    process.exit(2);
  }
}
const wanted = (part) => (options.only === undefined && part !== 'compare') || options.only?.has(part) === true || (part === 'compare' && options.against.length > 0);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const stats = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
const ms = (value) => `${Math.round(value)} ms`;
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
const out = (line = '') => process.stdout.write(`${line}\n`);

/** Runs `node [--import peakRss] args…` `runs` times; wall time, peak RSS, CPU time and exit status of each. */
function measure(args, runs, { usage = true, env = {} } = {}) {
  const usageFile = path.join(mkdtempSync(path.join(tmpdir(), 'rampart-bench-')), 'usage.json');
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, usage ? ['--import', PEAK_RSS, ...args] : args, {
      cwd: ROOT,
      env: { ...process.env, RAMPART_BENCH_USAGE: usageFile, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - started;
    if (result.status !== 0 && result.status !== 1 && result.status !== 2) {
      throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr?.toString().slice(0, 2000)}`);
    }
    const measured = usage ? JSON.parse(readFileSync(usageFile, 'utf8')) : {};
    samples.push({ wallMs, status: result.status, ...measured });
  }
  rmSync(path.dirname(usageFile), { recursive: true, force: true });
  return {
    runs,
    status: samples[0].status,
    wallMs: stats(samples.map((sample) => sample.wallMs)),
    ...(usage
      ? {
          maxRssKb: stats(samples.map((sample) => sample.maxRssKb)),
          cpuMs: stats(samples.map((sample) => sample.userMs + sample.systemMs)),
        }
      : {}),
  };
}

/**
 * Runs each of `commands` ({ args, env }) once per round, `runs` rounds, in reversed order every
 * other round, so that neither always runs first or sees another machine state; the medians of each.
 */
function alternated(commands, runs) {
  const samples = commands.map(() => []);
  for (let run = 0; run < runs; run++) {
    const order = commands.map((command, index) => index);
    if (run % 2 === 1) order.reverse();
    for (const index of order) samples[index].push(measure(commands[index].args, 1, { env: commands[index].env ?? {} }));
  }
  return samples.map((taken) => ({
    runs: taken.length,
    status: taken[0].status,
    wallMs: stats(taken.map((sample) => sample.wallMs.median)),
    cpuMs: stats(taken.map((sample) => sample.cpuMs.median)),
    maxRssKb: stats(taken.map((sample) => sample.maxRssKb.median)),
  }));
}

/** Where a scan's time goes (bench/phases.mjs, preloaded): medians of each phase over `runs` runs. */
function phases(args, runs) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rampart-bench-')), 'phases.json');
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const result = spawnSync(process.execPath, ['--import', PHASES, ...args], { cwd: ROOT, env: { ...process.env, RAMPART_BENCH_PHASES: file, RAMPART_UNBUNDLED: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.status !== 0 && result.status !== 1 && result.status !== 2) throw new Error(`phases: exit ${result.status}: ${result.stderr}`);
    samples.push(JSON.parse(readFileSync(file, 'utf8')));
  }
  rmSync(path.dirname(file), { recursive: true, force: true });
  return Object.fromEntries(Object.keys(samples[0]).map((key) => [key, median(samples.map((sample) => sample[key]))]));
}

/** The loader alone in a fresh process (bench/loadOnly.mjs), `runs` times. */
function loadOnly(paths, runs, extra = []) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const result = spawnSync(process.execPath, [LOAD_ONLY, ...extra, ...paths], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`loadOnly failed: ${result.stderr}`);
    samples.push(JSON.parse(result.stdout));
  }
  return {
    runs,
    firstMs: stats(samples.map((sample) => sample.firstMs)),
    firstCpuMs: stats(samples.map((sample) => sample.firstCpuMs)),
    warmMedianMs: samples[0].warmMedianMs === undefined ? undefined : stats(samples.map((sample) => sample.warmMedianMs)),
    maxRssKb: stats(samples.map((sample) => sample.maxRssKb)),
    objects: samples[0].objects,
    diagnostics: samples[0].diagnostics,
  };
}

function line(label, result) {
  const parts = [`wall ${ms(result.wallMs.median)} (min ${ms(result.wallMs.min)}, max ${ms(result.wallMs.max)})`];
  if (result.cpuMs !== undefined) parts.push(`cpu ${ms(result.cpuMs.median)}`);
  if (result.maxRssKb !== undefined) parts.push(`peak RSS ${mb(result.maxRssKb.median)} (max ${mb(result.maxRssKb.max)})`);
  out(`  ${label.padEnd(34)} ${parts.join(', ')}  [${result.runs} runs, exit ${result.status}]`);
}

const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), os: `${osType()} ${release()}`, node: process.version, loadAverageAtStart: loadavg() },
};
out(`rampart scan benchmarks — ${results.date}`);
out(`machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGb} GB, ${results.machine.os}, node ${results.machine.node}`);
out(`load average at start: ${loadavg().map((value) => value.toFixed(2)).join(' ')} (the machine is shared: read medians, not single runs)`);

if (wanted('startup')) {
  out('\nstartup');
  results.startup = {
    node: measure(['-e', '0'], options.runs),
    version: measure([CLI, '--version'], options.runs),
    emptyScan: measure([CLI, 'scan', path.join(BAD_INPUT, 'empty.yaml'), '--format', 'json'], options.runs),
  };
  line('node -e 0', results.startup.node);
  line('rampart --version (every command loaded)', results.startup.version);
  line('rampart scan <empty file>', results.startup.emptyScan);
}

if (wanted('real-world')) {
  out(`\nreal-world corpus (${REAL_WORLD})`);
  // One run first, so that the scan's code cache (src/compileCache.ts) exists, as it does from a
  // user's second scan after an install or upgrade; a first scan (or one in a fresh CI container)
  // has none: measured with the cache turned off, alternated with the cached runs.
  measure([CLI, 'scan', REAL_WORLD, '--format', 'json'], 1);
  const [scan, scanUncached] = alternated(
    [{ args: [CLI, 'scan', REAL_WORLD, '--format', 'json'] }, { args: [CLI, 'scan', REAL_WORLD, '--format', 'json'], env: { RAMPART_COMPILE_CACHE: '0' } }],
    options.runs,
  );
  results.realWorld = {
    scan,
    scanUncached,
    phases: phases([CLI, 'scan', REAL_WORLD, '--format', 'json'], options.runs),
    loader: loadOnly([REAL_WORLD], options.runs, ['--repeat', '5']),
  };
  line('scan --format json (whole process)', results.realWorld.scan);
  line('the same without the code cache', results.realWorld.scanUncached);
  const phase = results.realWorld.phases;
  out(
    `  ${'where the time goes (medians)'.padEnd(34)} start ${ms(phase.startMs)}, load ${ms(phase.loadMs)}, checks ${ms(phase.checkMs)}, finish ${ms(phase.finishMs)}, report ${ms(phase.reportMs)}`,
  );
  const loader = results.realWorld.loader;
  out(
    `  ${'loader alone, in process'.padEnd(34)} cold ${ms(loader.firstMs.median)} (min ${ms(loader.firstMs.min)}, cpu ${ms(loader.firstCpuMs.median)}), warm ${ms(loader.warmMedianMs.median)}; ${loader.objects} objects`,
  );
}

if (wanted('generated')) {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-bench-manifests-'));
  const small = Math.round(options.objects / 5);
  try {
    out(`\ngenerated manifests (${directory})`);
    let started = performance.now();
    const generated = generateManifests(path.join(directory, 'full'), options.objects);
    out(`  generated ${generated.objects} objects in ${generated.files} files (${(generated.bytes / 1e6).toFixed(1)} MB) in ${ms(performance.now() - started)}`);
    started = performance.now();
    const fifth = generateManifests(path.join(directory, 'fifth'), small);
    out(`  generated ${fifth.objects} objects in ${fifth.files} files (${(fifth.bytes / 1e6).toFixed(1)} MB) in ${ms(performance.now() - started)}`);
    results.generated = {
      objects: generated.objects,
      files: generated.files,
      bytes: generated.bytes,
      scan: measure([CLI, 'scan', path.join(directory, 'full'), '--format', 'json'], options.generatedRuns),
      scanFifth: measure([CLI, 'scan', path.join(directory, 'fifth'), '--format', 'json'], options.generatedRuns),
      loader: loadOnly([path.join(directory, 'full')], 1),
      loaderFifth: loadOnly([path.join(directory, 'fifth')], 1),
      loaderRetaining: loadOnly([path.join(directory, 'full')], 1, ['--retain']),
    };
    line(`scan, ${generated.objects} objects`, results.generated.scan);
    line(`scan, ${fifth.objects} objects`, results.generated.scanFifth);
    const { loader, loaderFifth, loaderRetaining } = results.generated;
    out(`  ${'loader alone, all objects'.padEnd(34)} ${ms(loader.firstMs.median)}, peak RSS ${mb(loader.maxRssKb.median)}`);
    out(`  ${'loader alone, a fifth'.padEnd(34)} ${ms(loaderFifth.firstMs.median)}, peak RSS ${mb(loaderFifth.maxRssKb.median)}`);
    out(`  ${'loader keeping every object'.padEnd(34)} ${ms(loaderRetaining.firstMs.median)}, peak RSS ${mb(loaderRetaining.maxRssKb.median)}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (wanted('hostile')) {
  out('\nhostile input (test/fixtures/bad-input)');
  results.hostile = {};
  for (const file of ['billion-laughs.yaml', 'deep-block.yaml', 'deep-flow.yaml', 'deep-after-error.yaml']) {
    const full = path.join(BAD_INPUT, file);
    const inProcess = loadOnly([full], 3, ['--repeat', '20']);
    const whole = measure([CLI, 'scan', full, '--format', 'json'], Math.min(options.runs, 5));
    results.hostile[file] = { inProcess, whole };
    out(
      `  ${file.padEnd(24)} rejected (${Object.keys(inProcess.diagnostics).join(', ')}) in ${ms(inProcess.firstMs.median)} cold, ${(inProcess.warmMedianMs.median).toFixed(1)} ms warm; whole process ${ms(whole.wallMs.median)}`,
    );
  }
}

if (wanted('compare')) {
  // Each round runs every checkout once, in reversed order every other round, so that neither
  // always runs first; the real-world scan, then a scan of an empty file (start-up alone).
  const roots = [ROOT, ...options.against];
  const inputs = [
    ['realWorld', `real-world scan, interleaved: this checkout against ${options.against.join(', ')}`, REAL_WORLD],
    ['emptyScan', 'scan of an empty file (start-up), interleaved', path.join(BAD_INPUT, 'empty.yaml')],
  ];
  results.compare = {};
  for (const [key, title, input] of inputs) {
    results.compare[key] = alternated(
      roots.map((root) => ({ args: [path.join(root, 'bin', 'rampart.js'), 'scan', input, '--format', 'json'] })),
      options.runs,
    ).map((result, index) => ({ root: roots[index], ...result }));
    out(`\n${title}`);
    for (const result of results.compare[key]) line(result.root === ROOT ? 'this checkout' : result.root, result);
  }
}

if (options.json !== undefined) {
  writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  out(`\nresults written to ${options.json}`);
}
