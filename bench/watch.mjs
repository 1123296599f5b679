#!/usr/bin/env node
/**
 * Watch benchmark: how long `rampart watch` takes to judge a cluster again
 * after one object changes, incremental (src/cluster/incremental.ts) against
 * a full rescan of the same objects. The cluster is the one of
 * bench/cluster.mjs (30,000 pods, 3,000 Deployments, 5,000 RBAC objects in
 * 100 namespaces), held in memory as the watcher holds it; the watch streams
 * themselves are not timed (tests cover them). Prints the median of a few
 * runs for: one pod changed, one NetworkPolicy changed (its namespace's pods
 * judged again), one RoleBinding changed (the RBAC check runs again).
 *
 *   npm run build && node bench/watch.mjs
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (file) => import(path.join(ROOT, 'dist', ...file.split('/')));
const { runScan } = await dist('cli/scan.js');
const { podTemplateFinderFor } = await dist('cli/common.js');
const { DEFAULT_CONFIG } = await dist('config/config.js');
const { IncrementalFindings } = await dist('cluster/incremental.js');
const { toKubeObject } = await dist('cluster/input.js');
const { sanitize } = await dist('cluster/sanitize.js');

const NAMESPACES = 100;
const PODS = 30_000;
const DEPLOYMENTS = 3_000;
const RUNS = 3;
/** Budget for one pod's change judged incrementally (the issue: findings follow within one second). */
const INCREMENTAL_BUDGET_MS = 1000;

let seed = 7;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

function podSpec(index, privileged = random() > 0.995) {
  return {
    serviceAccountName: `sa-${index % 10}`,
    ...(random() < 0.2 ? { automountServiceAccountToken: false } : {}),
    containers: [
      {
        name: 'app',
        image: `registry.example/app:${index % 100}`,
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '128Mi' } },
        securityContext: privileged ? { privileged: true } : { runAsNonRoot: true, allowPrivilegeEscalation: false },
      },
    ],
  };
}

const pod = (index, privileged) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${index}`, namespace: `ns-${index % NAMESPACES}`, labels: { app: `app-${index % 50}` } }, spec: podSpec(index, privileged) });
const policy = (namespace, types) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace }, spec: { podSelector: {}, policyTypes: types } });
const binding = (index, role) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: `binding-${index}`, namespace: `ns-${index % NAMESPACES}` },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
  subjects: [{ kind: 'ServiceAccount', name: `sa-${index % 10}`, namespace: `ns-${index % NAMESPACES}` }],
});

function* objects() {
  for (let index = 0; index < NAMESPACES; index++) {
    yield { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${index}`, labels: index % 3 === 0 ? { 'pod-security.kubernetes.io/enforce': 'baseline' } : {} } };
    for (let account = 0; account < 10; account++) yield { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `sa-${account}`, namespace: `ns-${index}` } };
    yield policy(`ns-${index}`, ['Ingress']);
  }
  for (let index = 0; index < PODS; index++) yield pod(index);
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
    yield { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `role-${index}`, namespace: `ns-${index % NAMESPACES}` }, rules: rules[index % rules.length] };
    yield binding(index, `role-${index}`);
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

const FILE = 'cluster/bench';
const kube = (raw) => toKubeObject(sanitize(raw), FILE);
const scan = async (subset) => {
  async function* one() {
    yield { file: FILE, objects: [...subset], diagnostics: [] };
  }
  return (await runScan([], DEFAULT_CONFIG, { policies: [], inlineExceptions: true }, undefined, one())).result.findings;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

const current = new Map();
for (const raw of objects()) {
  const object = kube(raw);
  current.set(`${object.kind}/${object.namespace ?? ''}/${object.name}`, object);
}
const incremental = new IncrementalFindings(scan, podTemplateFinderFor(DEFAULT_CONFIG));
process.stdout.write(`watch: ${current.size.toLocaleString('en-US')} objects in memory (${PODS.toLocaleString('en-US')} pods, ${DEPLOYMENTS.toLocaleString('en-US')} Deployments, 5,000 RBAC objects, ${NAMESPACES} namespaces)\n`);

const fullTimes = [];
for (let run = 0; run < RUNS; run++) {
  const started = now();
  await incremental.full(current.values());
  fullTimes.push(now() - started);
}
const findings = incremental.findings().length;

/** Replaces an object in `current` and returns the change, as the watcher reports it. */
function change(raw) {
  const after = kube(raw);
  const key = `${after.kind}/${after.namespace ?? ''}/${after.name}`;
  const before = current.get(key);
  current.set(key, after);
  return { before, after };
}

async function timeChanges(label, makeRaw) {
  const times = [];
  let judged = 0;
  for (let run = 0; run < RUNS * 2; run++) {
    const started = now();
    await incremental.update([change(makeRaw(run))]);
    // What the watch then hands to the metrics and PolicyReports: every finding, old and new.
    if (incremental.findings().length === 0) throw new Error('no findings');
    times.push(now() - started);
    judged = incremental.stats.lastJudged.length;
  }
  return { label, ms: median(times), judged };
}

const results = [
  await timeChanges('one pod changed', (run) => pod(12_345, run % 2 === 0)),
  await timeChanges('one NetworkPolicy changed', (run) => policy('ns-45', run % 2 === 0 ? ['Ingress', 'Egress'] : ['Ingress'])),
  await timeChanges('one RoleBinding changed', (run) => binding(77, run % 2 === 0 ? 'role-78' : 'role-77')),
];

// The incremental answer after these changes equals a full rescan of the same objects.
const tally = (list) => {
  const counts = new Map();
  for (const finding of list) {
    const key = `${finding.checkId}|${finding.object.kind}/${finding.object.namespace ?? ''}/${finding.object.name}|${finding.message}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
};
const gotList = incremental.findings();
const wantList = await scan([...current.values()]);
const got = gotList.length;
const want = wantList.length;
const gotCounts = tally(gotList);
const same = got === want && [...tally(wantList)].every(([key, count]) => gotCounts.get(key) === count);

const fullMs = median(fullTimes);
process.stdout.write(`  full rescan (what watch did after every change before):  ${(fullMs / 1000).toFixed(2)} s median of ${RUNS}, ${findings.toLocaleString('en-US')} findings\n`);
for (const result of results) {
  process.stdout.write(`  incremental, ${result.label.padEnd(26)} ${result.ms.toFixed(1).padStart(8)} ms median of ${RUNS * 2} (judging and collecting all findings), ${result.judged.toLocaleString('en-US')} object(s) judged again, ${(fullMs / result.ms).toFixed(0)}x faster than a full rescan\n`);
}
process.stdout.write(`  incremental findings after the changes equal a full rescan: ${same ? 'yes' : `NO (${got} vs ${want})`}\n`);
const pass = same && results[0].ms <= INCREMENTAL_BUDGET_MS;
process.stdout.write(`  budget: one pod's change judged in at most ${INCREMENTAL_BUDGET_MS} ms: ${pass ? 'within' : 'OVER BUDGET or wrong'}\n`);
process.exitCode = pass ? 0 : 1;
