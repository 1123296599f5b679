/** End-to-end tests of the command line: real processes, real files. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { tempDir } from '../testing/tempDir.js';

function rampart(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata:
  name: root-shell
  namespace: tools
spec:
  containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
`;

const HARDENED_POD = `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: tools}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: registry.example.com/app:1.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
`;

test('--version and -V print the package version and exit 0', () => {
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const result = rampart([flag]);
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `${version}\n`);
  }
});

test('--help lists the commands and exits 0', () => {
  const result = rampart(['--help']);
  assert.equal(result.status, 0);
  for (const command of ['scan', 'pss', 'checks', 'rbac', 'bench', 'policy', 'fix', 'admission', 'snapshot', 'watch', 'threat-model', 'report', 'image', 'db', 'detect', 'audit2rbac']) {
    assert.match(result.stdout, new RegExp(`^  ${command}\\b`, 'm'), `${command} is listed`);
  }
});

test('an unknown option is a usage error with exit code 2 and no stack trace', () => {
  const result = rampart(['scan', '--no-such-flag', 'examples']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown option/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('a missing path is reported and exits 2, other paths are still scanned', () => {
  const directory = tempDir('rampart-cli-');
  const file = path.join(directory, 'pod.yaml');
  writeFileSync(file, PRIVILEGED_POD);
  const result = rampart(['scan', path.join(directory, 'nope.yaml'), file, '--format', 'json']);
  assert.equal(result.status, 2);
  const report = JSON.parse(result.stdout) as { diagnostics: Array<{ code: string }>; summary: { objects: number } };
  assert.ok(report.diagnostics.some((diagnostic) => diagnostic.code === 'path-not-found'));
  assert.equal(report.summary.objects, 1);
});

test('stdin is read with -, and findings point into <stdin>', () => {
  const result = rampart(['scan', '-', '--format', 'json'], PRIVILEGED_POD);
  const report = JSON.parse(result.stdout) as { findings: Array<{ checkId: string; location: { file: string; line: number } }> };
  const privileged = report.findings.find((finding) => finding.checkId === 'PSS-privileged');
  assert.ok(privileged, 'the privileged container is reported');
  assert.equal(privileged.location.file, '<stdin>');
  assert.equal(privileged.location.line, 11);
  assert.equal(result.status, 1);
});

test('--fail-on decides the exit code', () => {
  const clean = rampart(['scan', '-', '--format', 'json'], HARDENED_POD);
  assert.equal(clean.status, 0, clean.stderr);
  // Clean under Pod Security; the hardening catalogue still has low findings (digest pin, probes, network policy).
  assert.equal((JSON.parse(clean.stdout) as { findings: Array<{ checkId: string }> }).findings.filter((finding) => finding.checkId.startsWith('PSS-')).length, 0);
  // The privileged pod has critical/high findings: fail-on critical still fails, but a clean pod never does.
  assert.equal(rampart(['scan', '-', '--fail-on', 'critical', '--format', 'json'], PRIVILEGED_POD).status, 1);
  assert.equal(rampart(['scan', '-', '--fail-on', 'bogus'], PRIVILEGED_POD).status, 2);
});

test('--output writes the report to a file', () => {
  const directory = tempDir('rampart-cli-');
  const output = path.join(directory, 'report.json');
  const result = rampart(['scan', '-', '--format', 'json', '--output', output], HARDENED_POD);
  assert.equal(result.status, 0);
  assert.equal(result.stdout, '');
  assert.equal((JSON.parse(readFileSync(output, 'utf8')) as { schemaVersion: string }).schemaVersion, '1.1');
});

test('a broken config file is a usage error naming the file', () => {
  const directory = tempDir('rampart-cli-');
  const config = path.join(directory, 'rampart.yaml');
  writeFileSync(config, 'pss:\n  levle: baseline\n');
  const result = rampart(['scan', 'examples', '--config', config]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /rampart\.yaml:2:/);
});

test('a configured custom resource is judged on its pod template', () => {
  const directory = tempDir('rampart-cli-');
  const config = path.join(directory, 'rampart.yaml');
  writeFileSync(config, 'podTemplates:\n  - {apiVersion: example.com/v1, kind: WebApp, templatePath: spec.template}\n');
  const webapp = `apiVersion: example.com/v1
kind: WebApp
metadata: {name: shop, namespace: tools}
spec:
  template:
    spec:
      hostPID: true
      containers: [{name: app, image: app:1}]
`;
  const without = JSON.parse(rampart(['scan', '-', '--format', 'json'], webapp).stdout) as { findings: unknown[] };
  assert.equal(without.findings.length, 0, 'unknown kinds carry no pod without configuration');
  const withConfig = JSON.parse(rampart(['scan', '-', '--format', 'json', '--config', config], webapp).stdout) as { findings: Array<{ checkId: string; location: { line: number } }> };
  const hostNamespaces = withConfig.findings.find((finding) => finding.checkId === 'PSS-hostNamespaces');
  assert.ok(hostNamespaces);
  assert.equal(hostNamespaces.location.line, 7);
});

test('checks list --format json prints the catalogue with metadata', () => {
  const result = rampart(['checks', 'list', '--format', 'json']);
  assert.equal(result.status, 0);
  const catalogue = JSON.parse(result.stdout) as { checks: Array<{ id: string; severity: string; frameworks: unknown[]; remediation: string }> };
  const ids = catalogue.checks.map((check) => check.id);
  for (const id of ['PSS-privileged', 'PSS-runAsNonRoot', 'PSS-hostPathVolumes', 'PSS-procMount_restricted']) assert.ok(ids.includes(id), `${id} is in the catalogue`);
  for (const check of catalogue.checks) {
    assert.ok(check.remediation.length > 20, `${check.id} has a remediation`);
    assert.ok(check.frameworks.length > 0, `${check.id} maps to a framework`);
  }
});

test('the quick-start demo scan reports the documented weaknesses', () => {
  const result = rampart(['scan', 'examples/demo-shop', '--format', 'json']);
  assert.equal(result.status, 1, 'the demo has high findings');
  const report = JSON.parse(result.stdout) as { findings: Array<{ checkId: string; object: { name: string } }>; diagnostics: unknown[]; summary: { objects: number } };
  assert.equal(report.summary.objects, 19);
  assert.deepEqual(report.diagnostics, []);
  const has = (name: string, checkId: string): boolean => report.findings.some((finding) => finding.object.name === name && finding.checkId === checkId);
  assert.ok(has('api', 'PSS-runAsNonRoot'));
  assert.ok(has('postgres', 'PSS-capabilities_baseline'));
  assert.ok(has('db-backup', 'PSS-privileged'));
  assert.ok(has('db-backup', 'PSS-hostPathVolumes'));
  assert.ok(has('metrics-agent', 'PSS-hostNamespaces'));
  assert.ok(has('metrics-agent', 'PSS-hostPorts'));
  assert.ok(has('api-secrets', 'RBAC-secrets-access'), 'weakness 2: the Role that reads every Secret');
  assert.ok(has('postgres-config', 'configmap-secret-literal'), 'weakness 3: a password in a ConfigMap');
  assert.ok(!JSON.stringify(report).includes('s3cr3t-demo-password'), 'the secret value is never printed');
  assert.ok(!report.findings.some((finding) => finding.object.name === 'frontend' && finding.checkId.startsWith('PSS-')), 'the hardened frontend is clean under Pod Security');
});
