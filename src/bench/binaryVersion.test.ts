/** Versions read from component binaries: fake binaries of random bytes in temporary directories. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BINARY_CHUNK_BYTES, readBinaryVersion } from './binaryVersion.js';
import { collectNode } from './collect.js';
import { runBenchmark } from './evaluate.js';
import { kubeadmWorkerTree, removeTree, writeTree } from './testTrees.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) removeTree(root);
});

/** A few MB of random bytes with `text` written at `offset`. */
function fakeBinary(size: number, text?: string, offset = 0): Buffer {
  const bytes = randomBytes(size);
  if (text !== undefined) bytes.write(text, offset, 'latin1');
  return bytes;
}

function writeBinary(root: string, path: string, bytes: Buffer): string {
  const host = join(root, path);
  mkdirSync(dirname(host), { recursive: true });
  writeFileSync(host, bytes);
  return host;
}

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'rampart-binary-'));
  roots.push(root);
  return root;
}

const MARKER = 'k8s.io/component-base/version.gitVersion=';

describe('readBinaryVersion', () => {
  const root = tempRoot();

  test('a marker cut by a chunk boundary is found, with its offset', () => {
    const offset = BINARY_CHUNK_BYTES - 17;
    const host = writeBinary(root, 'across', fakeBinary(3 * 1024 * 1024, `-X '${MARKER}v1.31.4' `, offset));
    const found = readBinaryVersion(host);
    assert.deepEqual(found, { found: true, version: 'v1.31.4', marker: MARKER, offset: offset + 4 });
  });

  test('the value itself cut by a boundary, with small chunks, and the old markers', () => {
    const host = writeBinary(root, 'old', fakeBinary(2 * 1024 * 1024, 'k8s.io/kubernetes/pkg/version.gitVersion=v1.15.3\0', 1_000_000));
    for (const chunkBytes of [200, 4096, 999_990, BINARY_CHUNK_BYTES]) {
      const found = readBinaryVersion(host, { chunkBytes });
      assert.equal(found.found && found.version, 'v1.15.3', `chunk ${chunkBytes}`);
    }
    const clientGo = writeBinary(root, 'client-go', fakeBinary(1024 * 1024, 'k8s.io/client-go/pkg/version.gitVersion=v1.9.11"', 5));
    assert.deepEqual(readBinaryVersion(clientGo), { found: true, version: 'v1.9.11', marker: 'k8s.io/client-go/pkg/version.gitVersion=', offset: 5 });
  });

  test('Go build information (-ldflags with quoted -X) and pre-release versions', () => {
    const buildInfo = `\tbuild\t-ldflags="-s -w -X 'k8s.io/component-base/version.gitVersion=v1.33.0-rc.1+abc' -X 'k8s.io/component-base/version.gitCommit=deadbeef'"\n`;
    const host = writeBinary(root, 'buildinfo', fakeBinary(4 * 1024 * 1024, buildInfo, 3 * 1024 * 1024 + 5));
    const found = readBinaryVersion(host);
    assert.equal(found.found && found.version, 'v1.33.0-rc.1+abc');
  });

  test('no marker: not found, the whole file read', () => {
    const host = writeBinary(root, 'none', fakeBinary(3 * 1024 * 1024));
    assert.deepEqual(readBinaryVersion(host), { found: false, reason: 'no Kubernetes version marker in the binary' });
  });

  test('a bogus version after the marker is refused, not used', () => {
    const unset = writeBinary(root, 'unset', fakeBinary(2 * 1024 * 1024, `${MARKER}v0.0.0-master+$Format:%H$ `, 1_500_000));
    const result = readBinaryVersion(unset);
    assert.equal(result.found, false);
    assert.match(result.found ? '' : result.reason, /gitVersion=v0\.0\.0-master\+\$Format:%H\$ at byte 1500000 is not a Kubernetes version/);
    const junk = writeBinary(root, 'junk', fakeBinary(1024 * 1024, `${MARKER}v1.x.2\0`, 10));
    assert.equal(readBinaryVersion(junk).found, false);
  });

  test('reading stops at the bound', () => {
    const host = writeBinary(root, 'late', fakeBinary(3 * 1024 * 1024, `${MARKER}v1.30.1 `, 2 * 1024 * 1024 + 100));
    assert.deepEqual(readBinaryVersion(host, { maxBytes: 2 * 1024 * 1024 }), { found: false, reason: `no version marker in the first ${2 * 1024 * 1024} bytes` });
    assert.equal(readBinaryVersion(host).found, true);
  });

  test('a missing file is a reason, not a crash', () => {
    assert.deepEqual(readBinaryVersion(join(root, 'missing')), { found: false, reason: 'cannot open: ENOENT' });
  });
});

describe('collection and CVE matching', () => {
  test('the kubelet of a systemd unit: its binary version is recorded, defaults and CVEs use it', () => {
    const root = writeTree(kubeadmWorkerTree());
    roots.push(root);
    writeBinary(root, '/usr/local/bin/kubelet-1.30.0', fakeBinary(3 * 1024 * 1024, `${MARKER}v1.30.0 `, BINARY_CHUNK_BYTES - 5));
    // /usr/bin/kubelet links to the real file with an absolute path, resolved inside the root.
    mkdirSync(join(root, '/usr/bin'), { recursive: true });
    symlinkSync('/usr/local/bin/kubelet-1.30.0', join(root, '/usr/bin/kubelet'));
    const snapshot = collectNode({ root, rampartVersion: 'test' });
    const kubelet = snapshot.components.find((component) => component.name === 'kubelet');
    assert.deepEqual(kubelet?.binary, { path: '/usr/bin/kubelet → /usr/local/bin/kubelet-1.30.0', version: 'v1.30.0', marker: MARKER });
    const result = runBenchmark(snapshot, { benchmark: 'cis-1.12' });
    assert.ok(!('error' in result));
    assert.deepEqual(result.kubernetesVersion, { minor: 30, text: 'v1.30.0', source: 'binary /usr/bin/kubelet → /usr/local/bin/kubelet-1.30.0 of kubelet' });
    const cves = result.sections.find((section) => section.id === 'cve')?.results ?? [];
    const applicable = cves.filter((control) => control.id.startsWith('CVE-'));
    assert.ok(applicable.length > 0);
    for (const control of applicable) assert.match(control.details.join('\n'), /kubelet v1\.30\.0 \(binary \/usr\/bin\/kubelet → \/usr\/local\/bin\/kubelet-1\.30\.0\) is affected/);
    assert.ok(!cves.some((control) => control.id === 'cve-version'));
  });

  test('a process whose executable is under the root; a binary without a marker and a bogus one give notes, not versions', () => {
    const tree = kubeadmWorkerTree();
    tree['/proc/41/cmdline'] = { content: ['/usr/local/bin/kube-proxy', '--metrics-bind-address=127.0.0.1:10249'].join('\0') + '\0' };
    tree['/proc/42/cmdline'] = { content: ['/opt/bin/kube-apiserver', '--profiling=false'].join('\0') + '\0' };
    const root = writeTree(tree);
    roots.push(root);
    writeBinary(root, '/usr/local/bin/kube-proxy', fakeBinary(2 * 1024 * 1024, `${MARKER}v1.18.2\n`, 700_000));
    writeBinary(root, '/opt/bin/kube-apiserver', fakeBinary(2 * 1024 * 1024, `${MARKER}v1.2x.0 `, 10));
    writeBinary(root, '/usr/bin/kubelet', fakeBinary(2 * 1024 * 1024));
    const snapshot = collectNode({ root, rampartVersion: 'test' });
    const byName = new Map(snapshot.components.map((component) => [component.name, component.binary]));
    assert.deepEqual(byName.get('kube-proxy'), { path: '/usr/local/bin/kube-proxy', version: 'v1.18.2', marker: MARKER });
    assert.deepEqual(byName.get('kubelet'), { path: '/usr/bin/kubelet', problem: 'no Kubernetes version marker in the binary' });
    assert.match(byName.get('kube-apiserver')?.problem ?? '', /gitVersion=v1\.2x\.0 at byte 10 is not a Kubernetes version/);
    const result = runBenchmark(snapshot, { benchmark: 'cis-1.12', targets: ['cves'] });
    assert.ok(!('error' in result));
    assert.equal(result.kubernetesVersion.source, 'binary /usr/local/bin/kube-proxy of kube-proxy');
    assert.ok(result.notes.some((note) => /^kube-apiserver: no version from its binary \/opt\/bin\/kube-apiserver: .*not a Kubernetes version$/.test(note)));
    const results = result.sections[0]?.results ?? [];
    const routeLocalnet = results.find((control) => control.id === 'CVE-2020-8558');
    assert.equal(routeLocalnet?.status, 'FAIL');
    assert.deepEqual(routeLocalnet.details, ['kube-proxy v1.18.2 (binary /usr/local/bin/kube-proxy) is affected']);
    assert.equal(routeLocalnet.remediation, 'Upgrade kube-proxy to 1.18.4 or later.');
    // The API server and kubelet have no version of their own: the node's version, said to be assumed.
    assert.match(results.flatMap((control) => control.details).join('\n'), /(kube-apiserver|kubelet) v1\.18\.2 \(assumed from the binary \/usr\/local\/bin\/kube-proxy of kube-proxy\)/);
  });
});
