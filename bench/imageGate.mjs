// The admission webhook's image gate (src/admission/images.ts): what judging a pod's images from the image
// result cache adds to a review, and what rereading the cache (off the request path) costs.
// Run: npx tsc -p . && node bench/imageGate.mjs [runs]   (standalone; imports ../dist)
// Builds a cache of 10,000 images (each under a digest and a tag, 20 vulnerabilities each) in a temp dir,
// times the first ImageResultCache.refresh() and a second one with nothing changed, then Decider.decide on a 3-container pod with and without the gate
// (one container's image denied, one found clean, one a cache miss). Budgets: gate overhead p50 under
// 100 µs per review; first load of 10,000 images under 5 s; a refresh with nothing changed under 1 s.
// Exit 1 when over budget.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Decider } from '../dist/admission/decide.js';
import { DEFAULT_ADMISSION_CONFIG } from '../dist/admission/config.js';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { CACHE_SCHEMA, ImageResultCache, writeCacheEntry } from '../dist/images/cache.js';
import { timeRuns } from './timing.mjs';

const RUNS = Number(process.argv[2] ?? 5000);
const IMAGES = 10_000;
const directory = mkdtempSync(path.join(tmpdir(), 'rampart-bench-image-gate-'));
try {
  const digestOf = (index) => `sha256:${index.toString(16).padStart(64, '0')}`;
  const severities = ['critical', 'high', 'medium', 'low', 'low'];
  const writes = [];
  for (let index = 0; index < IMAGES; index++) {
    const vulnerabilities = Array.from({ length: 20 }, (_, number) => ({ id: `CVE-2024-${10000 + number}`, severity: index % 2 === 0 ? severities[number % 5] : 'low', package: `pkg${number}`, version: '1.0' }));
    const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 };
    for (const vulnerability of vulnerabilities) counts[vulnerability.severity]++;
    writes.push(writeCacheEntry(directory, { schema: CACHE_SCHEMA, references: [`registry.example/team/app${index}:1.0`], digests: [digestOf(index)], scannedAt: '2026-11-27T00:00:00.000Z', counts, vulnerabilities }));
    if (writes.length >= 200) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  const cache = new ImageResultCache(directory);
  const loadStarted = performance.now();
  await cache.refresh();
  const loadMs = performance.now() - loadStarted;
  // What the webhook pays every --image-cache-refresh seconds when nothing changed: a stat per folder
  // (once the folders are more than 2 s old; before that, a stat per file).
  await sleep(2500);
  await cache.refresh();
  const refreshStarted = performance.now();
  await cache.refresh();
  const refreshMs = performance.now() - refreshStarted;

  const config = { scan: DEFAULT_CONFIG, admission: { ...DEFAULT_ADMISSION_CONFIG, defaultAction: 'ignore' } };
  const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  const object = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        { name: 'app', image: `registry.example/team/app0@${digestOf(0)}`, securityContext: hardened },
        { name: 'proxy', image: 'registry.example/team/app1:1.0', securityContext: hardened },
        { name: 'metrics', image: 'registry.example/team/unknown:3', securityContext: hardened },
      ],
    },
  };
  const request = { uid: 'u', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, name: 'web', namespace: 'shop', operation: 'CREATE', userInfo: { username: 'alice' }, object, oldObject: null, dryRun: false };
  const without = new Decider(config);
  const gated = new Decider(config, [], undefined, cache);
  if (gated.decide(request, {}).response.allowed !== false) throw new Error('the gated review should deny');
  const plain = timeRuns(() => without.decide(request, {}), { warmup: 1000, runs: RUNS });
  const withGate = timeRuns(() => gated.decide(request, {}), { warmup: 1000, runs: RUNS });
  const overhead = Number(withGate.p50) - Number(plain.p50);
  const [load] = loadavg();
  process.stdout.write(`image gate, ${IMAGES.toLocaleString('en')} cached images (20 vulnerabilities each), ${cpus().length} cores, load ${load.toFixed(1)}\n`);
  process.stdout.write(`  first load (read and index every entry): ${loadMs.toFixed(0)} ms (budget 5000 ms)\n`);
  process.stdout.write(`  refresh with nothing changed (a stat per folder): ${refreshMs.toFixed(0)} ms (budget 1000 ms)\n`);
  process.stdout.write(`  review without gate: p50 ${plain.p50} µs, p90 ${plain.p90} µs, p99 ${plain.p99} µs, CPU ${plain.meanCpu} µs\n`);
  process.stdout.write(`  review with gate:    p50 ${withGate.p50} µs, p90 ${withGate.p90} µs, p99 ${withGate.p99} µs, CPU ${withGate.meanCpu} µs (3 containers: denied, clean, miss)\n`);
  process.stdout.write(`  gate overhead at p50: ${overhead} µs (budget 100 µs)\n`);
  const over = [...(loadMs > 5000 ? ['first load'] : []), ...(refreshMs > 1000 ? ['refresh'] : []), ...(overhead > 100 ? ['overhead'] : [])];
  if (over.length > 0) process.stdout.write(`OVER BUDGET: ${over.join(', ')}\n`);
  process.exitCode = over.length > 0 ? 1 : 0;
} finally {
  rmSync(directory, { recursive: true, force: true });
}
