/** Exceptions end to end: real manifests, a real config file, the real CLI, a fixed clock (RAMPART_NOW). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { isExpired, isValidDate, parseInlineExceptions } from './exceptions.js';
import { tempDir } from '../testing/tempDir.js';

interface Report {
  findings: Array<{ checkId: string; container?: string }>;
  diagnostics: Array<{ code: string; message: string; file: string; line?: number }>;
  suppressed?: Array<{ checkId: string; container?: string; exception: { source: string; reason: string; owner?: string; expires?: string; file: string; line: number } }>;
  summary: { findings: number; suppressed?: number };
}

function rampart(args: string[], now = '2027-01-15'): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RAMPART_NOW: now } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function scanJson(args: string[], now?: string): { status: number | null; report: Report; stderr: string } {
  const result = rampart(['scan', '-f', 'json', ...args], now);
  return { status: result.status, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

const PRIVILEGED_CHECKS = ['PSS-privileged', 'container-privileged', 'container-privilege-escalation-allowed'];

/** A pod whose only high and critical findings come from its privileged `agent` container. */
function pod(annotations: Record<string, string> = {}, name = 'exporter'): string {
  const lines = Object.entries(annotations).map(([key, value]) => `    ${key}: '${value}'`);
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: monitoring
  labels: {app: node-exporter}
${lines.length > 0 ? `  annotations:\n${lines.join('\n')}\n` : ''}spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: registry.example.com/app:1.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
    - name: agent
      image: registry.example.com/agent:1.0
      securityContext:
        privileged: true
        allowPrivilegeEscalation: true
        capabilities: {drop: [ALL]}
`;
}

function write(name: string, text: string): string {
  const directory = tempDir('rampart-exceptions-');
  const file = path.join(directory, name);
  writeFileSync(file, text);
  return file;
}

const INLINE = JSON.stringify([{ checks: PRIVILEGED_CHECKS, reason: 'the agent loads a kernel module', expires: '2027-03-31', container: 'agent' }]);

test('without exceptions the privileged container fails the gate', () => {
  const { status, report } = scanJson([write('pod.yaml', pod())]);
  assert.equal(status, 1);
  assert.equal(report.suppressed, undefined);
  for (const id of PRIVILEGED_CHECKS) assert.ok(report.findings.some((finding) => finding.checkId === id));
});

test('an inline exception in force suppresses its findings, lists them with reason and file:line, and passes the gate', () => {
  const file = write('pod.yaml', pod({ 'rampart.dev/exceptions': INLINE }));
  const { status, report } = scanJson([file]);
  assert.equal(status, 0);
  for (const id of PRIVILEGED_CHECKS) assert.ok(!report.findings.some((finding) => finding.checkId === id), `${id} suppressed`);
  assert.deepEqual(report.suppressed?.map((entry) => entry.checkId).sort(), [...PRIVILEGED_CHECKS].sort());
  const exception = report.suppressed?.[0]?.exception;
  assert.deepEqual(exception, { source: 'inline', reason: 'the agent loads a kernel module', expires: '2027-03-31', file, line: 8 });
  assert.equal(report.summary.suppressed, 3);
  assert.equal(report.summary.findings, report.findings.length);
  assert.deepEqual(report.diagnostics, []);
  const table = rampart(['scan', file]);
  assert.equal(table.status, 0);
  assert.match(table.stdout, /^Scanned .*, 3 suppressed by exceptions, .*\.$/m);
  assert.doesNotMatch(table.stderr, /suppressed/);
});

test('an exception applies through its expiry day, then stops applying, is reported at its line, and the findings fail the gate again', () => {
  const file = write('pod.yaml', pod({ 'rampart.dev/exceptions': INLINE }));
  assert.equal(scanJson([file], '2027-03-31T23:59:59Z').status, 0);
  const { status, report } = scanJson([file], '2027-04-01T00:00:00Z');
  assert.equal(status, 1);
  assert.equal(report.suppressed, undefined);
  for (const id of PRIVILEGED_CHECKS) assert.ok(report.findings.some((finding) => finding.checkId === id));
  const expired = report.diagnostics.filter((diagnostic) => diagnostic.code === 'exception-expired');
  assert.equal(expired.length, 1);
  assert.equal(expired[0]?.file, file);
  assert.equal(expired[0]?.line, 8);
  assert.match(expired[0]?.message ?? '', /expired on 2027-03-31.*3 findings reported again/);
});

test('the container-scoped annotation applies to that container only', () => {
  const scoped = JSON.stringify({ checks: ['PSS-privileged', 'container-run-as-non-root', 'image-not-pinned-by-digest'], reason: 'scoped' });
  const { report } = scanJson([write('pod.yaml', pod({ 'rampart.dev/exceptions.agent': scoped }))]);
  const suppressed = report.suppressed ?? [];
  assert.ok(suppressed.length > 0);
  for (const entry of suppressed) assert.equal(entry.container, 'agent');
  assert.ok(report.findings.some((finding) => finding.checkId === 'image-not-pinned-by-digest' && finding.container === 'app'), 'the app container keeps its finding');
});

test('an exception scoped to a container without those findings is stale, and suppresses nothing', () => {
  const wrong = JSON.stringify([{ checks: ['PSS-privileged'], reason: 'wrong container', container: 'app' }]);
  const { status, report } = scanJson([write('pod.yaml', pod({ 'rampart.dev/exceptions': wrong }))]);
  assert.equal(status, 1);
  assert.equal(report.suppressed, undefined);
  assert.deepEqual(report.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.line]), [['exception-stale', 8]]);
});

test('malformed exception annotations are diagnostics at their line and suppress nothing', () => {
  const cases: Array<[string, RegExp]> = [
    ['not json', /not valid JSON/],
    [JSON.stringify([{ checks: ['PSS-privileged'] }]), /reason is required/],
    [JSON.stringify([{ checks: [], reason: 'x' }]), /checks must be a non-empty list/],
    [JSON.stringify([{ checks: ['PSS-privileged'], reason: 'x', expires: '2027-02-30' }]), /expires must be a date/],
    [JSON.stringify([{ checks: ['PSS-privileged'], reason: 'x', until: '2027-01-01' }]), /unknown key "until"/],
  ];
  for (const [value, message] of cases) {
    const file = write('pod.yaml', pod({ 'rampart.dev/exceptions': value }));
    const { status, report } = scanJson([file]);
    assert.equal(status, 1, value);
    assert.equal(report.suppressed, undefined);
    const invalid = report.diagnostics.find((diagnostic) => diagnostic.code === 'exception-invalid');
    assert.ok(invalid !== undefined, value);
    assert.equal(invalid.line, 8);
    assert.equal(invalid.file, file);
    assert.match(invalid.message, message);
  }
});

test('--no-inline-exceptions ignores every inline exception and says so at each annotation', () => {
  const file = write('pod.yaml', pod({ 'rampart.dev/exceptions': INLINE }));
  const { status, report } = scanJson(['--no-inline-exceptions', file]);
  assert.equal(status, 1);
  assert.equal(report.suppressed, undefined);
  assert.deepEqual(report.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.line]), [['exception-ignored', 8]]);
  assert.match(report.diagnostics[0]?.message ?? '', /--no-inline-exceptions/);
});

const CENTRAL = `exceptions:
  - checks: [PSS-privileged, container-privileged, container-privilege-escalation-allowed]
    match: {kind: Pod, namespace: monitoring, labels: {app: node-exporter}}
    reason: node exporter agent needs the host kernel
    owner: platform-team@example.com
    expires: "2027-06-30"
  - checks: [PSS-hostNetwork]
    match: {namespace: monitoring}
    reason: nothing uses the host network any more
    owner: platform-team@example.com
`;

test('central exceptions match by kind, namespace and labels, carry their owner, and report stale entries at their config line', () => {
  const config = write('rampart.yaml', CENTRAL);
  const { status, report } = scanJson(['--config', config, write('pod.yaml', pod())]);
  assert.equal(status, 0);
  assert.equal(report.summary.suppressed, 3);
  assert.deepEqual(report.suppressed?.[0]?.exception, {
    source: 'config',
    reason: 'node exporter agent needs the host kernel',
    owner: 'platform-team@example.com',
    expires: '2027-06-30',
    file: config,
    line: 2,
  });
  assert.deepEqual(report.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.file, diagnostic.line]), [['exception-stale', config, 7]]);
  const unlabelled = scanJson(['--config', config, write('pod.yaml', pod().replace('  labels: {app: node-exporter}\n', ''))]);
  assert.equal(unlabelled.status, 1, 'the label selector must match');
  const expired = scanJson(['--config', config, write('pod.yaml', pod())], '2027-07-01');
  assert.equal(expired.status, 1);
  assert.ok(expired.report.diagnostics.some((diagnostic) => diagnostic.code === 'exception-expired' && diagnostic.line === 2));
});

test('--no-inline-exceptions keeps central exceptions', () => {
  const { status, report } = scanJson(['--no-inline-exceptions', '--config', write('rampart.yaml', CENTRAL), write('pod.yaml', pod())]);
  assert.equal(status, 0);
  assert.equal(report.summary.suppressed, 3);
});

test('a central exception without owner or reason is a usage error naming the line', () => {
  const config = write('rampart.yaml', 'exceptions:\n  - checks: [PSS-privileged]\n    match: {kind: Pod}\n    reason: because\n');
  const result = rampart(['scan', '--config', config, write('pod.yaml', pod())]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /rampart\.yaml:2: \/exceptions\/0 must have required property 'owner'/);
});

test('parseInlineExceptions accepts one object or a list, and scopes container annotations', () => {
  assert.deepEqual(parseInlineExceptions('{"checks":["a"],"reason":"r"}', 'c'), { entries: [{ checks: ['a'], reason: 'r', container: 'c' }], problems: [] });
  const mixed = parseInlineExceptions('[{"checks":["a"],"reason":"r"},{"checks":["b"]}]', undefined);
  assert.equal(mixed.entries.length, 1);
  assert.deepEqual(mixed.problems, ['entry 2: reason is required']);
  assert.match(parseInlineExceptions('{"checks":["a"],"reason":"r","container":"x"}', 'y').problems[0] ?? '', /contradicts/);
});

test('dates: real calendar days, expiring after the whole day (UTC)', () => {
  assert.equal(isValidDate('2028-02-29'), true);
  assert.equal(isValidDate('2027-02-29'), false);
  assert.equal(isValidDate('2027-1-01'), false);
  assert.equal(isExpired(undefined, new Date('2100-01-01')), false);
  assert.equal(isExpired('2027-03-31', new Date('2027-03-31T23:59:59.999Z')), false);
  assert.equal(isExpired('2027-03-31', new Date('2027-04-01T00:00:00Z')), true);
});
