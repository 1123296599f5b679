/**
 * Preloaded into a server under a benchmark, to see where requests wait:
 *   RAMPART_BENCH_SERVER_FLAGS="--import ./bench/loopProbe.mjs" node bench/admission.mjs
 * A 1 ms interval timer records every stall of the event loop over 8 ms (when it ended, how long),
 * and a `gc` PerformanceObserver every collection over 3 ms (start, duration, kind: 1 scavenge,
 * 4 mark-compact, 8 incremental marking). Both are printed to stderr when the process exits (the
 * last 80 of each); times are ms since the process started.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';

const STALL_MS = 8;
const GC_MS = 3;
const stalls = [];
const collections = [];
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - last - 1;
  if (late > STALL_MS) stalls.push([Math.round(now), Math.round(late)]);
  last = now;
}, 1).unref();
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.duration > GC_MS) collections.push([Math.round(entry.startTime), Math.round(entry.duration * 10) / 10, entry.detail?.kind]);
}).observe({ entryTypes: ['gc'] });
process.on('exit', () => {
  process.stderr.write(`loop stalls over ${STALL_MS} ms: ${stalls.length} ${JSON.stringify(stalls.slice(-80))}\ncollections over ${GC_MS} ms: ${collections.length} ${JSON.stringify(collections.slice(-80))}\n`);
});
