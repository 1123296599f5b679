/** End-to-end tests of `rampart rbac`: real processes, real files, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { tempDir } from '../testing/tempDir.js';

function rampart(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const MANIFEST = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- apiGroups: [apps]
  resources: [deployments, deployments/scale]
  verbs: [get, create, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deploys, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- kind: ServiceAccount
  name: ci
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: devs-edit, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics}
rules:
- {nonResourceURLs: ["/metrics"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: metrics}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics}
subjects:
- {kind: User, name: prometheus, apiGroup: rbac.authorization.k8s.io}
- {kind: Robot, name: r2d2}
`;

const directory = tempDir('rampart-rbac-');
const file = path.join(directory, 'rbac.yaml');
writeFileSync(file, MANIFEST);
const lineOf = (needle: string): number => MANIFEST.slice(0, MANIFEST.indexOf(needle)).split('\n').length;

test('can-i answers yes on the first line, exits 0, and names binding, subject and rule with file:line', () => {
  const result = rampart(['rbac', 'can-i', 'create', 'deployments', '-n', 'shop', '--sa', 'shop:ci', '-f', file]);
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.equal(lines[0], 'yes');
  assert.match(result.stdout, new RegExp(`ServiceAccount shop/ci \\(${escape(file)}:${lineOf('- kind: ServiceAccount')}\\)`));
  assert.match(result.stdout, /RoleBinding shop\/ci-deploys/);
  assert.match(result.stdout, new RegExp(`Role shop/deployer rule 0 \\(${escape(file)}:${lineOf('- apiGroups: [apps]')}\\)`));
});

test('can-i answers no on the first line and exits 1', () => {
  const result = rampart(['rbac', 'can-i', 'delete', 'deployments.apps', '-n', 'shop', '--sa', 'shop:ci', '-f', file]);
  assert.equal(result.status, 1);
  assert.equal(result.stdout.split('\n')[0], 'no');
});

test('RESOURCE.GROUP, subresources and built-in groups resolve as in kubectl', () => {
  const ask = (resource: string): number | null => rampart(['rbac', 'can-i', 'update', resource, '--name', 'web', '-n', 'shop', '--sa', 'shop:ci', '-f', file]).status;
  assert.equal(ask('deployments'), 0, 'deployments resolve to apps');
  assert.equal(ask('deployments.apps/scale'), 0);
  assert.equal(ask('deploy/scale'), 0, 'short name');
  assert.equal(ask('deployments/status'), 1);
  assert.equal(ask('deployments.extensions'), 1, 'another group');
});

test('a RoleBinding to a missing ClusterRole says no, and with --with-defaults the bootstrap edit role says yes', () => {
  const without = rampart(['rbac', 'can-i', 'create', 'pods/exec', '--name', 'web', '-n', 'shop', '--as', 'alice', '--as-group', 'devs', '-f', file]);
  assert.equal(without.status, 1);
  assert.match(without.stdout, /incomplete: RoleBinding shop\/devs-edit .* references ClusterRole edit/);
  assert.match(without.stderr, /rbac-missing-role/);
  assert.match(without.stderr, /--with-defaults/);
  const withDefaults = rampart(['rbac', 'can-i', 'create', 'pods/exec', '--name', 'web', '-n', 'shop', '--as', 'alice', '--as-group', 'devs', '-f', file, '--with-defaults']);
  assert.equal(withDefaults.status, 0, withDefaults.stdout + withDefaults.stderr);
  assert.match(withDefaults.stdout, /ClusterRole edit, aggregating ClusterRole system:aggregate-to-edit rule \d+ \(defaults:bootstrap-rbac\.json:\d+\)/);
});

test('non-resource URLs, JSON output, and unknown subject kinds reported with their line', () => {
  const result = rampart(['rbac', 'can-i', 'get', '/metrics', '--as', 'prometheus', '-f', file, '--format', 'json']);
  assert.equal(result.status, 0, result.stderr);
  const answer = JSON.parse(result.stdout) as {
    allowed: boolean;
    request: { kind: string; path: string };
    user: { groups: string[] };
    grants: Array<{ binding: { name: string; line: number }; rule: { line: number; nonResourceURLs: string[] } }>;
    diagnostics: Array<{ code: string; line: number }>;
  };
  assert.equal(answer.allowed, true);
  assert.deepEqual(answer.request, { kind: 'nonResource', verb: 'get', path: '/metrics' });
  assert.deepEqual(answer.user.groups, ['system:authenticated']);
  assert.equal(answer.grants[0]?.binding.name, 'metrics');
  assert.equal(answer.grants[0]?.rule.line, lineOf('- {nonResourceURLs'));
  assert.ok(answer.diagnostics.some((diagnostic) => diagnostic.code === 'rbac-unknown-subject-kind' && diagnostic.line === lineOf('- {kind: Robot')));
  assert.equal(rampart(['rbac', 'can-i', 'get', '/metrics/x', '--as', 'prometheus', '-f', file]).status, 1);
});

test('who-can lists every subject with its granting path', () => {
  const result = rampart(['rbac', 'who-can', 'update', 'deployments', '-n', 'shop', '-f', file, '--with-defaults']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^who can update deployments\.apps in namespace shop:/);
  assert.match(result.stdout, /Group system:masters/);
  assert.match(result.stdout, /Group devs\n\s+RoleBinding shop\/devs-edit/);
  assert.match(result.stdout, /ServiceAccount shop\/ci\n\s+RoleBinding shop\/ci-deploys .* Role shop\/deployer rule 0/);
  const json = JSON.parse(rampart(['rbac', 'who-can', 'update', 'deployments', '-n', 'shop', '-f', file, '--format', 'json']).stdout) as {
    subjects: Array<{ kind: string; name: string; systemMasters: boolean }>;
  };
  assert.deepEqual(
    json.subjects.map((subject) => `${subject.kind}/${subject.name}`),
    ['Group/system:masters', 'ServiceAccount/ci'],
  );
});

test('permissions lists effective permissions, merged by resource', () => {
  const result = rampart(['rbac', 'permissions', '--sa', 'shop:ci', '-f', file]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^permissions of service account shop\/ci/);
  assert.match(result.stdout, /namespace shop:\n\s+deployments\.apps\s+create get update\n\s+via RoleBinding shop\/ci-deploys → Role shop\/deployer/);
  assert.match(result.stdout, /deployments\.apps\/scale\s+create get update/);
});

test('input from stdin', () => {
  const result = rampart(['rbac', 'can-i', 'get', '/metrics', '--as', 'prometheus', '-f', '-'], MANIFEST);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.split('\n')[0], 'yes');
});

test('usage mistakes exit 2 without a stack trace', () => {
  const cases: string[][] = [
    ['rbac', 'can-i', 'get', 'pods', '-f', file], // nobody asking
    ['rbac', 'can-i', 'get', 'pods', '--as', 'a', '--sa', 'shop:ci', '-f', file],
    ['rbac', 'can-i', 'get', 'pods', '--sa', 'shop/ci', '-f', file],
    ['rbac', 'can-i', 'get', 'pods', '--as-group', 'g', '-f', file],
    ['rbac', 'can-i', 'get', 'pods', '--as', 'a'], // nothing to read
    ['rbac', 'can-i', 'get', 'pods/exec/x', '--as', 'a', '-f', file],
    ['rbac', 'can-i', 'get', '--as', 'a', '-f', file], // missing resource
    ['rbac', 'can-i', 'get', 'pods', '--as', 'a', '-f', file, '--format', 'xml'],
  ];
  for (const args of cases) {
    const result = rampart(args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }
});

test('a missing input path exits 2 even when the answer is yes', () => {
  const result = rampart(['rbac', 'can-i', 'get', '/metrics', '--as', 'prometheus', '-f', file, '-f', path.join(directory, 'nope.yaml')]);
  assert.equal(result.status, 2);
  assert.equal(result.stdout.split('\n')[0], 'yes');
  assert.match(result.stderr, /path-not-found/);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('risks reports dangerous primitives with their grants and exits 1 at or above --fail-on', () => {
  const result = rampart(['rbac', 'risks', '-f', file, '--with-defaults']);
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stdout, /CRITICAL RBAC-SECRETS-LIST {2}List or watch Secrets/);
  assert.match(result.stdout, /Group devs in namespace shop\n\s+RoleBinding shop\/devs-edit .* → ClusterRole edit rule \d+ of ClusterRole system:aggregate-to-edit \(defaults:bootstrap-rbac\.json:\d+\)/);
  assert.doesNotMatch(result.stdout, /system:masters/, 'the bootstrap policy’s own grants are hidden by default');
  assert.match(result.stdout, /\d+ findings: \d+ critical/);
  const lenient = rampart(['rbac', 'risks', '-f', file, '--with-defaults', '--fail-on', 'critical', '--min-severity', 'high', '--format', 'json']);
  assert.equal(lenient.status, 1);
  const report = JSON.parse(lenient.stdout) as { findings: Array<{ id: string; severity: string; scope: string; evidence: Array<{ rule?: { file: string; line: number } }> }> };
  assert.ok(report.findings.length > 0);
  assert.ok(report.findings.every((finding) => finding.severity === 'critical' || finding.severity === 'high'));
  assert.ok(report.findings.every((finding) => finding.scope === 'shop'));
  // The deployer Role of the file gives the ci service account pod controllers; edit (from the defaults) gives the rest.
  const workloads = report.findings.find((finding) => finding.id === 'RBAC-WORKLOADS-WRITE' && finding.evidence.some((piece) => piece.rule?.file === file));
  assert.equal(workloads?.evidence.find((piece) => piece.rule?.file === file)?.rule?.line, lineOf('- apiGroups: [apps]'));
  // Without the defaults, edit is missing: what remains (the deployer Role) is not critical.
  const quiet = rampart(['rbac', 'risks', '-f', file, '--min-severity', 'critical']);
  assert.equal(quiet.status, 0);
  assert.equal(quiet.stdout, 'no dangerous RBAC primitives found\n');
  assert.match(rampart(['rbac', 'risks', '-f', file]).stdout, /HIGH {5}RBAC-WORKLOADS-WRITE/);
});

test('risks --list prints the catalogue', () => {
  const result = rampart(['rbac', 'risks', '--list', '--format', 'json']);
  assert.equal(result.status, 0);
  const catalogue = JSON.parse(result.stdout) as { primitives: Array<{ id: string }> };
  assert.ok(catalogue.primitives.length >= 25);
});

const PATHS_MANIFEST = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-creator, namespace: shop}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-creator}
subjects:
- kind: ServiceAccount
  name: ci
---
apiVersion: v1
kind: Pod
metadata: {name: debug, namespace: shop}
spec:
  containers:
  - name: shell
    image: busybox
    securityContext: {privileged: true}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  template:
    spec:
      serviceAccountName: agent
      containers: [{name: agent, image: agent}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: agent}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: agent, namespace: kube-system}
`;
const pathsFile = path.join(directory, 'paths.yaml');
writeFileSync(pathsFile, PATHS_MANIFEST);
const pathsLine = (needle: string): number => PATHS_MANIFEST.slice(0, PATHS_MANIFEST.indexOf(needle)).split('\n').length;

test('paths --from: the shortest path to the nodes with a witness at file:line for every step', () => {
  const result = rampart(['rbac', 'paths', '--from', 'sa:shop/ci', '--to', 'nodes', '-f', pathsFile]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^to nodes: 1 start reaches it/);
  assert.match(result.stdout, /ServiceAccount shop\/ci → nodes in 3 steps/);
  assert.ok(result.stdout.includes(`RoleBinding shop/ci (${pathsFile}:${pathsLine('kind: RoleBinding') - 1})`), result.stdout);
  assert.ok(result.stdout.includes(`Role shop/pod-creator rule 0: apiGroups [""], resources [pods], verbs [create] (${pathsFile}:${pathsLine('- apiGroups')})`));
  assert.ok(result.stdout.includes(`container "shell" is privileged (${pathsFile}:${pathsLine('securityContext: {privileged')})`));
});

test('paths with --with-defaults: cluster-admin comes from the bootstrap role; JSON carries every step and witness', () => {
  const result = rampart(['rbac', 'paths', '--from', 'sa:shop/ci', '--to', 'cluster-admin', '-f', pathsFile, '--with-defaults', '--format', 'json']);
  assert.equal(result.status, 0, result.stderr);
  const answer = JSON.parse(result.stdout) as { targets: Array<{ target: string; total: number; paths: Array<{ length: number; steps: Array<{ kind: string; witnesses: Array<{ file?: string; line?: number }> }> }> }> };
  const [target] = answer.targets;
  assert.equal(target!.target, 'cluster-admin');
  assert.equal(target!.total, 1);
  const kinds = target!.paths[0]!.steps.map((step) => step.kind);
  assert.deepEqual(kinds, ['create-pods', 'run-like-workload', 'host-access', 'node-pods', 'pod-on-node', 'acts-as-service-account', 'wildcard-admin']);
  const last = target!.paths[0]!.steps.at(-1)!;
  assert.equal(last.witnesses[0]!.file, pathsFile);
  assert.equal(last.witnesses[1]!.file, 'defaults:bootstrap-rbac.json');
});

test('paths without --with-defaults finds no cluster-admin and says why on stderr', () => {
  const result = rampart(['rbac', 'paths', '--to', 'cluster-admin', '-f', pathsFile]);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /to cluster-admin: no path/);
  assert.match(result.stderr, /cluster-admin is a default ClusterRole: add --with-defaults/);
});

test('paths --from-workload, dot and mermaid draw the path', () => {
  const dot = rampart(['rbac', 'paths', '--from-workload', 'pod/shop/debug', '--to', 'nodes', '-f', pathsFile, '--format', 'dot']);
  assert.equal(dot.status, 0, dot.stderr);
  assert.match(dot.stdout, /^digraph escalation \{/);
  assert.match(dot.stdout, /"Workload:Pod\/shop\/debug" -> "target:nodes" \[label="host-access"/);
  const mermaid = rampart(['rbac', 'paths', '--from-workload', 'Pod/shop/debug', '--to', 'nodes', '-f', pathsFile, '--format', 'mermaid']);
  assert.equal(mermaid.status, 0, mermaid.stderr);
  assert.match(mermaid.stdout, /^flowchart LR\n/);
  assert.match(mermaid.stdout, /n0\["compromised Pod shop\/debug"\]/);
  assert.match(mermaid.stdout, /n0 -->\|host-access\| n1/);
});

test('paths with every start: shortest first, --limit bounds the output, --fail-on-path exits 1', () => {
  const result = rampart(['rbac', 'paths', '--to', 'nodes', '-f', pathsFile, '--limit', '1', '--fail-on-path']);
  assert.equal(result.status, 1);
  assert.match(result.stdout, /to nodes: 2 starts reach it \(showing the 1 shortest; --limit to see more\)\n {2}compromised Pod shop\/debug → nodes in 1 step\n/);
});

test('paths usage mistakes exit 2', () => {
  for (const args of [
    ['rbac', 'paths', '--from', 'alice', '-f', pathsFile],
    ['rbac', 'paths', '--from-workload', 'pod/debug', '-f', pathsFile],
    ['rbac', 'paths', '--from', 'user:a', '--from-workload', 'pod/shop/debug', '-f', pathsFile],
    ['rbac', 'paths', '--to', 'everything', '-f', pathsFile],
    ['rbac', 'paths', '--limit', '0', '-f', pathsFile],
  ]) {
    const result = rampart(args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/);
  }
});
