/** The threat model's parts on constructed input: the set cover, exposure, bench files, subject matching, snapshots. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { analyse } from '../cli/threatModel.js';
import { loadConfig } from '../config/config.js';
import { kubeadmControlPlaneTree, removeTree, writeTree } from '../bench/testTrees.js';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { namesSubject } from './build.js';
import { BenchFileError, parseBenchJson, registryOf } from './input.js';
import { tempDir } from '../testing/tempDir.js';

const work = tempDir('rampart-threat-parts-');
after(() => rmSync(work, { recursive: true, force: true }));

function pod(name: string, namespace: string, extra: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels: {app: ${name}}\nspec:\n${extra}  containers:\n    - name: main\n      image: registry.example.com/${name}:1\n`;
}

function write(name: string, documents: readonly string[]): string {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  writeFileSync(path.join(dir, 'all.yaml'), documents.join('---\n'));
  return dir;
}

describe('attack graph', () => {
  it('recommends the change shared by most paths first, and recomputes so alternative paths are not counted as cut', async () => {
    // Three workloads run as one service account that may read every Secret cluster-wide; a fourth is privileged.
    const sa = (name: string): string => `  serviceAccountName: ${name}\n`;
    const dir = write('cover', [
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: reader, namespace: apps}\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: secret-reader}\nrules:\n  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["get", "list"]\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: reader}\nsubjects:\n  - {kind: ServiceAccount, name: reader, namespace: apps}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}\n',
      pod('one', 'apps', sa('reader')),
      pod('two', 'apps', sa('reader')),
      pod('three', 'apps', sa('reader')),
      pod('root', 'apps', '  automountServiceAccountToken: false\n  volumes:\n    - name: host\n      hostPath: {path: /}\n'),
    ]);
    const { graph } = await analyse([dir], await loadConfig(undefined), undefined);
    const toSecrets = graph.paths.filter((entry) => entry.jewel === 'target:secrets').map((entry) => entry.start).sort();
    assert.deepEqual(toSecrets, ['ServiceAccount:apps/reader', 'Workload:Pod/apps/one', 'Workload:Pod/apps/root', 'Workload:Pod/apps/three', 'Workload:Pod/apps/two']);
    // Narrowing the binding cuts every path to the Secrets (including root's, through a token on its node);
    // the host access of `root` is what is left, for the node and etcd.
    assert.match(graph.recommendations[0]!.change, /^narrow ClusterRoleBinding reader/);
    assert.equal(graph.recommendations[0]!.pathsCut, toSecrets.length);
    assert.match(graph.recommendations[1]!.change, /^Pod apps\/root: remove host access/);
    assert.deepEqual([...graph.recommendations[1]!.paths].sort(), ['Workload:Pod/apps/root → jewel:etcd', 'Workload:Pod/apps/root → target:nodes']);
    assert.equal(graph.uncut, 0);
    for (const entry of graph.paths) for (const step of entry.steps) assert.ok(graph.vertices.some((vertex) => vertex.id === step.to));
  });

  it("resolves bindings to the bootstrap roles (edit reads Secrets) without making the bootstrap's own subjects starts", async () => {
    const dir = write('bootstrap', [
      'apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: team}\ntype: Opaque\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: ci-edit, namespace: team}\nsubjects:\n  - {kind: ServiceAccount, name: ci, namespace: team}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\n',
    ]);
    const { graph } = await analyse([dir], await loadConfig(undefined), undefined);
    const toTeam = graph.paths.filter((entry) => entry.jewel === 'jewel:secrets:team');
    assert.deepEqual(toTeam.map((entry) => entry.start), ['ServiceAccount:team/ci']);
    assert.match(toTeam[0]!.steps[0]!.change ?? '', /^narrow RoleBinding team\/ci-edit/);
    assert.ok(graph.paths.every((entry) => !entry.start.startsWith('ServiceAccount:kube-system/')), 'controllers of the bootstrap policy are not starts');
  });

  it('lets the internet in only through exposed Services and Ingresses', async () => {
    const dir = write('exposure', [
      // Both reach the node; only one is exposed.
      pod('web', 'edge', '  volumes:\n    - name: host\n      hostPath: {path: /var/log}\n'),
      pod('internal', 'edge', '  volumes:\n    - name: host\n      hostPath: {path: /var/log}\n'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: edge}\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 80}]\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: internal, namespace: edge}\nspec:\n  selector: {app: internal}\n  ports: [{port: 80}]\n',
    ]);
    const { graph, model } = await analyse([dir], await loadConfig(undefined), undefined);
    const internet = graph.paths.filter((entry) => entry.start === 'entry:external');
    assert.ok(internet.length > 0);
    for (const entry of internet) assert.deepEqual(entry.steps.slice(0, 3).map((step) => step.to), ['entry:Service/edge/web', 'Workload:Pod/edge/web', 'target:nodes']);
    const exposed = model.threats.find((threat) => threat.id === 'exposed-entry-point@entry:Service/edge/web')!;
    assert.equal(exposed.status, 'open');
    assert.deepEqual(exposed.evidence.filter((entry) => entry.result === 'fail').map((entry) => entry.checkId), ['service-load-balancer-unrestricted']);
    assert.equal(model.threats.find((threat) => threat.id === 'exposed-entry-point@entry:Service/edge/internal')?.status, 'mitigated');
  });
});

describe('threat model inputs', () => {
  it('reads a snapshot (a kubectl List) like manifests', () => {
    const snapshot = path.join(work, 'snapshot.json');
    writeFileSync(
      snapshot,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: 'prod' }, spec: { hostPID: true, containers: [{ name: 'shell', image: 'busybox', securityContext: { privileged: true } }] } },
        ],
      }),
    );
    const result = spawnSync(process.execPath, [CLI, 'threat-model', '--snapshot', snapshot, '--format', 'json'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    const { threatModel } = JSON.parse(result.stdout) as { threatModel: { threats: Array<{ id: string; status: string }> } };
    const status = (id: string): string | undefined => threatModel.threats.find((threat) => threat.id === id)?.status;
    assert.equal(status('container-escape@workload:Pod/prod/debug'), 'open');
    assert.equal(status('pod-admission@namespace:prod'), 'open');
    const none = spawnSync(process.execPath, [CLI, 'threat-model'], { encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /give PATH\.\.\. or --snapshot FILE/);
  });

  it('takes `rampart bench --format json` of a kubeadm control-plane node: components seen, their threats judged', () => {
    const root = writeTree(kubeadmControlPlaneTree());
    try {
      const bench = spawnSync(process.execPath, [CLI, 'bench', '--root', root, '--format', 'json'], { encoding: 'utf8' });
      const benchFile = path.join(work, 'kubeadm-bench.json');
      writeFileSync(benchFile, bench.stdout);
      const results = JSON.parse(bench.stdout) as { sections: Array<{ results: Array<{ id: string; status: string }> }> };
      const statusOf = (id: string): string | undefined => results.sections.flatMap((section) => section.results).find((control) => control.id === id)?.status;
      const result = spawnSync(process.execPath, [CLI, 'threat-model', path.join(REPO_ROOT, 'examples', 'demo-shop'), '--bench', benchFile, '--format', 'json'], { encoding: 'utf8' });
      const { threatModel } = JSON.parse(result.stdout) as { threatModel: { elements: Array<{ id: string; assumed: boolean }>; threats: Array<{ id: string; status: string }> } };
      assert.equal(threatModel.elements.find((element) => element.id === 'component:etcd')?.assumed, false);
      assert.equal(threatModel.elements.find((element) => element.id === 'component:kube-proxy')?.assumed, true);
      // kubeadm leaves anonymous requests on: the benchmark fails 1.2.1, so the threat is open.
      assert.equal(statusOf('1.2.1'), 'FAIL');
      assert.equal(threatModel.threats.find((threat) => threat.id === 'api-anonymous@component:kube-apiserver')?.status, 'open');
      const authz = threatModel.threats.find((threat) => threat.id === 'api-authorization@component:kube-apiserver')?.status;
      assert.equal(authz, statusOf('1.2.6') === 'PASS' ? (['1.2.7', '1.2.8', '1.2.14'].every((id) => statusOf(id) === 'PASS') ? 'mitigated' : 'partly') : 'open');
    } finally {
      removeTree(root);
    }
  });

  it('parses bench JSON and refuses other files with their name', () => {
    const data = parseBenchJson(JSON.stringify({ components: [{ name: 'etcd' }, { name: 'etcd' }], sections: [{ results: [{ id: '2.1', title: 't', status: 'PASS', details: ['d'], file: '/etc/kubernetes/manifests/etcd.yaml', line: 12 }, { id: 'x', status: 'MAYBE' }] }] }), 'node.json');
    assert.deepEqual(data.components, ['etcd']);
    assert.deepEqual([...data.controls.keys()], ['2.1']);
    assert.equal(data.controls.get('2.1')?.line, 12);
    assert.throws(() => parseBenchJson('{', 'broken.json'), (error: unknown) => error instanceof BenchFileError && /broken\.json is not JSON/.test(error.message));
    assert.throws(() => parseBenchJson('{"findings": []}', 'scan.json'), (error: unknown) => error instanceof BenchFileError && /scan\.json is not a `rampart bench/.test(error.message));
  });

  it('matches a subject by its whole name and finds image registries', () => {
    assert.ok(namesSubject('bound by RoleBinding shop/x to ServiceAccount shop/api', 'ServiceAccount shop/api'));
    assert.ok(namesSubject('to ServiceAccount shop/api; and more', 'ServiceAccount shop/api'));
    assert.ok(!namesSubject('to ServiceAccount shop/api-v2', 'ServiceAccount shop/api'));
    assert.ok(namesSubject('to ServiceAccount shop/api-v2 and ServiceAccount shop/api', 'ServiceAccount shop/api'));
    assert.equal(registryOf('nginx'), 'docker.io');
    assert.equal(registryOf('library/nginx:1.27'), 'docker.io');
    assert.equal(registryOf('ghcr.io/org/app@sha256:abc'), 'ghcr.io');
    assert.equal(registryOf('localhost:5000/app'), 'localhost:5000');
  });
});
