#!/usr/bin/env node
/**
 * `npm run build && node bench/detectMicro.mjs`: the two micro-benchmarks behind BENCHMARKS.md (k.4).
 *
 * 1. Evicting the oldest key of a bounded Set with a new iterator each time (`set.values().next()`),
 *    as the spool did before its keys became digests: V8 keeps deleted entries as holes until the
 *    table is rebuilt, and each new iterator steps over those at the front. 400,000 evictions at
 *    bounds of 100,000, 500,000 and 1,000,000 keys, µs each (string creation included).
 * 2. Reading a 400-event EventList body: `toString` + `JSON.parse` of the whole body, against
 *    `readEventList` (src/detect/eventList.ts: a walk of the top level, then each item parsed alone).
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { readEventList } = await import(path.join(ROOT, 'dist', 'detect', 'eventList.js'));

const EVICTIONS = 400_000;
for (const bound of [100_000, 500_000, 1_000_000]) {
  const set = new Set();
  let started = 0;
  for (let index = 0; index < EVICTIONS + bound; index++) {
    set.add(`${index.toString(16).padStart(8, '0')}-1234-5678-9abc-def012345678/ResponseComplete`);
    if (set.size > bound) set.delete(set.values().next().value);
    if (index === bound) started = performance.now();
  }
  process.stdout.write(`evict the oldest of ${bound.toLocaleString('en')} keys with a new iterator: ${(((performance.now() - started) * 1000) / EVICTIONS).toFixed(1)} µs each\n`);
}

const items = Array.from({ length: 400 }, (_, index) => ({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: randomUUID(), stage: 'ResponseComplete',
  requestURI: `/api/v1/namespaces/team-1/pods/p-${index}`, verb: 'get',
  user: { username: 'system:node:node-1', groups: ['system:nodes', 'system:authenticated'] }, sourceIPs: ['10.0.0.1'],
  userAgent: 'kubelet/v1.30 (linux/amd64) kubernetes/abcdef', objectRef: { resource: 'pods', namespace: 'team-1', name: `p-${index}`, apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 200 }, requestReceivedTimestamp: new Date().toISOString(), stageTimestamp: new Date().toISOString(),
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
}));
const body = Buffer.from(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items }));
const perBody = (run) => {
  for (let index = 0; index < 50; index++) run();
  const started = performance.now();
  for (let index = 0; index < 300; index++) run();
  return ((performance.now() - started) / 300).toFixed(2);
};
for (let round = 0; round < 3; round++) {
  const whole = perBody(() => JSON.parse(body.toString('utf8')).items.length);
  const split = perBody(() => readEventList(body).items.length);
  process.stdout.write(`${(body.length / 1000).toFixed(0)} kB EventList of 400 events: toString + JSON.parse ${whole} ms, readEventList ${split} ms\n`);
}
