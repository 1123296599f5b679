#!/usr/bin/env node
/**
 * Memory a scan holds per finding: generated pods (the pod shape of
 * bench/cluster.mjs) scanned in process through `runScan`, the heap measured
 * after a full garbage collection before and after. The result keeps every
 * finding (as a scan does until its report is written); the figure is the
 * heap growth divided by the number of findings, objects included.
 *
 *   npm run build && node --expose-gc bench/findingMemory.mjs [pods]   (default 5,000)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfigForCommand } from '../dist/cli/common.js';
import { runScan } from '../dist/cli/scan.js';

if (typeof globalThis.gc !== 'function') {
  process.stderr.write('run with node --expose-gc bench/findingMemory.mjs\n');
  process.exit(2);
}
const PODS = Number(process.argv[2] ?? 5000);
let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const documents = [];
for (let index = 0; index < 10; index++) documents.push(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${index}` } }));
for (let index = 0; index < PODS; index++) {
  const roll = random();
  const spec = {
    serviceAccountName: `sa-${index % 10}`,
    ...(random() < 0.2 ? { automountServiceAccountToken: false } : {}),
    containers: [
      {
        name: 'app',
        image: `registry.example/app:${index % 100}`,
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        securityContext: roll > 0.995 ? { privileged: true } : { runAsNonRoot: true, allowPrivilegeEscalation: false },
      },
    ],
  };
  documents.push(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${index}`, namespace: `ns-${index % 10}`, labels: { app: `app-${index % 50}` } }, spec }));
}
const directory = mkdtempSync(path.join(tmpdir(), 'rampart-finding-memory-'));
try {
  const file = path.join(directory, 'pods.yaml');
  writeFileSync(file, documents.join('\n---\n'));
  const config = await loadConfigForCommand(undefined);
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const run = await runScan([file], config, { policies: [], inlineExceptions: true });
  globalThis.gc();
  const grown = process.memoryUsage().heapUsed - before;
  const findings = run.result.findings.length;
  process.stdout.write(
    `${PODS} pods, ${run.result.objects.length} objects, ${findings} findings: heap held ${(grown / 1e6).toFixed(1)} MB, ${Math.round(grown / findings)} bytes per finding (objects included)\n`,
  );
} finally {
  rmSync(directory, { recursive: true, force: true });
}
