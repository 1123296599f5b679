#!/usr/bin/env node
/**
 * The JSON report alone: a generated tree (bench/generateManifests.mjs) is
 * scanned once in process through `runScan`, then its report is rendered by
 * `renderJsonChunks` and written by `writeOutput` to /dev/null, RUNS times;
 * the median is reported, with the time per finding against a budget of
 * 10 µs (100,000 objects give about 370,000 findings: under 4 s of the
 * issue's 10 s). With --against <checkout> (another built copy of the
 * repository) that checkout's renderer and writer run on the same scan
 * result, alternated with this one's, for before/after figures; the bytes
 * of both are compared too.
 *
 *   npm run build && node bench/jsonReport.mjs [--objects 50000] [--runs 5] [--against /path/to/checkout]
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateManifests } from './generateManifests.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUDGET_US_PER_FINDING = 10;
const options = { objects: 50_000, runs: 5, against: undefined };
for (let index = 2; index < process.argv.length; index += 2) {
  const [flag, value] = [process.argv[index], process.argv[index + 1]];
  if (flag === '--objects') options.objects = Number(value);
  else if (flag === '--runs') options.runs = Number(value);
  else if (flag === '--against') options.against = path.resolve(value);
  else {
    process.stderr.write(`unknown option ${flag}\n`);
    process.exit(2);
  }
}

const load = async (root) => ({
  root,
  renderJsonChunks: (await import(pathToFileURL(path.join(root, 'dist', 'report', 'json.js')).href)).renderJsonChunks,
  writeOutput: (await import(pathToFileURL(path.join(root, 'dist', 'cli', 'common.js')).href)).writeOutput,
});
const sides = [await load(ROOT), ...(options.against === undefined ? [] : [await load(options.against)])];
const { runScan } = await import(pathToFileURL(path.join(ROOT, 'dist', 'cli', 'scan.js')).href);
const { loadConfigForCommand, VERSION } = await import(pathToFileURL(path.join(ROOT, 'dist', 'cli', 'common.js')).href);

const work = mkdtempSync(path.join(tmpdir(), 'rampart-bench-json-'));
try {
  generateManifests(path.join(work, 'tree'), options.objects);
  const run = await runScan([path.join(work, 'tree')], await loadConfigForCommand(undefined), { policies: [], inlineExceptions: true });
  const context = { tool: { name: 'rampart', version: VERSION }, pss: run.pss, suppressed: run.exceptions.suppressed };
  const findings = run.result.findings.length;
  process.stdout.write(`JSON report of ${options.objects.toLocaleString('en')} generated objects: ${findings.toLocaleString('en')} findings, load average ${loadavg()[0].toFixed(1)}\n`);

  const digests = sides.map((side) => {
    const hash = createHash('sha256');
    let bytes = 0;
    for (const piece of side.renderJsonChunks(run.result, context)) {
      hash.update(piece);
      bytes += Buffer.byteLength(piece);
    }
    return { digest: hash.digest('hex'), bytes };
  });
  process.stdout.write(`report: ${(digests[0].bytes / 1e6).toFixed(1)} MB${sides.length > 1 ? `, ${digests.every((entry) => entry.digest === digests[0].digest) ? 'the same bytes in both checkouts' : 'DIFFERENT bytes in the two checkouts'}` : ''}\n`);

  const samples = sides.map(() => []);
  for (let round = 0; round < options.runs; round++) {
    for (const [index, side] of sides.entries()) {
      const started = performance.now();
      await side.writeOutput(side.renderJsonChunks(run.result, context), '/dev/null');
      samples[index].push(performance.now() - started);
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  let over = false;
  for (const [index, side] of sides.entries()) {
    const values = samples[index];
    const perFinding = (median(values) * 1000) / findings;
    if (index === 0) over = perFinding > BUDGET_US_PER_FINDING;
    process.stdout.write(
      `  ${index === 0 ? 'this checkout' : side.root}: render + write ${median(values).toFixed(0)} ms median (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)}), ${perFinding.toFixed(2)} µs per finding${index === 0 ? ` (budget ${BUDGET_US_PER_FINDING} µs)` : ''}\n`,
    );
  }
  if (over) process.stdout.write('over budget\n');
  process.exitCode = over ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
