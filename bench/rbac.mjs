#!/usr/bin/env node
/**
 * RBAC benchmark: 5,000 roles, 10,000 bindings and 30,000 pods, generated into
 * a temporary directory, analysed by `rampart rbac risks` and `rampart rbac
 * paths` as child processes. Reports whole-process wall time and peak RSS
 * (from /usr/bin/time -v when present, else wall time only) against the
 * budget of 10 s and 1 GB per command.
 *
 *   npm run build && node bench/rbac.mjs [--keep]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'rampart.js');
const NAMESPACES = 200;
const ROLES = 5000; // 4,000 Roles (20 per namespace) + 1,000 ClusterRoles
const BINDINGS = 10000; // 8,000 RoleBindings + 2,000 ClusterRoleBindings
const PODS = 30000;
const TIME_BUDGET_S = 10;
const MEMORY_BUDGET_MB = 1024;

/** A deterministic generator, so every run measures the same input. */
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = (list) => list[Math.floor(random() * list.length)];

const RULES = [
  '- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [get, list, watch]',
  '- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, list, update, patch]',
  '- apiGroups: [""]\n  resources: [pods]\n  verbs: [create, get, list]',
  '- apiGroups: [""]\n  resources: [secrets]\n  verbs: [get]',
  '- apiGroups: [""]\n  resources: [pods/exec]\n  verbs: [create]',
  '- apiGroups: [""]\n  resources: [serviceaccounts/token]\n  verbs: [create]',
  '- apiGroups: [batch]\n  resources: [jobs, cronjobs]\n  verbs: [create, delete]',
  '- apiGroups: [""]\n  resources: [services, endpoints]\n  verbs: ["*"]',
];
const CLUSTER_RULES = [
  ...RULES,
  '- apiGroups: [""]\n  resources: [nodes/proxy]\n  verbs: [get]',
  '- apiGroups: [""]\n  resources: [secrets]\n  verbs: [list]',
  '- apiGroups: [rbac.authorization.k8s.io]\n  resources: [clusterroles]\n  verbs: [bind, escalate]',
  '- apiGroups: [""]\n  resources: [users, groups]\n  verbs: [impersonate]',
  '- apiGroups: ["*"]\n  resources: ["*"]\n  verbs: ["*"]',
];

function rulesFrom(catalogue, rare) {
  const count = 1 + Math.floor(random() * 3);
  const chosen = [];
  for (let index = 0; index < count; index++) {
    // Dangerous cluster rules stay rare, as in real clusters.
    const list = rare && random() < 0.95 ? catalogue.slice(0, RULES.length) : catalogue;
    chosen.push(pick(list));
  }
  return chosen.join('\n');
}

function generate(directory) {
  const roleDocs = [];
  for (let index = 0; index < ROLES - 1000; index++) {
    const namespace = `ns-${index % NAMESPACES}`;
    roleDocs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: role-${index}\n  namespace: ${namespace}\nrules:\n${rulesFrom(RULES, false)}\n`);
  }
  for (let index = 0; index < 1000; index++) {
    roleDocs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: clusterrole-${index}\nrules:\n${rulesFrom(CLUSTER_RULES, true)}\n`);
  }
  writeFileSync(path.join(directory, 'roles.yaml'), roleDocs.join('---\n'));

  const subject = (namespace) => {
    const roll = random();
    if (roll < 0.6) return `{kind: ServiceAccount, name: sa-${Math.floor(random() * 10)}, namespace: ${namespace}}`;
    if (roll < 0.9) return `{kind: User, name: user-${Math.floor(random() * 2000)}, apiGroup: rbac.authorization.k8s.io}`;
    return `{kind: Group, name: group-${Math.floor(random() * 200)}, apiGroup: rbac.authorization.k8s.io}`;
  };
  const bindingDocs = [];
  for (let index = 0; index < BINDINGS - 2000; index++) {
    const namespaceIndex = index % NAMESPACES;
    const namespace = `ns-${namespaceIndex}`;
    const roleRef =
      random() < 0.7
        ? `{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-${namespaceIndex + NAMESPACES * Math.floor(random() * 20)}}`
        : `{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: clusterrole-${Math.floor(random() * 1000)}}`;
    bindingDocs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: binding-${index}\n  namespace: ${namespace}\nroleRef: ${roleRef}\nsubjects:\n- ${subject(namespace)}\n- ${subject(namespace)}\n`);
  }
  for (let index = 0; index < 2000; index++) {
    const namespace = `ns-${Math.floor(random() * NAMESPACES)}`;
    bindingDocs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: clusterbinding-${index}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: clusterrole-${Math.floor(random() * 1000)}}\nsubjects:\n- ${subject(namespace)}\n`);
  }
  writeFileSync(path.join(directory, 'bindings.yaml'), bindingDocs.join('---\n'));

  // Pods in ten files of 3,000.
  for (let file = 0; file < 10; file++) {
    const podDocs = [];
    for (let index = file * (PODS / 10); index < (file + 1) * (PODS / 10); index++) {
      const namespace = `ns-${index % NAMESPACES}`;
      const roll = random();
      const host = roll < 0.005 ? '\n  hostPID: true' : '';
      const security = roll > 0.995 ? '\n    securityContext: {privileged: true}' : '';
      const automount = random() < 0.2 ? '\n  automountServiceAccountToken: false' : '';
      podDocs.push(
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-${index}\n  namespace: ${namespace}\n  labels: {app: app-${index % 50}}\nspec:\n  serviceAccountName: sa-${Math.floor(random() * 10)}${host}${automount}\n  containers:\n  - name: app\n    image: registry.example/app:${index % 100}${security}\n`,
      );
    }
    writeFileSync(path.join(directory, `pods-${file}.yaml`), podDocs.join('---\n'));
  }
}

function measure(label, args) {
  const useTime = existsSync('/usr/bin/time');
  const command = useTime ? '/usr/bin/time' : process.execPath;
  const commandArgs = useTime ? ['-v', process.execPath, CLI, ...args] : [CLI, ...args];
  const started = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd: ROOT, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssMatch = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr ?? '');
  const peakMb = rssMatch === null ? undefined : Number(rssMatch[1]) / 1024;
  // CPU time (user + system) is steadier than wall time on a shared machine.
  const user = /User time \(seconds\): ([\d.]+)/.exec(result.stderr ?? '');
  const system = /System time \(seconds\): ([\d.]+)/.exec(result.stderr ?? '');
  const cpuSeconds = user === null || system === null ? undefined : Number(user[1]) + Number(system[1]);
  if (result.status !== 0 && result.status !== 1) {
    process.stderr.write(`${label} failed (exit ${result.status}):\n${(result.stderr ?? '').slice(0, 2000)}\n`);
    process.exitCode = 1;
  }
  let summary = '';
  try {
    const json = JSON.parse(result.stdout);
    if (Array.isArray(json.findings)) summary = `${json.findings.length} findings`;
    if (Array.isArray(json.subjects)) summary = `${json.subjects.length} subjects`;
    if (Array.isArray(json.targets)) summary = `${json.targets.map((target) => `${target.target}: ${target.total} starts`).join(', ')}; graph ${json.graph.vertices} vertices, ${json.graph.edges} edges`;
  } catch {
    summary = 'output is not JSON';
  }
  const ok = seconds <= TIME_BUDGET_S && (peakMb === undefined || peakMb <= MEMORY_BUDGET_MB);
  if (!ok) process.exitCode = 1;
  return { label, seconds, cpuSeconds, peakMb, summary, ok };
}

const directory = mkdtempSync(path.join(tmpdir(), 'rampart-rbac-bench-'));
try {
  const generationStart = process.hrtime.bigint();
  generate(directory);
  const generated = Number(process.hrtime.bigint() - generationStart) / 1e9;
  process.stdout.write(`rbac benchmark: ${ROLES} roles, ${BINDINGS} bindings, ${PODS} pods in ${NAMESPACES} namespaces (generated in ${generated.toFixed(1)} s into ${directory})\n`);
  const runs = [
    // Reading the input and building the RBAC index, with a trivial question: the floor under the other two.
    measure('load only', ['rbac', 'who-can', 'get', 'pods', '-n', 'ns-0', '-f', directory, '--format', 'json']),
    measure('rbac risks', ['rbac', 'risks', '-f', directory, '--format', 'json']),
    measure('rbac paths', ['rbac', 'paths', '-f', directory, '--format', 'json']),
  ];
  for (const run of runs) {
    const memory = run.peakMb === undefined ? 'peak RSS n/a (no /usr/bin/time)' : `peak RSS ${run.peakMb.toFixed(0)} MB`;
    const cpu = run.cpuSeconds === undefined ? '' : ` (CPU ${run.cpuSeconds.toFixed(2)} s)`;
    process.stdout.write(`  ${run.label.padEnd(11)} ${run.seconds.toFixed(2)} s${cpu}, ${memory}  ${run.ok ? 'within' : 'OVER'} budget (${TIME_BUDGET_S} s, ${MEMORY_BUDGET_MB} MB)  [${run.summary}]\n`);
  }
} finally {
  if (!process.argv.includes('--keep')) rmSync(directory, { recursive: true, force: true });
}
