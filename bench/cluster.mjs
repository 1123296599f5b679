#!/usr/bin/env node
/**
 * Cluster benchmark: the test API server (dist/testing/apiServer.js, real
 * HTTPS on 127.0.0.1) holding 30,000 pods, 3,000 Deployments and 5,000 RBAC
 * objects in 100 namespaces, scanned by `rampart scan --cluster` as a child
 * process. Reports wall time and the child's peak RSS (bench/peakRss.mjs)
 * against the budget of 30 s and 600 MB.
 *
 *   npm run build && node bench/cluster.mjs
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'rampart.js');
const PEAK_RSS = path.join(ROOT, 'bench', 'peakRss.mjs');
const NAMESPACES = 100;
const PODS = 30_000;
const DEPLOYMENTS = 3_000;
const RBAC = 5_000; // 2,000 Roles, 2,000 RoleBindings, 500 ClusterRoles, 500 ClusterRoleBindings
const TIME_BUDGET_S = 30;
const MEMORY_BUDGET_MB = 600;

const { TestApiServer } = await import(path.join(ROOT, 'dist', 'testing', 'apiServer.js'));

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

function podSpec(index) {
  const roll = random();
  return {
    serviceAccountName: `sa-${index % 10}`,
    ...(roll < 0.005 ? { hostPID: true } : {}),
    ...(random() < 0.2 ? { automountServiceAccountToken: false } : {}),
    containers: [
      {
        name: 'app',
        image: `registry.example/app:${index % 100}`,
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        ...(roll > 0.995 ? { securityContext: { privileged: true } } : { securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }),
      },
    ],
  };
}

function* objects() {
  for (let index = 0; index < NAMESPACES; index++) {
    yield { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${index}`, labels: index % 3 === 0 ? { 'pod-security.kubernetes.io/enforce': 'baseline' } : {} } };
  }
  for (let index = 0; index < PODS; index++) {
    yield { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${index}`, namespace: `ns-${index % NAMESPACES}`, labels: { app: `app-${index % 50}` } }, spec: podSpec(index) };
  }
  for (let index = 0; index < DEPLOYMENTS; index++) {
    const labels = { app: `deploy-${index}` };
    yield { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `deploy-${index}`, namespace: `ns-${index % NAMESPACES}` }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(index) } } };
  }
  const rules = [
    [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'update', 'patch'] }],
    [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
    [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }],
  ];
  for (let index = 0; index < 2000; index++) {
    const namespace = `ns-${index % NAMESPACES}`;
    yield { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `role-${index}`, namespace }, rules: rules[index % rules.length] };
    yield {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `binding-${index}`, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `role-${index}` },
      subjects: [{ kind: 'ServiceAccount', name: `sa-${index % 10}`, namespace }],
    };
  }
  for (let index = 0; index < 500; index++) {
    yield { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `clusterrole-${index}` }, rules: index % 100 === 0 ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] : rules[index % rules.length] };
    yield {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `clusterbinding-${index}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `clusterrole-${index}` },
      subjects: [{ kind: 'User', name: `user-${index}`, apiGroup: 'rbac.authorization.k8s.io' }],
    };
  }
}

/** The table's last line: "Scanned N objects in 1 file: M findings (…)". */
function summaryOf(file) {
  const last = readFileSync(file, 'utf8').trimEnd().split('\n').pop() ?? '';
  const match = /Scanned ([\d,]+) objects? in .*?: ([\d,]+) findings?/.exec(last);
  if (match === null) throw new Error(`no summary line in the report: ${last}`);
  return { objects: Number(match[1].replaceAll(',', '')), findings: Number(match[2].replaceAll(',', '')) };
}

function run(args, usageFile) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', PEAK_RSS, CLI, ...args], { cwd: ROOT, env: { ...process.env, RAMPART_BENCH_USAGE: usageFile, KUBECONFIG: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}

const directory = mkdtempSync(path.join(tmpdir(), 'rampart-bench-cluster-'));
const server = new TestApiServer({ tokens: { bench: { name: 'bench' } } });
let failed = false;
try {
  await server.start();
  const rejected = server.seed(objects());
  if (rejected.length > 0) throw new Error(`the server refused ${rejected.length} objects: ${rejected[0].reason}`);
  const kubeconfig = path.join(directory, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig({ token: 'bench' }));
  const total = NAMESPACES + PODS + DEPLOYMENTS + RBAC;
  process.stdout.write(`test API server: ${total.toLocaleString('en')} objects (${PODS.toLocaleString('en')} pods, ${DEPLOYMENTS.toLocaleString('en')} Deployments, ${RBAC.toLocaleString('en')} RBAC, ${NAMESPACES} namespaces)\n`);
  const report = path.join(directory, 'report.txt');
  const scanUsage = path.join(directory, 'scan-usage.json');
  const result = await run(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'table', '--output', report, '--fail-on', 'critical'], scanUsage);
  if (result.code !== 0 && result.code !== 1) throw new Error(`rampart scan --cluster exited ${result.code}: ${result.stderr}`);
  const summary = summaryOf(report);
  const requests = server.requests.length;
  const usage = JSON.parse(readFileSync(scanUsage, 'utf8'));
  const rssMb = usage.maxRssKb / 1024;
  const timeOk = result.seconds <= TIME_BUDGET_S;
  const memoryOk = rssMb <= MEMORY_BUDGET_MB;
  failed = !timeOk || !memoryOk || summary.objects !== total;
  process.stdout.write(
    `rampart scan --cluster: ${summary.objects.toLocaleString('en')} objects, ${summary.findings.toLocaleString('en')} findings, ${requests} API requests\n` +
      `  wall ${result.seconds.toFixed(2)} s (budget ${TIME_BUDGET_S} s) ${timeOk ? 'met' : 'OVER'}; peak RSS ${Math.round(rssMb)} MB (budget ${MEMORY_BUDGET_MB} MB) ${memoryOk ? 'met' : 'OVER'}; CPU user ${(usage.userMs / 1000).toFixed(2)} s, system ${(usage.systemMs / 1000).toFixed(2)} s\n`,
  );
  if (summary.objects !== total) process.stdout.write(`  expected ${total} objects, the scan saw ${summary.objects}\n`);
  // Where the cost lies: reading alone (snapshot streams to a file), and the same objects scanned offline.
  const snapshotFile = path.join(directory, 'cluster.yaml');
  const snapshotUsage = path.join(directory, 'snapshot-usage.json');
  const snapshot = await run(['snapshot', '--kubeconfig', kubeconfig, '-o', snapshotFile], snapshotUsage);
  if (snapshot.code !== 0) throw new Error(`rampart snapshot exited ${snapshot.code}: ${snapshot.stderr}`);
  const offlineUsage = path.join(directory, 'offline-usage.json');
  const offline = await run(['scan', snapshotFile, '--format', 'table', '--output', report, '--fail-on', 'critical'], offlineUsage);
  for (const [label, measured, file] of [['rampart snapshot (reading only)', snapshot, snapshotUsage], ['rampart scan cluster.yaml (the same objects offline)', offline, offlineUsage]]) {
    const figures = JSON.parse(readFileSync(file, 'utf8'));
    process.stdout.write(`${label}: wall ${measured.seconds.toFixed(2)} s; peak RSS ${Math.round(figures.maxRssKb / 1024)} MB; CPU user ${(figures.userMs / 1000).toFixed(2)} s\n`);
  }
} catch (error) {
  failed = true;
  process.stdout.write(`cluster benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await server.stop();
  rmSync(directory, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
