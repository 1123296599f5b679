/**
 * readInNamespaceOrder: cluster-scoped types first, then every namespaced
 * list merged on the storage key, each namespace marked complete once, after
 * its last object, across pages, a restarted list and a forbidden type. This
 * is what lets `rampart scan --cluster` judge and release a namespace early.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../model/types.js';
import { TestApiServer } from '../testing/apiServer.js';
import { tempDir } from '../testing/tempDir.js';
import { ClusterConnection } from './connection.js';
import { discoverResources } from './discovery.js';
import { newReadReport, readInNamespaceOrder, type ListedPage, type NamespaceComplete } from './read.js';
import { rampartAsync, writeKubeconfig, type JsonReport } from './testing.js';

/** `a-b` sorts before `a` in storage-key order (`a-b/…` < `a/…`); `zz` has no Namespace object. */
const NAMESPACES = ['a', 'a-b', 'b'];
const POD_NAMESPACES = ['a', 'a', 'a', 'a', 'a', 'a-b', 'a-b', 'a-b', 'b', 'b', 'b', 'b', 'zz', 'zz'];

function seed(): JsonObject[] {
  const objects: JsonObject[] = NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: name === 'b' ? { 'pod-security.kubernetes.io/enforce': 'baseline' } : {} } }));
  objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'viewer' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
  POD_NAMESPACES.forEach((namespace, index) =>
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `pod-${index}`, namespace, labels: { app: index % 2 === 0 ? 'web' : 'worker' } },
      spec: { containers: [{ name: 'app', image: 'registry.example/app:1', securityContext: { privileged: index % 3 === 0 } }] },
    }),
  );
  for (const namespace of ['a-b', 'b', 'zz']) objects.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace }, spec: { selector: { app: 'web' } } });
  objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'a' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
  objects.push({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'quota', namespace: 'b' }, spec: { hard: { pods: '10' } } });
  objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'a' }, type: 'Opaque' });
  objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: 'b' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] });
  return objects;
}

function namespaceOf(object: JsonObject): string | undefined {
  const metadata = object.metadata as { namespace?: unknown };
  return typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
}

describe('reading a cluster namespace by namespace', () => {
  const server = new TestApiServer({ tokens: { admin: { name: 'admin' }, limited: { name: 'auditor', forbidden: ['secrets'] } } });
  let dir: string;
  let adminConfig: string;
  let limitedConfig: string;
  const seeded = seed();

  before(async () => {
    await server.start();
    dir = tempDir('rampart-namespace-order-');
    assert.deepEqual(server.seed(seeded), []);
    adminConfig = writeKubeconfig(dir, 'admin', server.kubeconfig({ token: 'admin' }));
    limitedConfig = writeKubeconfig(dir, 'limited', server.kubeconfig({ token: 'limited' }));
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function read(kubeconfig: string, restart: boolean): Promise<{ reads: Array<ListedPage | NamespaceComplete>; restarts: number; objects: number; forbidden: string[] }> {
    const connection = await ClusterConnection.open({ kubeconfig });
    const resources = await discoverResources(connection, []);
    const report = newReadReport();
    const reads: Array<ListedPage | NamespaceComplete> = [];
    let expired = false;
    for await (const read of readInNamespaceOrder(connection, resources, report, { pageSize: 2 })) {
      reads.push(read);
      // Once the namespaced lists are open, continue tokens in flight expire: the lists restart mid-merge.
      if (restart && !expired && 'objects' in read && read.resource.namespaced) {
        server.expireNextContinueToken();
        expired = true;
      }
    }
    return { reads, restarts: report.restarts, objects: report.objects, forbidden: report.forbidden };
  }

  for (const restart of [false, true]) {
    test(`every object of a namespace comes before its completion, cluster-scoped objects first${restart ? ', after a 410 Gone restart' : ''}`, async () => {
      const { reads, restarts, objects } = await read(adminConfig, restart);
      if (restart) assert.ok(restarts >= 1, 'a namespaced list restarted');
      else assert.equal(restarts, 0);
      const completions = reads.filter((read): read is NamespaceComplete => 'complete' in read).map((read) => read.complete);
      assert.deepEqual(completions, ['a-b', 'a', 'b', 'zz'], 'storage-key order, each namespace once');
      let namespacedSeen = false;
      let completed = 0;
      const names: string[] = [];
      for (const read of reads) {
        if ('complete' in read) {
          completed++;
          continue;
        }
        for (const object of read.objects) {
          const namespace = namespaceOf(object);
          names.push(`${String(object.kind)}/${namespace ?? ''}/${String((object.metadata as { name: string }).name)}`);
          if (!read.resource.namespaced) {
            assert.equal(namespacedSeen, false, 'cluster-scoped objects come first');
            continue;
          }
          namespacedSeen = true;
          assert.equal(namespace, completions[completed], `${String(object.kind)} of ${namespace} arrives while its namespace is the one being read`);
        }
      }
      assert.equal(objects, seeded.length);
      assert.deepEqual(names.sort(), seeded.map((object) => `${String(object.kind)}/${namespaceOf(object) ?? ''}/${String((object.metadata as { name: string }).name)}`).sort(), 'every object once');
    });
  }

  test('a type the credentials may not list is skipped and the namespaces still complete', async () => {
    const { reads, forbidden } = await read(limitedConfig, false);
    assert.deepEqual(forbidden, ['secrets']);
    assert.deepEqual(
      reads.filter((read): read is NamespaceComplete => 'complete' in read).map((read) => read.complete),
      ['a-b', 'a', 'b', 'zz'],
    );
    assert.ok(!reads.some((read) => 'objects' in read && read.objects.some((object) => object.kind === 'Secret')));
  });

  test('rampart scan --cluster judges namespace by namespace with the findings of the same objects scanned as one input', async () => {
    const scanned = await rampartAsync(['scan', '--cluster', '--kubeconfig', adminConfig, '--format', 'json', '--fail-on', 'critical']);
    assert.ok(scanned.code === 0 || scanned.code === 1, scanned.stderr);
    const live = JSON.parse(scanned.stdout) as JsonReport;
    const snapshotFile = `${dir}/cluster.yaml`;
    const snapshot = await rampartAsync(['snapshot', '--kubeconfig', adminConfig, '-o', snapshotFile]);
    assert.equal(snapshot.code, 0, snapshot.stderr);
    const offline = JSON.parse((await rampartAsync(['scan', snapshotFile, '--format', 'json', '--fail-on', 'critical'])).stdout) as JsonReport;
    const key = (finding: JsonReport['findings'][number]): string => `${finding.checkId} ${finding.object.kind}/${finding.object.namespace ?? ''}/${finding.object.name}: ${finding.message}`;
    // Secret values are never read from a cluster, so that check differs by design (docs/cluster.md).
    const comparable = (report: JsonReport): string[] => report.findings.filter((finding) => finding.checkId !== 'secret-data-in-manifest').map(key).sort();
    assert.ok(live.findings.length > 50, `${live.findings.length} findings`);
    assert.deepEqual(comparable(live), comparable(offline));
    assert.deepEqual(live.diagnostics.filter((diagnostic) => diagnostic.code === 'namespace-reopened'), []);
    // Verdicts that read other objects of the namespace, read from a namespace judged early.
    assert.ok(!live.findings.some((finding) => finding.checkId === 'pod-not-selected-by-network-policy' && finding.object.namespace === 'a'));
    assert.ok(live.findings.some((finding) => finding.checkId === 'pod-not-selected-by-network-policy' && finding.object.namespace === 'zz'));
    assert.ok(!live.findings.some((finding) => finding.checkId === 'namespace-without-resource-quota' && finding.object.name === 'b'));
  });
});
