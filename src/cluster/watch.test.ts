/** rampart watch against the test API server: metrics and PolicyReports follow creates, changes and deletes within a second. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Finding, JsonObject } from '../model/types.js';
import { TestApiServer } from '../testing/apiServer.js';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { buildPolicyReports } from './policyReports.js';
import { rampartAsync, writeKubeconfig, type JsonReport } from './testing.js';
import { tempDir } from '../testing/tempDir.js';

/**
 * How long a test waits for the watcher to follow a change. The watcher's
 * target is one second; that is measured by bench/watch.mjs and the slowest
 * follow of these tests is printed as a test diagnostic. The wait itself is
 * generous, so a loaded CI machine does not fail the test on time alone.
 */
const FOLLOW_WITHIN_MS = 15_000;
const followed: number[] = [];

function definition(kind: string, plural: string, scope: string): JsonObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.wgpolicyk8s.io` },
    spec: { group: 'wgpolicyk8s.io', scope, names: { kind, plural }, versions: [{ name: 'v1alpha2', served: true, storage: true }] },
  };
}

function pod(name: string, namespace: string, privileged: boolean): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'app', image: 'registry.example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000', securityContext: { privileged, allowPrivilegeEscalation: privileged, capabilities: { drop: ['ALL'] } } }],
    },
  };
}

function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

/** Polls until `probe` holds; returns how long it took, or fails after the limit. */
async function until(what: string, probe: () => Promise<boolean> | boolean, limitMs: number): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > limitMs) assert.fail(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const elapsed = Date.now() - started;
  if (limitMs === FOLLOW_WITHIN_MS) followed.push(elapsed);
  return elapsed;
}

function privilegedGauge(metrics: string, namespace: string): number | undefined {
  const line = metrics.split('\n').find((entry) => entry.startsWith(`rampart_findings{check="PSS-privileged",severity="critical",namespace="${namespace}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('rampart watch', () => {
  // A short event history, so a watch that reconnects late gets 410 Gone.
  const server = new TestApiServer({ tokens: { watcher: { name: 'watcher' } }, eventHistory: 4 });
  let dir: string;
  let child: ChildProcess | undefined;
  let metricsUrl = '';
  let log = '';

  before(async () => {
    await server.start();
    dir = tempDir('rampart-watch-');
    assert.deepEqual(
      server.seed([
        definition('PolicyReport', 'policyreports', 'Namespaced'),
        definition('ClusterPolicyReport', 'clusterpolicyreports', 'Cluster'),
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        pod('steady', 'shop', false),
      ]),
      [],
    );
    const kubeconfig = writeKubeconfig(dir, 'kubeconfig', server.kubeconfig({ token: 'watcher' }));
    child = spawn(process.execPath, [CLI, 'watch', '--kubeconfig', kubeconfig, '--metrics-port', '0', '--policy-reports', '--max-report-results', '50'], { cwd: REPO_ROOT, env: { ...process.env, KUBECONFIG: '' } });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (log += chunk));
    await until('the first evaluation', () => /evaluated \d+ objects/.test(log), 60_000);
    const match = /metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(log);
    assert.ok(match?.[1] !== undefined, log);
    metricsUrl = match[1];
  });

  after(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a created privileged pod shows in the metrics and the namespace PolicyReport; a fix and a delete clear them', async (t) => {
    const before = await getText(metricsUrl);
    assert.equal(privilegedGauge(before, 'shop'), undefined);
    assert.match(before, /^rampart_objects 2$/m);
    assert.match(before, /^rampart_last_evaluation_timestamp_seconds \d+/m);

    // A status-only update changes nothing a check reads: counted, not evaluated.
    const evaluations = (text: string): number => Number(/^rampart_evaluations_total (\d+)$/m.exec(text)?.[1]);
    const evaluationsBefore = evaluations(before);
    server.put({ ...pod('steady', 'shop', false), status: { phase: 'Running', podIP: '10.0.0.7' } });
    await until('the unchanged event is counted', async () => /^rampart_watch_events_total\{type="unchanged"\} 1$/m.test(await getText(metricsUrl)), FOLLOW_WITHIN_MS);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(evaluations(await getText(metricsUrl)), evaluationsBefore);

    server.put(pod('root-shell', 'shop', true));
    await until('metrics after create', async () => privilegedGauge(await getText(metricsUrl), 'shop') === 1, FOLLOW_WITHIN_MS);
    await until('PolicyReport after create', () => {
      const report = server.get('wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'shop', 'rampart') as { results?: Array<{ policy: string; resources: Array<{ name: string }> }> } | undefined;
      return report?.results?.some((result) => result.policy === 'PSS-privileged' && result.resources[0]?.name === 'root-shell') === true;
    }, FOLLOW_WITHIN_MS);

    server.put(pod('root-shell', 'shop', false));
    await until('metrics after the fix', async () => privilegedGauge(await getText(metricsUrl), 'shop') === undefined, FOLLOW_WITHIN_MS);
    // Incremental: the fix judged the changed pod again and nothing else (the first evaluation judged both objects).
    assert.match(await getText(metricsUrl), /^rampart_last_evaluation_objects_judged 1$/m);
    await until('PolicyReport after the fix', () => {
      const report = server.get('wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'shop', 'rampart') as { results?: Array<{ policy: string }> } | undefined;
      return report !== undefined && !(report.results ?? []).some((result) => result.policy === 'PSS-privileged');
    }, FOLLOW_WITHIN_MS);

    server.put(pod('intruder', 'payments', true));
    await until('a new namespace gets its own report', () => server.get('wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'payments', 'rampart') !== undefined, FOLLOW_WITHIN_MS);
    assert.equal(server.delete('v1', 'Pod', 'payments', 'intruder'), true);
    await until('the report of a namespace without findings is deleted', () => server.get('wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'payments', 'rampart') === undefined, FOLLOW_WITHIN_MS);
    await until('metrics after the delete', async () => privilegedGauge(await getText(metricsUrl), 'payments') === undefined, FOLLOW_WITHIN_MS);
    t.diagnostic(`changes followed in ${followed.join(', ')} ms (slowest ${Math.max(...followed)} ms)`);
    const metrics = await getText(metricsUrl);
    assert.match(metrics, /^rampart_watch_events_total\{type="DELETED"\} 1$/m);
    assert.match(metrics, /^rampart_objects 3$/m);
    // The cluster-scoped Namespace's findings go to the ClusterPolicyReport.
    // Watches that come back after the server's event history moved on get 410 and list again.
    server.endWatches();
    for (let index = 0; index < 6; index++) server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `filler-${index}`, namespace: 'shop' }, data: { index: String(index) } });
    server.put(pod('after-restart', 'shop', true));
    await until('a relisted type is followed again', async () => {
      const text = await getText(metricsUrl);
      return /^rampart_watch_relists_total [1-9]/m.test(text) && privilegedGauge(text, 'shop') === 1;
    }, 30_000);
    const clusterReport = server.get('wgpolicyk8s.io/v1alpha2', 'ClusterPolicyReport', undefined, 'rampart') as { results: Array<{ resources: Array<{ kind: string }> }> } | undefined;
    assert.ok(clusterReport?.results.every((result) => result.resources[0]?.kind === 'Namespace'));
  });
});

describe('PolicyReports are bounded', () => {
  const finding = (index: number, severity: Finding['severity']): Finding => ({
    checkId: `check-${index % 7}`,
    severity,
    title: 't',
    message: `finding ${index}`,
    object: { apiVersion: 'v1', kind: 'Pod', namespace: 'busy', name: `pod-${index}` },
    location: { file: 'cluster/test', documentIndex: 0, line: 1, column: 1 },
    frameworks: [],
  });

  test('at most maxResults results, the most severe kept, the summary counting all, an annotation saying how many were left out', () => {
    const findings = Array.from({ length: 1000 }, (_, index) => finding(index, index % 100 === 0 ? 'critical' : 'low'));
    const reports = buildPolicyReports(findings, { maxResults: 20, now: new Date(0) });
    const report = reports.get('busy') as { kind: string; summary: { fail: number }; results: Array<{ severity: string }>; metadata: { annotations: Record<string, string> } };
    assert.equal(report.kind, 'PolicyReport');
    assert.equal(report.results.length, 20);
    assert.equal(report.summary.fail, 1000);
    assert.deepEqual(report.results.slice(0, 10).map((result) => result.severity), Array(10).fill('critical'));
    assert.equal(report.metadata.annotations['rampart.dev/results-left-out'], '980');
    assert.ok(JSON.stringify(report).length < 20_000);
  });
});

describe('rampart watch manifests', () => {
  test('prints a read-only ClusterRole without Secrets and a Deployment that passes the scan but for the token it needs', async () => {
    const dir = tempDir('rampart-manifests-');
    try {
      const printed = await rampartAsync(['watch', 'manifests', '--image', 'registry.example/rampart@sha256:1111111111111111111111111111111111111111111111111111111111111111']);
      assert.equal(printed.code, 0, printed.stderr);
      const file = path.join(dir, 'rampart.yaml');
      writeFileSync(file, printed.stdout);
      const scanned = await rampartAsync(['scan', file, '--format', 'json']);
      const report = JSON.parse(scanned.stdout) as JsonReport;
      assert.deepEqual(report.findings.map((entry) => `${entry.checkId} ${entry.object.kind}`), ['pod-service-account-token-mounted Deployment']);
      const role = (await import('js-yaml')).default.loadAll(printed.stdout).find((document) => (document as { kind?: string }).kind === 'ClusterRole') as { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
      const readVerbs = role.rules.filter((rule) => rule.apiGroups[0] !== 'wgpolicyk8s.io');
      assert.ok(readVerbs.every((rule) => rule.verbs.every((verb) => ['get', 'list', 'watch'].includes(verb))));
      assert.ok(!readVerbs.some((rule) => rule.apiGroups[0] === '' && rule.resources.includes('secrets')));
      assert.ok(readVerbs.some((rule) => rule.resources.includes('pods')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
