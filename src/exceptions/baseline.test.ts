/** `rampart scan --baseline` end to end, and the fingerprint it compares by. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { describeErrors, jsonReportValidator } from '../report/testing/schemas.js';
import { findingFingerprint, parseBaseline } from './baseline.js';
import { tempDir } from '../testing/tempDir.js';

function rampart(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const directory = tempDir('rampart-baseline-');

const HARDENED = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: registry.example.com/app:1.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
`;

/** The same pod with lines added above, and then with a privileged container added. */
const SHIFTED = `# a comment
# and another, so every line moves
${HARDENED}`;
const WORSE = `${SHIFTED}    - name: debug
      image: registry.example.com/debug:1.0
      securityContext:
        privileged: true
        allowPrivilegeEscalation: true
        capabilities: {drop: [ALL]}
`;

interface Report {
  findings: Array<{ checkId: string; container?: string; severity: string }>;
  baseline?: { file: string; unchanged: number };
  summary: { findings: number };
}

test('--baseline reports only new findings; moved lines do not make a finding new; new findings fail the gate', () => {
  const manifest = path.join(directory, 'pod.yaml');
  const baseline = path.join(directory, 'baseline.json');
  writeFileSync(manifest, HARDENED);
  const first = rampart(['scan', manifest, '-f', 'json', '-o', baseline]);
  const before = JSON.parse(readFileSync(baseline, 'utf8')) as Report;
  assert.ok(before.findings.length > 0, 'the hardened pod still has low findings to carry over');
  assert.equal(first.status, 0);

  writeFileSync(manifest, SHIFTED);
  const same = rampart(['scan', manifest, '-f', 'json', '--baseline', baseline]);
  assert.equal(same.status, 0);
  const sameReport = JSON.parse(same.stdout) as Report;
  assert.deepEqual(sameReport.findings, []);
  assert.deepEqual(sameReport.baseline, { file: baseline, unchanged: before.findings.length });
  assert.equal(sameReport.summary.findings, 0);
  const validate = jsonReportValidator();
  assert.ok(validate(sameReport), describeErrors(validate));

  writeFileSync(manifest, WORSE);
  const worse = rampart(['scan', manifest, '-f', 'json', '--baseline', baseline]);
  assert.equal(worse.status, 1);
  const worseReport = JSON.parse(worse.stdout) as Report;
  assert.ok(worseReport.findings.length > 0);
  for (const finding of worseReport.findings) assert.equal(finding.container, 'debug', `${finding.checkId} is about the new container`);
  assert.ok(worseReport.findings.some((finding) => finding.checkId === 'PSS-privileged'));

  const table = rampart(['scan', manifest, '--baseline', baseline]);
  assert.equal(table.status, 1);
  assert.match(table.stdout, new RegExp(`^Scanned .*, ${before.findings.length} unchanged since the baseline, .*\\.$`, 'm'));
  assert.doesNotMatch(table.stderr, /baseline/);
});

test('a baseline that is not a Rampart JSON report is a usage error (exit 2)', () => {
  const manifest = path.join(directory, 'ok.yaml');
  writeFileSync(manifest, HARDENED);
  const cases: Array<[string, RegExp]> = [
    ['not json at all', /not a Rampart JSON report: not JSON/],
    ['[]', /not a JSON object/],
    ['{"schemaVersion":"1.0","tool":{"name":"trivy"},"findings":[]}', /tool\.name is not "rampart"/],
    ['{"version":"2.1.0","runs":[]}', /tool\.name/],
    ['{"schemaVersion":"2.0","tool":{"name":"rampart"},"findings":[]}', /schemaVersion 2\.0/],
    ['{"schemaVersion":"1.0","tool":{"name":"rampart"},"findings":[{"checkId":1}]}', /findings\[0\] is not a finding/],
  ];
  for (const [text, message] of cases) {
    const file = path.join(directory, 'bad.json');
    writeFileSync(file, text);
    const result = rampart(['scan', manifest, '--baseline', file]);
    assert.equal(result.status, 2, text);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '');
  }
  const missing = rampart(['scan', manifest, '--baseline', path.join(directory, 'missing.json')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read --baseline file/);
});

test('the fingerprint ignores file, line and apiVersion, and tells check, object, container and field apart', () => {
  const base = { checkId: 'c', object: { kind: 'Deployment', namespace: 'n', name: 'x' }, container: 'app', path: ['spec', 'containers', 0] as const };
  const withPlace = { ...base, object: { ...base.object, apiVersion: 'apps/v1' }, location: { file: 'a.yaml', documentIndex: 3, line: 99, column: 1 } };
  assert.equal(findingFingerprint(withPlace), findingFingerprint(base));
  for (const other of [{ ...base, checkId: 'd' }, { ...base, object: { ...base.object, name: 'y' } }, { ...base, object: { kind: 'Deployment', name: 'x' } }, { ...base, container: 'side' }, { ...base, path: ['spec'] }]) {
    assert.notEqual(findingFingerprint(other), findingFingerprint(base));
  }
  assert.equal(parseBaseline('{"schemaVersion":"1.7","tool":{"name":"rampart"},"findings":[]}', 'f').length, 0, 'later 1.x reports are read');
});
