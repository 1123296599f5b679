/** `rampart pss` end to end: real processes, real fixture files, JSON output and exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, CORPORA, REPO_ROOT } from '../testing/paths.js';
import type { PssReport } from './pss.js';
import { tempDir } from '../testing/tempDir.js';

function rampart(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const FIXTURES = path.join(CORPORA, 'psa-fixtures');
const fixture = (relative: string): string => path.join(FIXTURES, relative);

test('an allowed pod: exit 0 and a JSON verdict', () => {
  const file = fixture('restricted/v1.34/pass/base.yaml');
  const result = rampart(['pss', file, '--level', 'restricted', '--version', 'v1.34', '--format', 'json']);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as PssReport;
  assert.equal(report.level, 'restricted');
  assert.equal(report.version, 'v1.34');
  assert.equal(report.results.length, 1);
  const [only] = report.results;
  assert.deepEqual(only?.object, { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'base' });
  assert.deepEqual(only?.location, { file, line: 1, column: 1 });
  assert.equal(only?.allowed, true);
  assert.deepEqual(only?.violations, []);
});

test('a denied pod: exit 1, the PSA check ID and a message naming container and field', () => {
  const result = rampart(['pss', fixture('restricted/v1.34/fail/runasnonroot0.yaml'), '--version', 'v1.34', '--format', 'json']);
  assert.equal(result.status, 1, result.stderr);
  const report = JSON.parse(result.stdout) as PssReport;
  const [only] = report.results;
  assert.equal(only?.allowed, false);
  const violation = only?.violations.find((entry) => entry.check === 'runAsNonRoot');
  assert.ok(violation, JSON.stringify(only?.violations));
  assert.match(violation.message, /containers "initcontainer1", "container1" must set securityContext\.runAsNonRoot=true/);
});

test('latest resolves to v1.37 and is reported as such; the level decides the verdict', () => {
  const file = fixture('restricted/v1.34/fail/runasnonroot0.yaml');
  const baseline = rampart(['pss', file, '--level', 'baseline', '--format', 'json']);
  assert.equal(baseline.status, 0);
  const report = JSON.parse(baseline.stdout) as PssReport;
  assert.equal(report.version, 'v1.37');
  assert.equal(report.requestedVersion, 'latest');
  assert.equal(rampart(['pss', file, '--version', 'v1.50', '--format', 'json']).status, 1);
  assert.equal((JSON.parse(rampart(['pss', file, '--version', 'v1.50', '--format', 'json']).stdout) as PssReport).version, 'v1.37');
});

test('version-dependent verdicts: a v1.37 sysctl is denied at v1.36 and allowed at v1.37', () => {
  const pod = `apiVersion: v1
kind: Pod
metadata: {name: tuned}
spec:
  securityContext:
    sysctls: [{name: net.ipv4.tcp_notsent_lowat, value: "16384"}]
  containers: [{name: app, image: app:1}]
`;
  assert.equal(rampart(['pss', '-', '--level', 'baseline', '--version', 'v1.36'], pod).status, 1);
  assert.equal(rampart(['pss', '-', '--level', 'baseline', '--version', 'v1.37'], pod).status, 0);
});

test('the table format names the verdict, object, check and message', () => {
  const result = rampart(['pss', fixture('baseline/v1.34/fail/privileged0.yaml'), '--level', 'baseline']);
  assert.equal(result.status, 1);
  assert.match(result.stdout, /DENIED\s+Pod default\/privileged0/);
  assert.match(result.stdout, /privileged\s+container "\w+" must not set securityContext\.privileged=true/);
  assert.match(result.stdout, /1 object: 0 allowed, 1 denied/);
});

test('usage and input errors exit 2', () => {
  const file = fixture('restricted/v1.34/pass/base.yaml');
  assert.equal(rampart(['pss', file, '--version', 'v2.0']).status, 2);
  assert.equal(rampart(['pss', file, '--level', 'strict']).status, 2);
  assert.equal(rampart(['pss', file, '--format', 'xml']).status, 2);
  const missing = rampart(['pss', path.join(FIXTURES, 'no-such-file.yaml'), '--format', 'json']);
  assert.equal(missing.status, 2);
  const directory = tempDir('rampart-pss-');
  const broken = path.join(directory, 'broken.yaml');
  writeFileSync(broken, 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: a, securityContext: {runAsUser: "0"}}]\n');
  const invalid = rampart(['pss', broken, '--format', 'json']);
  assert.equal(invalid.status, 2);
  assert.match(invalid.stderr, /broken\.yaml:5:\d+: .*runAsUser must be an integer/);
});

test('namespace labels in the input decide the verdict and the modes', () => {
  const input = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: api, image: api:1}]
`;
  const result = rampart(['pss', '-', '--format', 'json'], input);
  assert.equal(result.status, 0, 'enforce baseline admits the pods; restricted is only a warning');
  const report = JSON.parse(result.stdout) as PssReport;
  const [only] = report.results;
  assert.equal(only?.namespacePolicy?.enforce.level, 'baseline');
  assert.ok(only !== undefined && only.violations.length > 0 && only.violations.every((violation) => violation.modes?.join() === 'warn'));
});

test('an invalid enforce label is reported on stderr and enforced as restricted', () => {
  const input = `apiVersion: v1
kind: Namespace
metadata:
  name: tools
  labels:
    pod-security.kubernetes.io/enforce: strict
---
apiVersion: v1
kind: Pod
metadata: {name: shell, namespace: tools}
spec:
  containers: [{name: shell, image: busybox}]
`;
  const result = rampart(['pss', '-', '--level', 'baseline', '--format', 'json'], input);
  assert.equal(result.status, 1, 'denied by the fail-closed enforce mode, not an input error');
  assert.match(result.stderr, /^<stdin>:6:5: Namespace tools: label pod-security\.kubernetes\.io\/enforce="strict"/m);
  const [only] = (JSON.parse(result.stdout) as PssReport).results;
  assert.equal(only?.namespacePolicy?.enforce.level, 'restricted');
  assert.equal(only?.namespacePolicy?.labelProblems?.length, 1);
});
