/**
 * The fixes that remove or rename what a manifest wrote (capabilities, host
 * ports, sysctls, hostProcess, the deprecated serviceAccount field) and the
 * AppArmor and ServiceAccount defaults: each one alone, by `--check`, with the
 * exact text it produces, then all together with a rescan.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { tempDir } from '../testing/tempDir.js';

function rampart(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: tools
  namespace: ops
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: unconfined
spec:
  serviceAccount: tools   # old spelling
  securityContext:
    sysctls:
      - {name: net.ipv4.tcp_syncookies, value: "1"}
      - {name: kernel.msgmax, value: "65536"}
    windowsOptions: {hostProcess: true}
  containers:
    - name: app
      image: registry.example.com/tools:1.0
      ports:
        - containerPort: 8080
          hostPort: 8080
      securityContext:
        capabilities:
          add: [NET_ADMIN, CHOWN, SYS_ADMIN]   # CHOWN is in the default set
          drop: [MKNOD]
    - name: legacy
      image: registry.example.com/legacy:1.0
      securityContext:
        appArmorProfile: {type: Unconfined}
        capabilities: {add: [NET_RAW]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: ops}
`;

const CHECKS: Record<string, string> = {
  'container-capability-sys-admin': POD.replace('add: [NET_ADMIN, CHOWN, SYS_ADMIN]', 'add: [NET_ADMIN, CHOWN]').replace('CHOWN]   # CHOWN', 'CHOWN] # CHOWN'),
  'container-capabilities-added': POD.replace('add: [NET_ADMIN, CHOWN, SYS_ADMIN]', 'add: [CHOWN]').replace('CHOWN]   # CHOWN', 'CHOWN] # CHOWN'),
  'container-host-port': POD.replace('        - containerPort: 8080\n          hostPort: 8080\n', '        - containerPort: 8080\n'),
  'pod-unsafe-sysctls': POD.replace('      - {name: kernel.msgmax, value: "65536"}\n', ''),
  'container-windows-host-process': POD.replace('    windowsOptions: {hostProcess: true}\n', '    windowsOptions: {}\n'),
  'service-account-default-automount': POD.replace('metadata: {name: default, namespace: ops}\n', 'metadata: {name: default, namespace: ops}\nautomountServiceAccountToken: false\n'),
};

function workspace(text: string): { dir: string; file: string } {
  const dir = tempDir('rampart-fix-more-');
  const file = path.join(dir, 'tools.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

interface JsonFinding {
  checkId: string;
  object: { kind: string; name: string };
  container?: string;
  message: string;
}

function findings(dir: string): JsonFinding[] {
  return (JSON.parse(rampart(['scan', dir, '--format', 'json', '--fail-on', 'critical']).stdout) as { findings: JsonFinding[] }).findings;
}

for (const [check, expected] of Object.entries(CHECKS)) {
  test(`fix --check ${check} edits exactly what the check needs`, () => {
    const { dir, file } = workspace(POD);
    const result = rampart(['fix', dir, '--write', '--check', check]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readFileSync(file, 'utf8'), expected);
    assert.deepEqual(findings(dir).filter((finding) => finding.checkId === check), []);
  });
}

test('fix --check pod-deprecated-service-account-field moves the value to serviceAccountName', () => {
  const { dir, file } = workspace(POD);
  assert.equal(rampart(['fix', dir, '--write', '--check', 'pod-deprecated-service-account-field']).status, 0);
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /^\s+serviceAccount:/m);
  assert.match(text, /^ {2}serviceAccountName: tools$/m);
  // When serviceAccountName is already set it wins, and only the old field goes.
  const both = workspace(POD.replace('  serviceAccount: tools   # old spelling\n', '  serviceAccount: tools\n  serviceAccountName: runner\n'));
  assert.equal(rampart(['fix', both.dir, '--write', '--check', 'pod-deprecated-service-account-field']).status, 0);
  const bothText = readFileSync(both.file, 'utf8');
  assert.match(bothText, /^ {2}serviceAccountName: runner$/m);
  assert.doesNotMatch(bothText, /^\s+serviceAccount:/m);
});

test('AppArmor: Unconfined becomes the runtime default where it is written (field or beta annotation)', () => {
  const { dir, file } = workspace(POD);
  assert.equal(rampart(['fix', dir, '--write', '--check', 'container-apparmor-unconfined']).status, 0);
  assert.equal(
    readFileSync(file, 'utf8'),
    POD.replace('beta.kubernetes.io/app: unconfined', 'beta.kubernetes.io/app: runtime/default').replace('appArmorProfile: {type: Unconfined}', 'appArmorProfile: {type: RuntimeDefault}'),
  );
  assert.deepEqual(findings(dir).filter((finding) => finding.checkId.startsWith('container-apparmor')), []);
});

test('AppArmor missing: the pod-level profile is set once for every container that has none', () => {
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ops}\nspec:\n  containers:\n    - {name: a, image: app:1}\n    - {name: b, image: app:1}\n';
  const { dir, file } = workspace(pod);
  assert.equal(findings(dir).filter((finding) => finding.checkId === 'container-apparmor-missing').length, 2);
  assert.equal(rampart(['fix', dir, '--write', '--check', 'container-apparmor-missing']).status, 0);
  assert.equal(readFileSync(file, 'utf8'), pod.replace('spec:\n', 'spec:\n').replace(/\n$/, '\n  securityContext:\n    appArmorProfile:\n      type: RuntimeDefault\n'));
  assert.deepEqual(findings(dir).filter((finding) => finding.checkId === 'container-apparmor-missing'), []);
});

test('NET_RAW: an added NET_RAW is removed (an emptied add list goes); a container that keeps it gets it dropped', () => {
  const { dir, file } = workspace(POD);
  assert.equal(rampart(['fix', dir, '--write', '--check', 'container-capability-net-raw']).status, 0);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /drop: \[MKNOD, NET_RAW\]/);
  assert.doesNotMatch(text, /add: \[NET_RAW\]/);
  // The emptied add list goes; the second pass of --write then drops NET_RAW for that container too.
  assert.match(text, /capabilities: \{drop: \[NET_RAW\]\}/);
  assert.deepEqual(findings(dir).filter((finding) => finding.checkId === 'container-capability-net-raw'), []);
});

test('all the fixes together: a rescan reports every fixed finding gone and nothing new', () => {
  const { dir, file } = workspace(POD);
  const key = (finding: JsonFinding): string => `${finding.checkId} ${finding.object.kind}/${finding.object.name} ${finding.container ?? ''}`;
  const before = new Set(findings(dir).map(key));
  const result = rampart(['fix', dir, '--write']);
  assert.equal(result.status, 0, result.stderr);
  const after = findings(dir).map(key);
  assert.deepEqual(after.filter((entry) => !before.has(entry)), [], 'no new findings');
  for (const check of [...Object.keys(CHECKS), 'pod-deprecated-service-account-field', 'container-apparmor-unconfined', 'container-capability-net-raw']) {
    assert.deepEqual(after.filter((entry) => entry.startsWith(`${check} `)), [], `${check} left after fix`);
  }
  assert.match(readFileSync(file, 'utf8'), /# CHOWN is in the default set/, 'comments survive');
  assert.equal(rampart(['fix', dir]).stdout, '', 'nothing left to fix');
});
