/**
 * Differential test: the real-world corpus applied to the test API server and
 * scanned with `rampart scan --cluster` gives the findings of scanning the
 * same files offline. The only differences allowed are documented in
 * docs/cluster.md: locations (a live object has no file and line), the
 * namespace of objects applied without one (the API server puts them in
 * `default`), and `secret-data-in-manifest` (Secret values are never read
 * from a cluster).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadFiles } from '../load/load.js';
import { isJsonObject, type JsonObject } from '../model/types.js';
import { TestApiServer } from '../testing/apiServer.js';
import { CORPORA } from '../testing/paths.js';
import { WANTED_RESOURCES } from './discovery.js';
import { rampartAsync, writeKubeconfig, type JsonFinding, type JsonReport } from './testing.js';
import { tempDir } from '../testing/tempDir.js';

const CORPUS = path.join(CORPORA, 'real-world-manifests');
/** Checks whose verdict depends on where the object was read, by design. */
const OFFLINE_ONLY_CHECKS = new Set(['secret-data-in-manifest']);

interface Selection {
  readonly files: string[];
  readonly objects: JsonObject[];
  readonly skipped: Record<string, number>;
}

/**
 * The corpus holds several variants of one object (same kind, namespace and
 * name in different files) and kinds a current API server does not serve
 * (extensions/v1beta1 Deployments) or a cluster scan does not read (custom
 * resources without a pod template). A cluster holds one object per name, so
 * the test applies the files whose every object the API server would store
 * as written and the scan reads, and whose names collide with no file taken before.
 */
async function selectFiles(server: TestApiServer): Promise<Selection> {
  const files: string[] = [];
  const objects: JsonObject[] = [];
  const taken = new Set<string>();
  const skipped: Record<string, number> = {};
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  for await (const batch of loadFiles([CORPUS])) {
    if (!/\.(ya?ml|json)$/.test(batch.file) || batch.file.endsWith('index.json')) continue;
    if (batch.objects.length === 0) continue;
    if (batch.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
      skip('input errors');
      continue;
    }
    const keys: string[] = [];
    let reason: string | undefined;
    for (const object of batch.objects) {
      const resource = server.resourceFor(object.apiVersion, object.kind);
      const metadata = isJsonObject(object.raw.metadata) ? object.raw.metadata : {};
      if (resource === undefined) reason = 'a version the server does not serve';
      else if (!(WANTED_RESOURCES[resource.group] ?? []).includes(resource.plural)) reason = 'a type the cluster scan does not read';
      else if (typeof metadata.name !== 'string' || metadata.name === '') reason = 'an object without a name';
      else if (!resource.namespaced && object.namespace !== undefined) reason = 'a namespace on a cluster-scoped object';
      if (reason !== undefined) break;
      keys.push(`${resource?.plural}/${resource?.namespaced === true ? (object.namespace ?? 'default') : ''}/${object.name}`);
    }
    if (reason === undefined && (keys.some((key) => taken.has(key)) || new Set(keys).size !== keys.length)) reason = 'names taken by an earlier file';
    if (reason !== undefined) {
      skip(reason);
      continue;
    }
    for (const key of keys) taken.add(key);
    files.push(batch.file);
    for (const object of batch.objects) objects.push(object.raw);
  }
  return { files, objects, skipped };
}

function findingKey(finding: JsonFinding, namespacedKinds: Set<string>): string {
  const { object } = finding;
  const namespace = object.namespace ?? (namespacedKinds.has(object.kind) ? 'default' : '');
  // Offline, a workload without metadata.namespace is said to have none; live, it is in default like the rest.
  const message = finding.message.replace(/ \(no metadata\.namespace\)$/, '');
  return JSON.stringify([finding.checkId, object.apiVersion, object.kind, namespace, object.name, message]);
}

function counts(keys: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const key of keys) map.set(key, (map.get(key) ?? 0) + 1);
  return map;
}

describe('scan --cluster against the real-world corpus', () => {
  const server = new TestApiServer({ tokens: { 'scanner-token': { name: 'scanner' } } });
  let dir: string;
  let selection: Selection;

  before(async () => {
    await server.start();
    dir = tempDir('rampart-differential-');
    selection = await selectFiles(server);
    assert.deepEqual(server.seed(selection.objects), []);
  });

  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('gives exactly the findings of the offline scan of the same files', async (t) => {
    t.diagnostic(`${selection.files.length} files, ${selection.objects.length} objects applied; files left out: ${JSON.stringify(selection.skipped)}`);
    // A test over a handful of files would prove little: most of the corpus must be in.
    assert.ok(selection.files.length >= 250, `only ${selection.files.length} files selected: ${JSON.stringify(selection.skipped)}`);
    const kubeconfig = writeKubeconfig(dir, 'kubeconfig', server.kubeconfig({ token: 'scanner-token' }));
    const [live, offline] = await Promise.all([
      rampartAsync(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'critical']),
      rampartAsync(['scan', ...selection.files, '--format', 'json', '--fail-on', 'critical']),
    ]);
    assert.ok(live.code === 0 || live.code === 1, live.stderr);
    assert.ok(offline.code === 0 || offline.code === 1, offline.stderr);
    const liveReport = JSON.parse(live.stdout) as JsonReport;
    const offlineReport = JSON.parse(offline.stdout) as JsonReport;
    assert.equal(liveReport.summary.objects, offlineReport.summary.objects);
    const namespacedKinds = new Set(selection.objects.flatMap((object) => {
      const resource = server.resourceFor(String(object.apiVersion), String(object.kind));
      return resource?.namespaced === true ? [resource.kind] : [];
    }));
    const offlineOnly = offlineReport.findings.filter((finding) => OFFLINE_ONLY_CHECKS.has(finding.checkId));
    assert.ok(offlineOnly.length > 0, 'the corpus has Secrets with values, so the documented difference must show');
    assert.equal(liveReport.findings.filter((finding) => OFFLINE_ONLY_CHECKS.has(finding.checkId)).length, 0);
    const liveKeys = counts(liveReport.findings.map((finding) => findingKey(finding, namespacedKinds)));
    const offlineKeys = counts(offlineReport.findings.filter((finding) => !OFFLINE_ONLY_CHECKS.has(finding.checkId)).map((finding) => findingKey(finding, namespacedKinds)));
    const missing = [...offlineKeys].filter(([key, count]) => (liveKeys.get(key) ?? 0) < count).map(([key]) => key);
    const extra = [...liveKeys].filter(([key, count]) => (offlineKeys.get(key) ?? 0) < count).map(([key]) => key);
    assert.deepEqual({ missing: missing.slice(0, 40), extra: extra.slice(0, 40) }, { missing: [], extra: [] });
    assert.ok(liveReport.findings.length > 1000, `${liveReport.findings.length} findings`);
    t.diagnostic(`${liveReport.findings.length} findings live, ${offlineReport.findings.length} offline (${offlineOnly.length} of them secret-data-in-manifest)`);
    // Live objects have no file; the report names the cluster.
    assert.ok(liveReport.findings.every((finding) => finding.location.file === 'cluster/test'));
  });

  test('--source-map maps every finding of the live scan back to the offline file and line', async () => {
    // The map gets exactly the applied files (copied, same relative paths): the corpus has other variants of some names.
    const mapDir = path.join(dir, 'manifests');
    const copies = selection.files.map((file) => {
      const copy = path.join(mapDir, path.relative(CORPUS, file));
      mkdirSync(path.dirname(copy), { recursive: true });
      copyFileSync(file, copy);
      return copy;
    });
    const kubeconfig = writeKubeconfig(dir, 'kubeconfig-map', server.kubeconfig({ token: 'scanner-token' }));
    const [mapped, offline] = await Promise.all([
      rampartAsync(['scan', '--cluster', '--kubeconfig', kubeconfig, '--source-map', mapDir, '--format', 'json', '--fail-on', 'critical']),
      rampartAsync(['scan', ...copies, '--format', 'json', '--fail-on', 'critical']),
    ]);
    const mappedReport = JSON.parse(mapped.stdout) as JsonReport;
    const offlineReport = JSON.parse(offline.stdout) as JsonReport;
    const located = (finding: JsonFinding): string =>
      JSON.stringify([finding.checkId, finding.object.kind, finding.object.name, finding.message.replace(/ \(no metadata\.namespace\)$/, ''), finding.location.file, finding.location.line]);
    const offlineLocations = offlineReport.findings.filter((finding) => !OFFLINE_ONLY_CHECKS.has(finding.checkId)).map(located).sort();
    assert.ok(offlineLocations.length > 1000);
    assert.deepEqual(mappedReport.findings.map(located).sort(), offlineLocations);
  });

  test('a snapshot scanned offline gives the findings of the live scan, and holds no Secret value', async () => {
    const kubeconfig = writeKubeconfig(dir, 'kubeconfig-snapshot', server.kubeconfig({ token: 'scanner-token' }));
    const snapshotFile = path.join(dir, 'cluster.yaml');
    const snapshot = await rampartAsync(['snapshot', '--kubeconfig', kubeconfig, '-o', snapshotFile]);
    assert.equal(snapshot.code, 0, snapshot.stderr);
    assert.match(snapshot.stderr, new RegExp(`${selection.objects.length} objects of context "test" written to`));
    const [live, offline] = await Promise.all([
      rampartAsync(['scan', '--cluster', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'critical']),
      rampartAsync(['scan', snapshotFile, '--format', 'json', '--fail-on', 'critical']),
    ]);
    const liveReport = JSON.parse(live.stdout) as JsonReport;
    const offlineReport = JSON.parse(offline.stdout) as JsonReport;
    assert.equal(offlineReport.diagnostics.length, 0, JSON.stringify(offlineReport.diagnostics.slice(0, 3)));
    const key = (finding: JsonFinding): string => JSON.stringify([finding.checkId, finding.object, finding.message]);
    assert.deepEqual(offlineReport.findings.map(key).sort(), liveReport.findings.map(key).sort());
    assert.ok(offlineReport.findings.every((finding) => finding.location.file === snapshotFile && finding.location.line > 1));
    const text = readFileSync(snapshotFile, 'utf8');
    const secretValues = selection.objects
      .filter((object) => object.kind === 'Secret')
      .flatMap((object) => ['data', 'stringData'].flatMap((field) => (isJsonObject(object[field]) ? Object.values(object[field] as JsonObject) : [])))
      .filter((value): value is string => typeof value === 'string' && value.length >= 4);
    assert.ok(secretValues.length > 0, 'the corpus has Secrets with values');
    for (const value of secretValues) assert.ok(!text.includes(value), 'a Secret value reached the snapshot');
  });
});
