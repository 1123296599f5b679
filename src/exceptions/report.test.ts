/** `rampart exceptions report` end to end: real files, the real CLI, a fixed clock. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import type { ExceptionsReport } from './report.js';
import { tempDir } from '../testing/tempDir.js';

function rampart(args: string[], now: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RAMPART_NOW: now } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const directory = tempDir('rampart-exceptions-report-');
const MANIFEST = path.join(directory, 'exporter.yaml');
writeFileSync(
  MANIFEST,
  `apiVersion: v1
kind: Pod
metadata:
  name: exporter
  namespace: monitoring
  annotations:
    rampart.dev/exceptions: '[{"checks":["PSS-hostPorts"],"reason":"node exporter needs the host port","expires":"2027-03-31","owner":"team-observability"}]'
    rampart.dev/exceptions.agent: '{"checks":["PSS-privileged"],"reason":"loads a kernel module"}'
spec:
  containers:
    - name: app
      image: prom/node-exporter:v1.8.0
      ports: [{containerPort: 9100, hostPort: 9100}]
    - name: agent
      image: busybox:1.36
      securityContext: {privileged: true}
`,
);
const CONFIG = path.join(directory, 'rampart.yaml');
writeFileSync(
  CONFIG,
  `exceptions:
  - checks: [PSS-hostNetwork]
    match: {namespace: monitoring}
    reason: nothing uses the host network any more
    owner: platform-team@example.com
`,
);

test('the JSON report lists every exception with who, why, until when and what it matched; stale config entries too', () => {
  const result = rampart(['exceptions', 'report', MANIFEST, '--config', CONFIG, '--format', 'json'], '2027-01-15');
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ExceptionsReport;
  assert.deepEqual(report.summary, { active: 2, expired: 0, stale: 1 });
  assert.equal(report.now, '2027-01-15T00:00:00.000Z');
  const [stale, hostPorts, privileged] = report.exceptions;
  assert.deepEqual(stale, {
    state: 'stale',
    source: 'config',
    file: CONFIG,
    line: 2,
    checks: ['PSS-hostNetwork'],
    match: { namespace: 'monitoring' },
    owner: 'platform-team@example.com',
    reason: 'nothing uses the host network any more',
    matched: [],
  });
  assert.equal(hostPorts?.state, 'active');
  assert.equal(hostPorts?.owner, 'team-observability');
  assert.equal(hostPorts?.expires, '2027-03-31');
  assert.equal(hostPorts?.line, 7);
  assert.deepEqual(hostPorts?.object, { apiVersion: 'v1', kind: 'Pod', name: 'exporter', namespace: 'monitoring' });
  assert.deepEqual(hostPorts?.matched, [{ checkId: 'PSS-hostPorts', object: { apiVersion: 'v1', kind: 'Pod', name: 'exporter', namespace: 'monitoring' }, container: 'app', file: MANIFEST, line: 13 }]);
  assert.equal(privileged?.container, 'agent');
  assert.equal(privileged?.line, 8);
  assert.deepEqual(privileged?.matched.map((finding) => [finding.checkId, finding.container]), [['PSS-privileged', 'agent']]);
});

test('after the expiry day the exception is listed as expired, first, with the findings it no longer suppresses', () => {
  const report = JSON.parse(rampart(['exceptions', 'report', MANIFEST, '-f', 'json'], '2027-04-01').stdout) as ExceptionsReport;
  assert.deepEqual(report.summary, { active: 1, expired: 1, stale: 0 });
  assert.equal(report.exceptions[0]?.state, 'expired');
  assert.equal(report.exceptions[0]?.matched.length, 1);
});

test('the table names state, file:line, checks, scope, owner, reason and expiry', () => {
  const result = rampart(['exceptions', 'report', MANIFEST, '--config', CONFIG], '2027-01-15');
  assert.equal(result.status, 0);
  assert.match(result.stdout, new RegExp(`^STALE +${CONFIG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2 +\\(config\\)$`, 'm'));
  assert.match(result.stdout, /checks: +PSS-hostPorts\n +applies: +Pod monitoring\/exporter\n +owner: +team-observability\n +reason: +node exporter needs the host port\n +expires: +2027-03-31\n +suppresses 1 finding:/);
  assert.match(result.stdout, /applies: +Pod monitoring\/exporter, container "agent"/);
  assert.match(result.stdout, /3 exceptions: 2 in force, 0 expired, 1 stale \(matched nothing\)\.\n$/);
});

test('--no-inline-exceptions leaves only central exceptions and says so', () => {
  const result = rampart(['exceptions', 'report', MANIFEST, '--config', CONFIG, '--no-inline-exceptions'], '2027-01-15');
  assert.equal(result.status, 0);
  assert.match(result.stdout, /1 exception: 0 in force, 0 expired, 1 stale/);
  assert.match(result.stdout, /Inline exceptions were ignored \(--no-inline-exceptions\)\./);
});

test('a missing path is exit 2; a bad config file is a usage error', () => {
  assert.equal(rampart(['exceptions', 'report', path.join(directory, 'missing.yaml')], '2027-01-15').status, 2);
  const bad = path.join(directory, 'bad.yaml');
  writeFileSync(bad, 'exceptions:\n  - {checks: [a], match: {}, reason: r}\n');
  const result = rampart(['exceptions', 'report', MANIFEST, '--config', bad], '2027-01-15');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /owner/);
});
