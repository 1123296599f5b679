/**
 * `node bench/admissionAlloc.mjs [--by-function]`: what the webhook's decision core allocates per
 * review, in process, for the three bodies of bench/admission.mjs (a compliant pod, a privileged
 * pod that is denied, a Deployment that is warned) and their mix. Allocation drives the server's
 * scavenges, the promotion of objects of requests in flight into the old generation, and so its
 * GC pauses and peak RSS.
 *
 * Bytes per review are counted as scavenges times the semi-space size, with the semi-space fixed
 * at 16 MB (the script runs itself again with --min/--max-semi-space-size=16 when not given them),
 * over 30,000 reviews after 20,000 warm-up; CPU per review is the process's over the same reviews.
 * Then the largest pod the webhook judges (100 containers, all privileged): time per review.
 * `--by-function`: V8's sampling heap profiler (collected objects included) over 5,000 reviews of
 * each body, the largest allocating functions.
 */
import { spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';

const SEMI_MB = 16;
if (!process.execArgv.includes(`--max-semi-space-size=${SEMI_MB}`)) {
  const result = spawnSync(process.execPath, [`--min-semi-space-size=${SEMI_MB}`, `--max-semi-space-size=${SEMI_MB}`, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const { bodies, review, decisionCore } = await import('./admissionBodies.mjs');
const { decider, parseReview, reviewResponse, labels } = await decisionCore();
const NAMES = ['compliant pod', 'privileged pod (denied)', 'Deployment (warned)'];
const run = (count, which) => {
  for (let index = 0; index < count; index++) JSON.stringify(reviewResponse(decider.decide(parseReview(bodies[which ?? index % bodies.length]), labels).response));
};
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

run(20_000);
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === 1) scavenges++;
}).observe({ entryTypes: ['gc'] });
const REVIEWS = 30_000;
for (const which of [undefined, 0, 1, 2]) {
  await pause();
  scavenges = 0;
  const cpu = process.cpuUsage();
  run(REVIEWS, which);
  const used = process.cpuUsage(cpu);
  await pause();
  process.stdout.write(
    `${which === undefined ? 'mix of the three' : NAMES[which]}: about ${Math.round((scavenges * SEMI_MB * 1024) / REVIEWS)} KB allocated per review (${scavenges} scavenges of ${SEMI_MB} MB in ${REVIEWS.toLocaleString('en')} reviews), CPU ${Math.round((used.user + used.system) / REVIEWS)} µs per review\n`,
  );
}

// The largest pod the webhook judges (admission.limits.maxContainers, 100), every container privileged.
{
  const containers = Array.from({ length: 100 }, (_, index) => ({ name: `c${index}`, image: 'busybox:latest', securityContext: { privileged: true } }));
  const big = review('big', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big', namespace: 'shop' }, spec: { hostPID: true, containers } });
  const judge = () => JSON.stringify(reviewResponse(decider.decide(parseReview(big), labels).response));
  for (let index = 0; index < 50; index++) judge();
  const started = performance.now();
  const cpu = process.cpuUsage();
  let answer = '';
  for (let index = 0; index < 100; index++) answer = judge();
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `100-container privileged pod (denied, ${answer.length}-byte response): ${((performance.now() - started) / 100).toFixed(2)} ms wall, ${((used.user + used.system) / 100 / 1000).toFixed(2)} ms CPU per review\n`,
  );
}

if (process.argv.includes('--by-function')) {
  const session = new Session();
  session.connect();
  for (const which of [1, 2]) {
    const count = 5000;
    await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    run(count, which);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const bytes = new Map();
    let total = 0;
    const walk = (node) => {
      const frame = node.callFrame;
      const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/dist\//, '')}:${frame.lineNumber + 1}`;
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
      for (const child of node.children) walk(child);
    };
    walk(profile.head);
    process.stdout.write(`\n${NAMES[which]}: ${Math.round(total / count / 1024)} KB sampled per review, by allocating function:\n`);
    for (const [key, size] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`  ${(size / count / 1024).toFixed(2).padStart(6)} KB  ${key}\n`);
  }
}
