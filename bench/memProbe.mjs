/**
 * Preloaded into a server under a benchmark, to see what its resident memory is made of:
 *   RAMPART_BENCH_SERVER_FLAGS="--import ./bench/memProbe.mjs" node bench/admission.mjs
 * Every 50 ms it samples process.memoryUsage() and V8's heap spaces, and keeps the largest value
 * of each; when the process exits (or gets SIGUSR2) it prints them to stderr, with the sample
 * taken at the highest RSS (MB). What is not V8's heap (RSS minus heapTotal) is the Node binary,
 * its native allocations, TLS and the thread stacks: about 50-55 MB for the webhook.
 */
import { setInterval } from 'node:timers';
import v8 from 'node:v8';

const MB = 1024 * 1024;
const largest = new Map();
let atLargestRss;
const note = (key, value) => {
  if (value > (largest.get(key) ?? 0)) largest.set(key, value);
};
setInterval(() => {
  const usage = process.memoryUsage();
  const rssBefore = largest.get('rss') ?? 0;
  for (const key of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers']) note(key, usage[key]);
  const spaces = {};
  for (const space of v8.getHeapSpaceStatistics()) {
    note(`${space.space_name}.size`, space.space_size);
    note(`${space.space_name}.used`, space.space_used_size);
    if (space.space_size > 0) spaces[space.space_name] = Math.round(space.space_size / MB);
  }
  if (usage.rss >= rssBefore) atLargestRss = { rss: Math.round(usage.rss / MB), heapTotal: Math.round(usage.heapTotal / MB), heapUsed: Math.round(usage.heapUsed / MB), spaces };
}, 50).unref();
const report = () =>
  process.stderr.write(
    `memProbe largest (MB): ${[...largest].map(([key, value]) => `${key}=${(value / MB).toFixed(1)}`).join(' ')}\nmemProbe at the largest RSS: ${JSON.stringify(atLargestRss)}\n`,
  );
process.on('exit', report);
process.on('SIGUSR2', report);
