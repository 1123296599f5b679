/** End-to-end tests of `rampart fix`: real processes, real files in temporary directories. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { tempDir } from '../testing/tempDir.js';

function rampart(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const FIXABLE = [
  'container-privilege-escalation-not-disabled',
  'container-privilege-escalation-allowed',
  'container-capabilities-not-dropped',
  'container-run-as-non-root',
  'container-seccomp-missing',
  'container-read-only-root-filesystem',
  'container-privileged',
  'pod-service-account-token-mounted',
  'image-pull-policy-not-always',
  'container-seccomp-unconfined',
  'container-proc-mount-unmasked',
  'pod-share-process-namespace',
  'pod-host-pid',
];

const DEPLOYMENT = `# The web tier: keep this comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app   # main container
        image: registry.example.com/web:1.2
        securityContext:
          readOnlyRootFilesystem: true  # already safe
          allowPrivilegeEscalation: true
          capabilities: {drop: [NET_RAW]}
      - name: sidecar
        image: registry.example.com/proxy:2.0
        imagePullPolicy: IfNotPresent
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  hostPID: true
  shareProcessNamespace: true
  securityContext:
    runAsNonRoot: false
    seccompProfile: {type: Unconfined}
  containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
`;

function findingKeys(dir: string): Set<string> {
  const report = JSON.parse(rampart(['scan', dir, '--format', 'json', '--fail-on', 'critical']).stdout) as { findings: Array<{ checkId: string; object: { kind: string; name: string }; container?: string }> };
  return new Set(report.findings.map((finding) => `${finding.checkId} ${finding.object.kind}/${finding.object.name} ${finding.container ?? ''}`));
}

function workspace(files: Record<string, string>): string {
  const dir = tempDir('rampart-fix-');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

test('fix prints a unified diff, changes nothing on disk, and exits 1 while fixes are pending', () => {
  const dir = workspace({ 'web.yaml': DEPLOYMENT });
  const file = path.join(dir, 'web.yaml');
  const result = rampart(['fix', dir]);
  assert.equal(result.status, 1, result.stderr);
  assert.ok(result.stdout.startsWith(`--- a/${file}\n+++ b/${file}\n@@ `), result.stdout);
  assert.match(result.stdout, /^- {10}allowPrivilegeEscalation: true$/m);
  assert.match(result.stdout, /^\+ {10}allowPrivilegeEscalation: false$/m);
  assert.match(result.stdout, /^- {8}privileged: true$/m);
  assert.doesNotMatch(result.stdout, /^[-+].*already safe/m, 'the explicit safe value is untouched');
  assert.equal(readFileSync(file, 'utf8'), DEPLOYMENT);
});

test('fix --write: a rescan reports the fixed findings gone and no new ones; comments and safe values stay', () => {
  const dir = workspace({ 'web.yaml': DEPLOYMENT });
  const file = path.join(dir, 'web.yaml');
  const before = findingKeys(dir);
  // Removing privileged lets allowPrivilegeEscalation=false be set: --write rescans and fixes again.
  assert.equal(rampart(['fix', dir, '--write']).status, 0);
  const after = findingKeys(dir);
  const fixed = [...before].filter((key) => !after.has(key));
  assert.ok(fixed.length >= 10, fixed.join('\n'));
  assert.deepEqual([...after].filter((key) => !before.has(key)), [], 'no new findings');
  assert.deepEqual([...after].filter((key) => FIXABLE.some((id) => key.startsWith(`${id} `))), [], 'no fixable finding left');
  const text = readFileSync(file, 'utf8');
  assert.ok(text.startsWith('# The web tier: keep this comment\n'));
  assert.match(text, /- name: app {3}# main container\n/);
  assert.match(text, /readOnlyRootFilesystem: true {2}# already safe\n/);
  assert.match(text, /capabilities: \{drop: \[NET_RAW, ALL\]\}/);
  assert.match(text, /imagePullPolicy: Always/);
  assert.deepEqual(readdirSync(dir), ['web.yaml'], 'no temporary file left behind');
  assert.equal(rampart(['fix', dir]).stdout, '', 'nothing left to fix');
});

test('fix --check limits the fix to the named checks; an unknown or unfixable ID is a usage error', () => {
  const dir = workspace({ 'web.yaml': DEPLOYMENT });
  assert.equal(rampart(['fix', dir, '--write', '--check', 'image-pull-policy-not-always']).status, 0);
  const text = readFileSync(path.join(dir, 'web.yaml'), 'utf8');
  const expected = DEPLOYMENT.replace('imagePullPolicy: IfNotPresent', 'imagePullPolicy: Always')
    .replace('capabilities: {drop: [NET_RAW]}\n', 'capabilities: {drop: [NET_RAW]}\n        imagePullPolicy: Always\n')
    .replace(/privileged: true\n$/, 'privileged: true\n      imagePullPolicy: Always\n');
  assert.equal(text, expected);
  const unknown = rampart(['fix', dir, '--check', 'no-such-check']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /not a fixable check/);
});

test('a file with anchors is left untouched with a message that says why; other files are still fixed', () => {
  const anchored = `apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\nspec:\n  containers:\n    - name: a\n      image: app:1\n      env: &env [{name: X, value: "1"}]\n    - name: b\n      image: app:1\n      env: *env\n`;
  const dir = workspace({ 'anchored.yaml': anchored, 'web.yaml': DEPLOYMENT });
  const result = rampart(['fix', dir, '--write']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /anchored\.yaml left untouched: document 1 uses YAML anchors or aliases/);
  assert.equal(readFileSync(path.join(dir, 'anchored.yaml'), 'utf8'), anchored);
  assert.notEqual(readFileSync(path.join(dir, 'web.yaml'), 'utf8'), DEPLOYMENT);
});

test('missing requests and limits are filled from the config file’s fix.resources; without a default they are named, not guessed', () => {
  const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: r, namespace: shop}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      resources:\n        limits: {memory: 1Gi}   # sized by hand\n`;
  const config = `fix:\n  resources:\n    requests: {cpu: 100m, memory: 128Mi}\n    limits: {cpu: 500m, memory: 256Mi}\n`;
  const dir = workspace({ 'pod.yaml': pod });
  const configFile = path.join(tempDir('rampart-fix-config-'), 'rampart.yaml');
  writeFileSync(configFile, config);
  const checks = ['container-cpu-request-missing', 'container-memory-request-missing', 'container-cpu-limit-missing', 'container-memory-limit-missing'];
  const withoutDefaults = rampart(['fix', dir, '--check', ...checks]);
  assert.equal(withoutDefaults.stdout, '');
  assert.match(withoutDefaults.stderr, /no default for resources\.requests\.cpu: set fix\.resources\.requests\.cpu in the config file/);
  const result = rampart(['fix', dir, '--write', '--config', configFile, '--check', ...checks]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(
    readFileSync(path.join(dir, 'pod.yaml'), 'utf8'),
    pod.replace('limits: {memory: 1Gi}   # sized by hand\n', 'limits: {memory: 1Gi, cpu: 500m} # sized by hand\n        requests:\n          cpu: 100m\n          memory: 128Mi\n'),
  );
});
