/**
 * Preloaded into a measured process (`node --import ./bench/peakRss.mjs …`):
 * on exit, writes the process's own peak resident set size and CPU time as
 * JSON to the file named by RAMPART_BENCH_USAGE, so the benchmark needs no
 * /usr/bin/time and measures the process itself, not a wrapper.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.RAMPART_BENCH_USAGE;
if (target !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }));
  });
}
