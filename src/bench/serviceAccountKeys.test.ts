/** 1.2.R1: the age of the service-account signing key, from file modification times on temporary trees. */
import assert from 'node:assert/strict';
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { collectNode } from './collect.js';
import { runBenchmark } from './evaluate.js';
import type { ControlResult, NodeSnapshot } from './model.js';
import { readSnapshot } from './snapshotFile.js';
import { KUBEADM_APISERVER_FLAGS, kubeadmControlPlaneTree, kubeadmWorkerTree, manifest, removeTree, writeTree, type Tree } from './testTrees.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) removeTree(root);
});

const NOW = new Date('2026-06-01T12:00:00Z');
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 24 * 60 * 60 * 1000);

/** Writes the tree, sets the modification times given, collects at NOW. */
function collectWithTimes(tree: Tree, times: Record<string, Date>, remove: string[] = []): NodeSnapshot {
  const root = writeTree(tree);
  roots.push(root);
  for (const [path, time] of Object.entries(times)) utimesSync(join(root, path), time, time);
  for (const path of remove) rmSync(join(root, path));
  return collectNode({ root, rampartVersion: 'test', now: NOW });
}

function rotation(snapshot: NodeSnapshot, maxAge?: number): ControlResult {
  const result = runBenchmark(snapshot, { benchmark: 'cis-1.12', targets: ['master'], ...(maxAge === undefined ? {} : { serviceAccountKeyMaxAgeDays: maxAge }) });
  assert.ok(!('error' in result));
  const control = result.sections.flatMap((section) => section.results).find((entry) => entry.id === '1.2.R1');
  assert.ok(control);
  return control;
}

describe('1.2.R1 service account signing key rotation', () => {
  test('a key of 400 days is WARN with its age and file; the kubeadm layout names both flags', () => {
    const control = rotation(collectWithTimes(kubeadmControlPlaneTree(), { '/etc/kubernetes/pki/sa.key': daysAgo(400), '/etc/kubernetes/pki/sa.pub': daysAgo(400) }));
    assert.equal(control.status, 'WARN');
    assert.equal(control.file, '/etc/kubernetes/pki/sa.key');
    assert.equal(control.rampartOnly, true);
    assert.equal(control.details[0], 'the signing key /etc/kubernetes/pki/sa.key is 400 days old, older than 365 days');
    assert.equal(control.details[1], 'signing key /etc/kubernetes/pki/sa.key (kube-apiserver --service-account-signing-key-file) was last modified 2025-04-27, 400 days before collection');
    assert.match(control.details.join('\n'), /^one verification key: \/etc\/kubernetes\/pki\/sa\.pub \(modified 2025-04-27, 400 days\)$/m);
  });

  test('a key of 30 days passes; the threshold can be lowered', () => {
    const snapshot = collectWithTimes(kubeadmControlPlaneTree(), { '/etc/kubernetes/pki/sa.key': daysAgo(30) });
    const control = rotation(snapshot);
    assert.equal(control.status, 'PASS');
    assert.equal(control.details[0], 'signing keys are at most 30 days old (limit 365 days)');
    const strict = rotation(snapshot, 7);
    assert.equal(strict.status, 'WARN');
    assert.equal(strict.details[0], 'the signing key /etc/kubernetes/pki/sa.key is 30 days old, older than 7 days');
  });

  test('the controller manager signs with an older key than the API server: the older one decides', () => {
    const tree = kubeadmControlPlaneTree();
    tree['/etc/kubernetes/pki/sa-old.key'] = { content: 'KEY\n', mode: 0o600 };
    const flags = tree['/etc/kubernetes/manifests/kube-controller-manager.yaml']!.content!.replace('--service-account-private-key-file=/etc/kubernetes/pki/sa.key', '--service-account-private-key-file=/etc/kubernetes/pki/sa-old.key');
    tree['/etc/kubernetes/manifests/kube-controller-manager.yaml'] = { content: flags, mode: 0o600 };
    const control = rotation(collectWithTimes(tree, { '/etc/kubernetes/pki/sa.key': daysAgo(10), '/etc/kubernetes/pki/sa-old.key': daysAgo(500) }));
    assert.equal(control.status, 'WARN');
    assert.equal(control.file, '/etc/kubernetes/pki/sa-old.key');
    assert.match(control.details.join('\n'), /sa-old\.key \(kube-controller-manager --service-account-private-key-file\) was last modified .*, 500 days before collection/);
  });

  test('a rotation in progress: two verification keys are reported', () => {
    const tree = kubeadmControlPlaneTree();
    tree['/etc/kubernetes/pki/sa-previous.pub'] = { content: 'PUB\n', mode: 0o644 };
    tree['/etc/kubernetes/manifests/kube-apiserver.yaml'] = {
      content: manifest('kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.32.0', [...KUBEADM_APISERVER_FLAGS, '--service-account-key-file=/etc/kubernetes/pki/sa-previous.pub']),
      mode: 0o600,
    };
    const control = rotation(collectWithTimes(tree, { '/etc/kubernetes/pki/sa.key': daysAgo(3), '/etc/kubernetes/pki/sa.pub': daysAgo(3), '/etc/kubernetes/pki/sa-previous.pub': daysAgo(420) }));
    assert.equal(control.status, 'PASS');
    assert.match(
      control.details.join('\n'),
      /^2 verification keys are configured \(--service-account-key-file\): \/etc\/kubernetes\/pki\/sa\.pub \(modified [\d-]+, 3 days\), \/etc\/kubernetes\/pki\/sa-previous\.pub \(modified [\d-]+, 420 days\)\. A rotation keeps the old public key listed/m,
    );
  });

  test('key files not visible on the node: INFO with the reason, never PASS', () => {
    const control = rotation(collectWithTimes(kubeadmControlPlaneTree(), {}, ['/etc/kubernetes/pki/sa.key']));
    assert.equal(control.status, 'INFO');
    assert.equal(control.details[0], 'the signing key files are not visible on this node, so their age is unknown');
    assert.match(control.details.join('\n'), /kube-apiserver --service-account-signing-key-file: \/etc\/kubernetes\/pki\/sa\.key does not exist on the node/);
  });

  test('no signing key flag: INFO pointing to 1.2.22 and 1.3.4; no control plane: INFO not found', () => {
    const tree = kubeadmControlPlaneTree();
    tree['/etc/kubernetes/manifests/kube-apiserver.yaml'] = { content: manifest('kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.32.0', KUBEADM_APISERVER_FLAGS.filter((flag) => !flag.startsWith('--service-account'))), mode: 0o600 };
    tree['/etc/kubernetes/manifests/kube-controller-manager.yaml'] = { content: manifest('kube-controller-manager', 'registry.k8s.io/kube-controller-manager:v1.32.0', []), mode: 0o600 };
    const control = rotation(collectWithTimes(tree, {}));
    assert.equal(control.status, 'INFO');
    assert.match(control.details[0] ?? '', /^no signing key is configured .*1\.2\.22 and 1\.3\.4/);
    const worker = rotation(collectWithTimes(kubeadmWorkerTree(), {}));
    assert.equal(worker.status, 'INFO');
    assert.match(worker.details[0] ?? '', /kube-apiserver was not found/);
  });

  test('ages are measured from the collection time, so a snapshot read later gives the same result', () => {
    const snapshot = collectWithTimes(kubeadmControlPlaneTree(), { '/etc/kubernetes/pki/sa.key': daysAgo(366) });
    assert.equal(snapshot.collectedAt, NOW.toISOString());
    assert.equal(snapshot.files['/etc/kubernetes/pki/sa.key']?.modified, daysAgo(366).toISOString());
    const read = readSnapshot(JSON.stringify(snapshot), 'node.json', 'test');
    assert.ok(read.ok);
    assert.deepEqual(rotation(read.snapshot), rotation(snapshot));
    assert.equal(rotation(read.snapshot).status, 'WARN');
  });
});
