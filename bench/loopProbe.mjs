/**
 * Preloaded into a server under a benchmark, to see where requests wait:
 *   RAMPART_BENCH_SERVER_FLAGS="--import ./bench/loopProbe.mjs" node bench/admission.mjs
 * A 1 ms interval timer records every stall of the event loop over 8 ms (when it ended, how long),
 * and a `gc` PerformanceObserver every collection over 3 ms (start, duration, kind: 1 scavenge,
 * 4 mark-compact, 8 incremental marking). Both are printed to stderr when the process exits (the
 * last 80 of each); times are ms since the process started.
 *
 * With RAMPART_LOOP_PROBE_FILE=FILE it also writes FILE at exit: every stall over 2 ms and every
 * collection, with the time of exit, for `node bench/loopStalls.mjs FILE` (which of the stalls of the
 * paced run had a collection inside).
 */
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const STALL_MS = 8;
const GC_MS = 3;
const RECORD_STALL_MS = 2;
const stalls = [];
const collections = [];
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - last - 1;
  if (late > RECORD_STALL_MS) stalls.push([now, late]);
  last = now;
}, 1).unref();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) collections.push([entry.startTime, entry.duration, entry.detail?.kind]);
}).observe({ entryTypes: ['gc'] });
process.on('exit', () => {
  const round = ([at, duration, ...rest]) => [Math.round(at), Math.round(duration * 10) / 10, ...rest];
  const longStalls = stalls.filter(([, late]) => late > STALL_MS).map(round);
  const longCollections = collections.filter(([, duration]) => duration > GC_MS).map(round);
  process.stderr.write(`loop stalls over ${STALL_MS} ms: ${longStalls.length} ${JSON.stringify(longStalls.slice(-80))}\ncollections over ${GC_MS} ms: ${longCollections.length} ${JSON.stringify(longCollections.slice(-80))}\n`);
  const file = process.env.RAMPART_LOOP_PROBE_FILE;
  if (file !== undefined && file !== '') writeFileSync(file, JSON.stringify({ exitAt: performance.now(), stalls, collections }));
});
