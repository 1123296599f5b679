/** The commands as a user runs them: rampart detect, detect lint-policy, detect rules, audit2rbac. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CLI } from '../testing/paths.js';
import { deployment, podSpec, rawEvent } from './testSupport.js';

const directory = mkdtempSync(path.join(tmpdir(), 'rampart-detect-cli-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (events: unknown[]): string => events.map((item) => JSON.stringify(item)).join('\n') + '\n';
const privileged = (auditID: string, time: string) => rawEvent({ verb: 'create', resource: 'deployments', namespace: 'default', name: 'web', auditID, time, requestObject: deployment(podSpec({ securityContext: { privileged: true } })) });

test('detect --file: alerts as JSON lines, malformed lines named with their number (exit 2), processing goes on', () => {
  const file = path.join(directory, 'audit.log');
  writeFileSync(file, `${JSON.stringify(privileged('a', '2026-01-01T00:00:00Z'))}\n{"broken": \n${JSON.stringify(rawEvent({ verb: 'get', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'p', code: 101, stage: 'ResponseStarted' }))}\n`);
  const result = run(['detect', '--file', file]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /audit\.log:2: malformed audit event: not JSON/);
  const alerts = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { ruleId: string });
  assert.ok(alerts.some((alert) => alert.ruleId === 'audit-privileged-pod'));
  assert.ok(alerts.some((alert) => alert.ruleId === 'audit-exec-pod'), 'the line after the malformed one was processed');
});

test('detect from stdin with aggregation, --output, --min-severity and --fail-on', () => {
  const input = lines([privileged('a', '2026-01-01T00:00:00Z'), privileged('b', '2026-01-01T00:00:10Z'), privileged('c', '2026-01-01T00:00:20Z')]);
  const output = path.join(directory, 'alerts.jsonl');
  const result = run(['detect', '--output', output, '--min-severity', 'high', '--fail-on', 'high'], input);
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  const alerts = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { ruleId: string; severity: string; aggregate?: { count: number } });
  assert.ok(alerts.every((alert) => alert.severity === 'high' || alert.severity === 'critical'));
  const privilegedAlerts = alerts.filter((alert) => alert.ruleId === 'audit-privileged-pod');
  assert.equal(privilegedAlerts.length, 2, 'the first, then one summary of the repeats');
  assert.equal(privilegedAlerts[1]!.aggregate?.count, 3);
  assert.match(result.stderr, /3 events, 0 malformed/);
  const unaggregated = run(['detect', '--aggregate', '0', '--min-severity', 'high'], input);
  assert.equal(unaggregated.status, 0);
  assert.equal(unaggregated.stdout.trim().split('\n').filter((line) => line.includes('audit-privileged-pod')).length, 3);
});

test('a rule file that does not load is a usage error naming the file; --no-builtin with user rules', () => {
  const bad = path.join(directory, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: rampart.dev/v1alpha1\nkind: DetectionRules\nrules:\n- {id: x, title: t, severity: low, condition: "1 +", output: "\'x\'"}\n');
  const result = run(['detect', '--rules', bad], '');
  assert.equal(result.status, 2);
  assert.match(result.stderr, /bad\.yaml: rule x\.condition: expression does not compile/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  const good = path.join(directory, 'good.yaml');
  writeFileSync(good, 'apiVersion: rampart.dev/v1alpha1\nkind: DetectionRules\nrules:\n- {id: any-get, title: Any get, severity: low, match: {verbs: [get]}, condition: "true", output: "user.name"}\n');
  const only = run(['detect', '--no-builtin', '--rules', good, '--aggregate', '0'], lines([rawEvent({ verb: 'get', resource: 'pods' }), rawEvent({ verb: 'list', resource: 'pods' })]));
  assert.equal(only.status, 0);
  assert.deepEqual(only.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { ruleId: string }).ruleId), ['any-get']);
});

test('detect rules and detect lint-policy', () => {
  const listing = run(['detect', 'rules']);
  assert.equal(listing.status, 0);
  assert.ok(listing.stdout.trim().split('\n').length >= 50);
  assert.match(listing.stdout, /^off\s+medium\s+audit-user-not-allowed/m);
  const policy = path.join(directory, 'policy.yaml');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n');
  const lint = run(['detect', 'lint-policy', policy]);
  assert.equal(lint.status, 1);
  assert.match(lint.stdout, /audit-privileged-pod/);
  assert.match(lint.stdout, /Add these rules at the top of the policy/);
  const yaml = run(['detect', 'lint-policy', policy, '--format', 'yaml']);
  assert.match(yaml.stdout, /^rules:\n {2}- level: Request/);
  const missing = run(['detect', 'lint-policy', path.join(directory, 'nope.yaml')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*nope\.yaml/);
});

test('audit2rbac --sa writes RBAC YAML and reports coverage', () => {
  const file = path.join(directory, 'sa.log');
  const user = 'system:serviceaccount:shop:cart';
  writeFileSync(file, lines([rawEvent({ verb: 'get', resource: 'configmaps', namespace: 'shop', name: 'c', user }), rawEvent({ verb: 'list', resource: 'secrets', namespace: 'shop', user, code: 403, decision: 'forbid' })]));
  const result = run(['audit2rbac', file, '--sa', 'shop:cart']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /kind: Role\n/);
  assert.match(result.stdout, /resourceNames:\n\s+- c/);
  assert.doesNotMatch(result.stdout, /secrets/);
  assert.match(result.stderr, /coverage 1\/1 distinct requests \(100\.0%\); 1 denied request\(s\) excluded/);
  assert.equal(run(['audit2rbac', file]).status, 2);
  assert.equal(run(['audit2rbac', file, '--sa', 'nocolon']).status, 2);
});

test('detect --follow: appended lines, then the rotated file, until SIGINT; the summary is printed', { timeout: 60_000 }, async () => {
  const file = path.join(directory, 'follow.log');
  writeFileSync(file, '');
  const child = spawn(process.execPath, [CLI, 'detect', '--file', file, '--follow', '--aggregate', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waitFor = async (predicate: () => boolean): Promise<void> => {
    for (let attempt = 0; attempt < 300 && !predicate(); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  appendFileSync(file, `${JSON.stringify(privileged('f1', '2026-01-01T00:00:00Z'))}\n`);
  await waitFor(() => stdout.includes('"auditID":"f1"'));
  renameSync(file, `${file}.1`);
  writeFileSync(file, `${JSON.stringify(rawEvent({ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default', name: 'p', auditID: 'f2', code: 101, stage: 'ResponseStarted' }))}\n`);
  await waitFor(() => stdout.includes('"auditID":"f2"'));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
  assert.ok(stdout.includes('"ruleId":"audit-privileged-pod"'));
  assert.ok(stdout.includes('"ruleId":"audit-exec-pod"'));
  assert.match(stderr, /rampart detect: 2 events, 0 malformed/);
  assert.doesNotMatch(stderr, /Warning/);
});
