#!/usr/bin/env node
/**
 * What a file scan holds until its end, by part: generated manifests
 * (bench/generateManifests.mjs, default 20,000 objects) scanned in process
 * through `runScan`; just before `Scanner.finish` the heap is measured after a
 * full garbage collection, then the findings, the message table, the scanned
 * list, the pending pods, the after-input contexts and the cluster index are
 * dropped in that order, each part's figure being what dropping it freed.
 * The scan stops there (no finish, no report). Every object, pod view and
 * finding it holds is copied by each young-generation collection it survives,
 * which is why these figures move the scan's time (BENCHMARKS.md (b.3)).
 *
 *   npm run build && node --expose-gc bench/scanHeld.mjs [objects | directory]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigForCommand } from '../dist/cli/common.js';
import { runScan } from '../dist/cli/scan.js';
import { Scanner } from '../dist/engine/scan.js';
import { generateManifests } from './generateManifests.mjs';

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with node --expose-gc bench/scanHeld.mjs\n');
  process.exit(2);
}
const argument = process.argv[2] ?? '20000';
const generated = /^\d+$/.test(argument);
const directory = generated ? mkdtempSync(path.join(tmpdir(), 'rampart-held-')) : path.resolve(argument);
if (generated) generateManifests(directory, Number(argument));

const heapMb = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed / 1048576;
};
const emptyHeap = heapMb();
const started = performance.now();
let report;
class Stop extends Error {}
Scanner.prototype.finish = function measureHeld() {
  const scanMs = performance.now() - started;
  const total = heapMb();
  const parts = [];
  const drop = (label, release) => {
    const before = heapMb();
    release();
    parts.push([label, before - heapMb()]);
  };
  const objects = this.scanned.length;
  drop(`findings (${this.findings.length})`, () => (this.findings.length = 0));
  drop(`message table (${this.messages.size})`, () => this.messages.clear());
  drop(`scanned list (${objects})`, () => (this.scanned.length = 0));
  drop(`pending pods (${this.pending.length})`, () => (this.pending = []));
  drop(`after-input contexts (${this.afterInput.length})`, () => (this.afterInput = []));
  drop('cluster index (the objects)', () => (this.cluster = undefined));
  report = { objects, scanMs, total: total - emptyHeap, parts };
  throw new Stop();
};
try {
  const config = await loadConfigForCommand(undefined);
  await runScan([directory], config, { policies: [], inlineExceptions: true });
} catch (error) {
  if (!(error instanceof Stop)) throw error;
} finally {
  if (generated) rmSync(directory, { recursive: true, force: true });
}
if (report === undefined) throw new Error('the scan never reached Scanner.finish');
const mb = (value) => `${value.toFixed(1)} MB`;
process.stdout.write(`${report.objects} objects: load and checks ${Math.round(report.scanMs)} ms; heap held at finish ${mb(report.total)} (${Math.round((report.total * 1048576) / report.objects)} bytes per object)\n`);
for (const [label, freed] of report.parts) process.stdout.write(`  ${label.padEnd(36)} ${mb(freed)}\n`);
