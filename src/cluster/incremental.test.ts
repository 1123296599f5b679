/**
 * Incremental watch evaluation against the test API server over HTTPS: a
 * seeded random sequence of creates, updates and deletes, and after every
 * evaluation the incremental findings equal a full rescan of the same objects.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { runScan } from '../cli/scan.js';
import { podTemplateFinderFor } from '../cli/common.js';
import { DEFAULT_CONFIG } from '../config/config.js';
import type { FileBatch } from '../load/load.js';
import { isJsonObject, type Finding, type JsonObject, type KubeObject } from '../model/types.js';
import { TestApiServer } from '../testing/apiServer.js';
import { tempDir } from '../testing/tempDir.js';
import { IncrementalFindings, objectKey } from './incremental.js';
import { openCluster } from './input.js';
import { writeKubeconfig } from './testing.js';
import { ClusterWatcher } from './watch.js';
import type { ClusterConnection } from './connection.js';
import { seededRandom } from '../testing/random.js';

const SYNC_LIMIT_MS = 30_000;

function podSpec(privileged: boolean, account: string | undefined, hostNetwork: boolean): JsonObject {
  return {
    ...(account === undefined ? {} : { serviceAccountName: account }),
    ...(hostNetwork ? { hostNetwork: true } : {}),
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'registry.example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000',
        securityContext: { privileged, allowPrivilegeEscalation: privileged, capabilities: { drop: ['ALL'] } },
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } },
      },
    ],
  };
}

function pod(name: string, namespace: string, app: string, privileged = false, account?: string, hostNetwork = false): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app } }, spec: podSpec(privileged, account, hostNetwork) };
}

function deployment(name: string, namespace: string, app: string, privileged: boolean, account?: string): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { replicas: 2, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: podSpec(privileged, account, false) } },
  };
}

function canonical(findings: readonly Finding[]): string[] {
  return findings
    .map((finding) => JSON.stringify([objectKey(finding.object), finding.checkId, finding.severity, finding.container ?? '', finding.message, finding.path ?? []]))
    .sort();
}

async function scanObjects(objects: readonly KubeObject[]): Promise<readonly Finding[]> {
  async function* one(): AsyncGenerator<FileBatch> {
    yield { file: 'cluster/test', objects: [...objects], diagnostics: [] };
  }
  return (await runScan([], DEFAULT_CONFIG, { policies: [], inlineExceptions: true }, undefined, one())).result.findings;
}

/** An object's content without what changes on every write, keys sorted. */
function contentOf(raw: JsonObject): string {
  const metadata = isJsonObject(raw.metadata) ? { ...raw.metadata } : {};
  delete metadata.resourceVersion;
  delete metadata.generation;
  delete metadata.managedFields;
  const { apiVersion: _apiVersion, kind: _kind, status: _status, ...rest } = raw;
  const stable = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(stable) : isJsonObject(value) ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, stable(value[key])])) : value;
  return JSON.stringify(stable({ ...rest, metadata }));
}

const NAMESPACES = ['red', 'green', 'blue'];
const RESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['v1', 'Pod'],
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['v1', 'ServiceAccount'],
  ['v1', 'Namespace'],
  ['v1', 'ResourceQuota'],
  ['v1', 'LimitRange'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
];

describe('incremental watch evaluation', () => {
  const server = new TestApiServer({ tokens: { watcher: { name: 'watcher' } } });
  let dir: string;
  let connection: ClusterConnection | undefined;
  let watcher: ClusterWatcher | undefined;
  const scanned: KubeObject[][] = [];
  const errors: string[] = [];
  const incremental = new IncrementalFindings(async (objects) => {
    scanned.push([...objects]);
    return scanObjects(objects);
  }, podTemplateFinderFor(DEFAULT_CONFIG));
  /** What every evaluation saw: the objects' versions, and whether incremental and full findings agreed. */
  const evaluations: Array<{ versions: Map<string, string>; full: boolean; equal: boolean; detail: string }> = [];

  before(async () => {
    await server.start();
    dir = tempDir('rampart-incremental-');
    const seed: JsonObject[] = [
      ...NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'solo', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
      pod('anchor', 'solo', 'anchor'),
      pod('other', 'solo', 'other', true),
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'keeper', namespace: 'solo' } },
      pod('web', 'red', 'x'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'red' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'green' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    ];
    assert.deepEqual(server.seed(seed), []);
    const kubeconfig = writeKubeconfig(dir, 'kubeconfig', server.kubeconfig({ token: 'watcher' }));
    const opened = await openCluster({ kubeconfig }, DEFAULT_CONFIG);
    connection = opened.connection;
    watcher = new ClusterWatcher(connection, opened.resources, { settleMs: 30 }, async (batches, evaluation) => {
      const all: KubeObject[] = [];
      for await (const batch of batches) all.push(...batch.objects);
      if (evaluation.full) await incremental.full(all);
      else await incremental.update(evaluation.changed);
      const got = canonical(incremental.findings());
      const want = canonical(await scanObjects(all));
      const missing = want.filter((entry) => !got.includes(entry));
      const extra = got.filter((entry) => !want.includes(entry));
      const versions = new Map(all.map((object) => [objectKey(object), contentOf(object.raw)]));
      evaluations.push({ versions, full: evaluation.full, equal: missing.length === 0 && extra.length === 0, detail: `missing ${JSON.stringify(missing, null, 1)}\nextra ${JSON.stringify(extra, null, 1)}` });
    }, (message) => errors.push(message));
    await watcher.start();
    assert.equal(evaluations.length, 1);
    assert.ok(evaluations[0]?.equal, evaluations[0]?.detail);
  });

  after(async () => {
    await watcher?.stop();
    connection?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The server's objects of the kinds the test changes, keyed as the evaluator keys them, with their content. */
  function serverVersions(): Map<string, string> {
    const versions = new Map<string, string>();
    for (const [apiVersion, kind] of RESOURCES) {
      for (const object of server.list(apiVersion, kind)) {
        const metadata = isJsonObject(object.metadata) ? object.metadata : {};
        const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;
        versions.set(objectKey({ apiVersion, kind, namespace, name: String(metadata.name) }), contentOf(object));
      }
    }
    return versions;
  }

  /**
   * Waits for an evaluation that saw exactly the server's current objects. By content, not resourceVersion:
   * an update that changes nothing (a Namespace put again with the same labels) is rightly not evaluated.
   */
  async function synced(): Promise<(typeof evaluations)[number]> {
    const started = Date.now();
    for (;;) {
      const wanted = serverVersions();
      const latest = evaluations.at(-1);
      if (latest !== undefined) {
        const seen = new Map([...latest.versions].filter(([key]) => RESOURCES.some(([apiVersion, kind]) => key.startsWith(`${kind}/`) && key.endsWith(`/${apiVersion}`))));
        if (seen.size === wanted.size && [...wanted].every(([key, version]) => seen.get(key) === version)) return latest;
      }
      if (Date.now() - started > SYNC_LIMIT_MS) {
        const seen = evaluations.at(-1)?.versions ?? new Map<string, string>();
        const behind = [...wanted].filter(([key, version]) => seen.get(key) !== version).map(([key]) => key);
        assert.fail(`the watch did not catch up with the server within ${SYNC_LIMIT_MS} ms; behind on ${behind.join(', ')}; errors: ${errors.join('; ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  test('after every burst of random creates, updates and deletes, the incremental findings equal a full rescan', async () => {
    const next = seededRandom(20261127);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
    const operations: Array<() => void> = [
      () => void server.put(pod(pick(['p0', 'p1', 'p2']), pick(NAMESPACES), pick(['x', 'y']), next() < 0.3, pick([undefined, 'robot', 'ghost']), next() < 0.1)),
      () => void server.delete('v1', 'Pod', pick(NAMESPACES), pick(['p0', 'p1', 'p2'])),
      () => void server.put(deployment(pick(['d0', 'd1']), pick(NAMESPACES), pick(['x', 'y']), next() < 0.3, pick([undefined, 'robot']))),
      () => void server.delete('apps/v1', 'Deployment', pick(NAMESPACES), pick(['d0', 'd1'])),
      () =>
        void server.put({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: pick(['np0', 'np1']), namespace: pick(NAMESPACES) },
          spec: { podSelector: next() < 0.5 ? {} : { matchLabels: { app: pick(['x', 'y', 'z']) } }, policyTypes: pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]) },
        }),
      () => void server.delete('networking.k8s.io/v1', 'NetworkPolicy', pick(NAMESPACES), pick(['np0', 'np1'])),
      () => {
        const level = pick(['privileged', 'baseline', 'restricted', undefined]);
        server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: pick(NAMESPACES), labels: level === undefined ? {} : { 'pod-security.kubernetes.io/enforce': level } } });
      },
      () => void server.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: pick(['s0', 's1']), namespace: pick(NAMESPACES) }, spec: { selector: { app: pick(['x', 'y', 'z']) }, ports: [{ port: 80 }] } }),
      () => void server.delete('v1', 'Service', pick(NAMESPACES), pick(['s0', 's1'])),
      () => void server.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: pick(NAMESPACES) }, ...(next() < 0.5 ? { automountServiceAccountToken: false } : {}) }),
      () => void server.delete('v1', 'ServiceAccount', pick(NAMESPACES), 'robot'),
      () => void server.put({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: pick(NAMESPACES) }, spec: { hard: { pods: '10' } } }),
      () => void server.delete('v1', 'ResourceQuota', pick(NAMESPACES), 'quota'),
      () =>
        void server.put({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'reader', namespace: pick(NAMESPACES) },
          rules: [{ apiGroups: [''], resources: [pick(['pods', 'secrets', '*'])], verbs: [pick(['get', '*'])] }],
        }),
      () =>
        void server.put({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'bind', namespace: pick(NAMESPACES) },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: pick(['Role', 'ClusterRole']), name: pick(['reader', 'admin-ish']) },
          subjects: [{ kind: 'ServiceAccount', name: pick(['robot', 'default']), namespace: pick(NAMESPACES) }],
        }),
      () => void server.delete('rbac.authorization.k8s.io/v1', 'RoleBinding', pick(NAMESPACES), 'bind'),
      () =>
        void server.put({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'admin-ish' },
          rules: [{ apiGroups: ['*'], resources: [pick(['*', 'secrets', 'pods/exec'])], verbs: [pick(['*', 'get', 'create'])] }],
        }),
      () => void server.delete('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, 'admin-ish'),
    ];
    const bursts = 60;
    let judged = 0;
    for (let burst = 0; burst < bursts; burst++) {
      const size = 1 + Math.floor(next() * 4);
      for (let index = 0; index < size; index++) pick(operations)();
      const evaluation = await synced();
      judged = incremental.stats.objectsJudged;
      assert.ok(evaluation.equal, `burst ${burst}: incremental and full findings differ\n${evaluation.detail}`);
    }
    assert.ok(evaluations.every((evaluation) => evaluation.equal), evaluations.find((evaluation) => !evaluation.equal)?.detail);
    // Nothing here changes a global fact (there are always pods and ServiceAccounts), so only the first evaluation judged everything.
    assert.equal(evaluations.filter((evaluation) => evaluation.full).length, 1);
    assert.equal(incremental.stats.fullScans, 1);
    assert.ok(evaluations.length > bursts / 2, `${evaluations.length} evaluations`);
    assert.ok(judged < evaluations.length * incremental.size, 'incremental evaluations judged fewer objects than full rescans would');
  });

  test('each dependency rule, one change at a time in a fresh namespace, equals a full rescan without a full evaluation', async () => {
    const fullScansBefore = incremental.stats.fullScans;
    const steps: Array<[string, () => unknown]> = [
      ['a namespace', () => server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'violet' } })],
      ['a privileged pod with an unknown ServiceAccount', () => server.put(pod('v1', 'violet', 'web', true, 'ghost'))],
      ['the namespace labelled privileged (PSS)', () => server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'violet', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } })],
      ['its ServiceAccount created', () => server.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ghost', namespace: 'violet' } })],
      ['its ServiceAccount deleted again', () => server.delete('v1', 'ServiceAccount', 'violet', 'ghost')],
      ['a NetworkPolicy selecting the pod', () => server.put({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web', namespace: 'violet' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] } })],
      ['a Service selecting the pod', () => server.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'violet' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } })],
      ['an Ingress to another Service', () => server.put({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'violet' }, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } }] } }] } })],
      ['that Service created', () => server.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'violet' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } })],
      ['the Ingress changed to route to the first Service', () => server.put({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'violet' }, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } })],
      ['a ResourceQuota', () => server.put({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: 'violet' }, spec: { hard: { pods: '10' } } })],
      ['a LimitRange', () => server.put({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'violet' }, spec: { limits: [{ type: 'Container', default: { cpu: '1' } }] } })],
      ['the pod deleted', () => server.delete('v1', 'Pod', 'violet', 'v1')],
      ['the NetworkPolicy deleted', () => server.delete('networking.k8s.io/v1', 'NetworkPolicy', 'violet', 'web')],
    ];
    for (const [what, step] of steps) {
      step();
      const evaluation = await synced();
      assert.ok(evaluation.equal, `${what}: incremental and full findings differ\n${evaluation.detail}`);
      assert.ok(!evaluation.full, what);
    }
    assert.equal(incremental.stats.fullScans, fullScansBefore);
  });

  test('a change to one pod judges that pod again and no other object', async () => {
    await synced();
    const fullScansBefore = incremental.stats.fullScans;
    const scansBefore = scanned.length;
    const rbacRunsBefore = incremental.stats.rbacRuns;
    server.put(pod('anchor', 'solo', 'anchor', true));
    const evaluation = await synced();
    assert.ok(evaluation.equal, evaluation.detail);
    assert.deepEqual(incremental.stats.lastJudged, ['Pod/solo/anchor/v1']);
    assert.equal(incremental.stats.fullScans, fullScansBefore);
    assert.equal(incremental.stats.rbacRuns, rbacRunsBefore);
    // One subset scan: the pod with what its cross-object checks read (its Namespace, the namespace's ServiceAccount), not the other pod.
    const subsets = scanned.slice(scansBefore);
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0]?.map((object) => `${object.kind}/${object.name}`).sort(), ['Namespace/solo', 'Pod/anchor', 'ServiceAccount/keeper']);
    // And its findings changed: the privileged container is now reported on it.
    assert.ok(incremental.findings().some((finding) => finding.checkId === 'PSS-privileged' && finding.object.name === 'anchor'));
  });
});
