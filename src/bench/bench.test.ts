/**
 * The benchmark on node trees built in temporary directories, control by
 * control: kubeadm's defaults, a hardened node, a worker, and broken variants.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { collectNode } from './collect.js';
import type { Target } from './controls/types.js';
import { runBenchmark, type BenchResult } from './evaluate.js';
import type { ControlResult, ControlStatus, NodeSnapshot } from './model.js';
import { readSnapshot } from './snapshotFile.js';
import { hardenedControlPlaneTree, KUBEADM_APISERVER_FLAGS, KUBEADM_CONTROLLER_MANAGER_FLAGS, kubeadmControlPlaneTree, kubeadmWorkerTree, manifest, removeTree, writeTree, type Tree } from './testTrees.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) removeTree(root);
});

function collect(tree: Tree): NodeSnapshot {
  const root = writeTree(tree);
  roots.push(root);
  return collectNode({ root, rampartVersion: 'test' });
}

function bench(tree: Tree, targets?: Target[]): { result: BenchResult; byId: Map<string, ControlResult> } {
  const result = runBenchmark(collect(tree), { benchmark: 'cis-1.12', ...(targets === undefined ? {} : { targets }) });
  if ('error' in result) throw new Error(result.error);
  const byId = new Map<string, ControlResult>();
  // CIS controls only; the CVE section has its own tests.
  for (const section of result.sections) for (const control of section.results) if (section.id !== 'cve') byId.set(control.id, control);
  return { result, byId };
}

/** Expected statuses written compactly: `{ PASS: '1.1.1 1.1.2', FAIL: '…' }`; every control of the result must be listed. */
function assertStatuses(byId: Map<string, ControlResult>, expected: Partial<Record<ControlStatus, string>>): void {
  const wanted = new Map<string, ControlStatus>();
  for (const [status, ids] of Object.entries(expected) as [ControlStatus, string][]) for (const id of ids.split(/\s+/).filter(Boolean)) wanted.set(id, status);
  const mismatches: string[] = [];
  for (const [id, control] of byId) {
    const want = wanted.get(id);
    if (want === undefined) mismatches.push(`${id}: not in the expectations (got ${control.status})`);
    else if (want !== control.status) mismatches.push(`${id}: expected ${want}, got ${control.status}: ${control.details.join(' | ')}`);
  }
  for (const id of wanted.keys()) if (!byId.has(id)) mismatches.push(`${id}: expected but not evaluated`);
  assert.deepEqual(mismatches, []);
}

function details(byId: Map<string, ControlResult>, id: string): string {
  return byId.get(id)?.details.join('\n') ?? '';
}

const KUBEADM_NODE_EXPECTED = {
  PASS: '4.1.2 4.1.5 4.1.6 4.1.7 4.1.8 4.1.10 4.2.1 4.2.2 4.2.3 4.2.4 4.2.5 4.2.6 4.2.7 4.2.10 4.2.11',
  FAIL: '4.1.1 4.1.9 4.2.9 4.2.12 4.2.13 4.2.14',
  WARN: '4.2.8',
  INFO: '4.1.3 4.1.4 4.3.1',
};

describe('kubeadm-default control-plane node', () => {
  const { result, byId } = bench(kubeadmControlPlaneTree());

  test('every control, as kubeadm 1.32 configures a node', () => {
    assertStatuses(byId, {
      PASS: `1.1.1 1.1.2 1.1.3 1.1.4 1.1.5 1.1.6 1.1.7 1.1.8 1.1.11 1.1.13 1.1.14 1.1.15 1.1.16 1.1.17 1.1.18 1.1.19 1.1.20 1.1.21
        1.2.2 1.2.4 1.2.6 1.2.7 1.2.8 1.2.10 1.2.12 1.2.13 1.2.14 1.2.21 1.2.22 1.2.23 1.2.24 1.2.25 1.2.26 1.2.R1
        1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 1.4.2 2.1 2.2 2.3 2.4 2.5 2.6 2.7 ${KUBEADM_NODE_EXPECTED.PASS}`,
      FAIL: `1.1.12 1.2.1 1.2.3 1.2.5 1.2.9 1.2.11 1.2.15 1.2.16 1.2.17 1.2.18 1.2.19 1.2.27 1.2.28 1.2.29 1.2.30 1.3.1 1.3.2 1.4.1 3.2.1 3.2.2 ${KUBEADM_NODE_EXPECTED.FAIL}`,
      WARN: `1.2.20 3.1.1 3.1.2 3.1.3 ${KUBEADM_NODE_EXPECTED.WARN}`,
      INFO: `1.1.9 1.1.10 ${KUBEADM_NODE_EXPECTED.INFO}`,
    });
  });

  test('findings name the effective value and its source', () => {
    assert.match(details(byId, '1.2.1'), /^--anonymous-auth=true \(default\)$/m);
    assert.match(details(byId, '1.2.6'), /--authorization-mode=Node,RBAC \(flag, \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml:13\)/);
    assert.match(details(byId, '1.2.3'), /--enable-admission-plugins=NodeRestriction \(flag, \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml:15\)/);
    assert.match(details(byId, '4.2.1'), /authentication\.anonymous\.enabled=false \(config file, \/var\/lib\/kubelet\/config\.yaml:4\)/);
    assert.match(details(byId, '1.1.12'), /\/var\/lib\/etcd is owned by root:root/);
    assert.equal(byId.get('1.2.1')?.file, '/etc/kubernetes/manifests/kube-apiserver.yaml');
  });

  test("kubeadm's `streamingConnectionIdleTimeout: 0s` is the kubelet's 4h default, not an infinite timeout", () => {
    assert.match(details(byId, '4.2.5'), /streamingConnectionIdleTimeout=4h0m0s \(default; \/var\/lib\/kubelet\/config\.yaml:\d+ says 0s, which the kubelet treats as unset\)/);
  });

  test('the version comes from the API server image, and the kubelet from its kubeadm systemd drop-in', () => {
    assert.equal(result.kubernetesVersion.minor, 32);
    const kubelet = result.components.find((component) => component.name === 'kubelet');
    assert.deepEqual(kubelet, { name: 'kubelet', origin: 'systemd', file: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf' });
    assert.deepEqual(result.sections.map((section) => section.target).filter((target, index, all) => all.indexOf(target) === index), ['master', 'etcd', 'controlplane', 'node', 'cves']);
  });

  test('known CVEs of v1.32.0 apply: fixed ones FAIL with the release to upgrade to, unfixed ones WARN with a mitigation', () => {
    const cves = new Map((result.sections.find((section) => section.id === 'cve')?.results ?? []).map((control) => [control.id, control]));
    assert.equal(cves.get('CVE-2025-5187')?.status, 'FAIL');
    assert.match(cves.get('CVE-2025-5187')?.remediation ?? '', /Upgrade kube-apiserver to 1\.32\.8 or later/);
    assert.equal(cves.get('CVE-2025-0426')?.status, 'FAIL');
    assert.match(cves.get('CVE-2025-0426')?.details.join() ?? '', /kubelet v1\.32\.0 \(assumed from the image of kube-apiserver/);
    assert.equal(cves.get('CVE-2020-8554')?.status, 'WARN');
    assert.equal(cves.get('CVE-2018-1002105'), undefined);
  });
});

function hardenedTree(): Tree {
  return {
    ...hardenedControlPlaneTree(),
    '/etc/cni/net.d': { directory: true, mode: 0o755 },
    '/etc/cni/net.d/10-bridge.conflist': { content: '{"cniVersion":"1.0.0","name":"bridge","plugins":[]}\n', mode: 0o600 },
    '/proc/4242/cmdline': { content: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=node'].join('\0') + '\0' },
    '/var/lib/kube-proxy/config.conf': { content: 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\nmetricsBindAddress: 127.0.0.1:10249\n', mode: 0o600 },
    '/var/lib/kube-proxy/kubeconfig.conf': { content: 'apiVersion: v1\nkind: Config\n', mode: 0o600 },
  };
}

describe('hardened control-plane node', () => {
  test('every automated control passes; manual ones stay WARN', () => {
    const { byId } = bench(hardenedTree());
    const warn = '1.2.20 3.1.1 3.1.2 3.1.3 4.2.8';
    const pass = [...byId.keys()].filter((id) => !warn.split(' ').includes(id)).join(' ');
    assertStatuses(byId, { PASS: pass, WARN: warn });
    assert.match(details(byId, '1.2.28'), /Secrets are encrypted with aescbc first/);
    assert.match(details(byId, '4.3.1'), /--metrics-bind-address=127\.0\.0\.1:10249 \(config file, \/var\/lib\/kube-proxy\/config\.conf:5\)/);
    assert.match(details(byId, '1.1.12'), /owned by etcd:etcd/);
  });

  test('the audit policy is judged rule by rule: a Secret body at RequestResponse fails', () => {
    const tree = hardenedTree();
    tree['/etc/kubernetes/audit/policy.yaml'] = { content: 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n', mode: 0o600 };
    const { byId } = bench(tree);
    assert.equal(byId.get('3.2.1')?.status, 'PASS');
    assert.equal(byId.get('3.2.2')?.status, 'FAIL');
    assert.match(details(byId, '3.2.2'), /reading Secrets is logged at RequestResponse, which writes Secret contents/);
  });

  test('identity first in the encryption configuration fails; secrets never leave the node in a snapshot', () => {
    const tree = hardenedTree();
    tree['/etc/kubernetes/encryption/config.yaml'] = { content: 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n  - aescbc:\n      keys:\n      - name: k\n        secret: c2VjcmV0\n', mode: 0o600 };
    const snapshot = collect(tree);
    assert.doesNotMatch(JSON.stringify(snapshot), /c2VjcmV0/);
    const result = runBenchmark(snapshot, { benchmark: 'cis-1.12' });
    assert.ok(!('error' in result));
    const control = result.sections.flatMap((section) => section.results).find((entry) => entry.id === '1.2.28');
    assert.equal(control?.status, 'FAIL');
    assert.match(control?.details.join('\n') ?? '', /first provider for secrets is identity/);
  });
});

describe('worker node', () => {
  test('only node controls by default, judged as on the control plane', () => {
    const { result, byId } = bench(kubeadmWorkerTree());
    assert.deepEqual(result.sections.map((section) => section.id), ['4.1', '4.2', '4.3', 'cve']);
    assertStatuses(byId, KUBEADM_NODE_EXPECTED);
    // No image tells the kubelet's version: CVE matching says so instead of passing.
    const cves = result.sections.find((section) => section.id === 'cve')?.results ?? [];
    assert.deepEqual(cves.map((control) => [control.id, control.status]), [['cve-version', 'WARN'], ['cve-summary', 'INFO']]);
  });

  test('control-plane targets asked for on a worker are INFO (not found), never PASS', () => {
    const { byId } = bench(kubeadmWorkerTree(), ['master', 'etcd']);
    for (const id of ['1.2.1', '1.2.6', '1.3.2', '1.4.1', '2.1', '2.7', '1.1.1', '1.1.11']) assert.equal(byId.get(id)?.status, 'INFO', id);
  });
});

function withKubeletExtraArgs(args: string, extra: Tree = {}): Tree {
  return { ...kubeadmWorkerTree(), '/etc/default/kubelet': { content: `KUBELET_EXTRA_ARGS="${args}"\n`, mode: 0o644 }, ...extra };
}

describe('broken variants', () => {
  test('kubelet --config pointing elsewhere: the later flag wins and its file is judged', () => {
    const { byId } = bench(
      withKubeletExtraArgs('--config=/etc/kubelet/custom.yaml', {
        '/etc/kubelet/custom.yaml': { content: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\nreadOnlyPort: 10255\n', mode: 0o644 },
      }),
    );
    assert.equal(byId.get('4.2.1')?.status, 'FAIL');
    assert.match(details(byId, '4.2.1'), /authentication\.anonymous\.enabled=true \(config file, \/etc\/kubelet\/custom\.yaml:5\)/);
    assert.equal(byId.get('4.2.4')?.status, 'FAIL');
    assert.equal(byId.get('4.2.3')?.status, 'FAIL');
    assert.equal(byId.get('4.2.10')?.status, 'FAIL');
    assert.match(details(byId, '4.1.9'), /\/etc\/kubelet\/custom\.yaml has mode 644/);
  });

  test('kubelet --config naming a missing file: unknown values are WARN with the reason, never PASS', () => {
    const { byId } = bench(withKubeletExtraArgs('--config=/etc/kubelet/missing.yaml'));
    for (const id of ['4.2.1', '4.2.2', '4.2.4', '4.2.5', '4.2.6', '4.2.11']) {
      assert.equal(byId.get(id)?.status, 'WARN', id);
      assert.match(details(byId, id), /kubelet --config=\/etc\/kubelet\/missing\.yaml \(\/etc\/default\/kubelet:1\) does not exist on the node/, id);
    }
    assert.equal(byId.get('4.1.9')?.status, 'WARN');
  });

  test('a malformed kubelet config file: WARN with the parse error', () => {
    const tree = kubeadmWorkerTree();
    tree['/var/lib/kubelet/config.yaml'] = { content: 'authentication: [\n  anonymous\n', mode: 0o600 };
    const { byId } = bench(tree);
    assert.equal(byId.get('4.2.1')?.status, 'WARN');
    assert.match(details(byId, '4.2.1'), /kubelet --config=\/var\/lib\/kubelet\/config\.yaml \(.*\) is malformed/);
  });

  test('drop-ins override the config file in file-name order; *.conf only', () => {
    const { byId } = bench(
      withKubeletExtraArgs('--config-dir=/etc/kubernetes/kubelet.conf.d', {
        '/etc/kubernetes/kubelet.conf.d/10-open.conf': { content: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\nreadOnlyPort: 10255\n', mode: 0o600 },
        '/etc/kubernetes/kubelet.conf.d/20-close.conf': { content: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\n', mode: 0o600 },
        '/etc/kubernetes/kubelet.conf.d/99-ignored.yaml': { content: 'readOnlyPort: 4444\n', mode: 0o600 },
      }),
    );
    assert.equal(byId.get('4.2.1')?.status, 'FAIL');
    assert.match(details(byId, '4.2.1'), /authentication\.anonymous\.enabled=true \(drop-in, \/etc\/kubernetes\/kubelet\.conf\.d\/10-open\.conf:5\)/);
    assert.equal(byId.get('4.2.4')?.status, 'PASS');
    assert.match(details(byId, '4.2.4'), /readOnlyPort=0 \(drop-in, \/etc\/kubernetes\/kubelet\.conf\.d\/20-close\.conf:3\)/);
    // The drop-in sets only anonymous; x509 from the config file still applies (maps merge).
    assert.equal(byId.get('4.2.3')?.status, 'PASS');
    assert.match(details(byId, '4.2.3'), /config file, \/var\/lib\/kubelet\/config\.yaml/);
  });

  test('flags override the config file and drop-ins', () => {
    const { byId } = bench(
      withKubeletExtraArgs('--config-dir=/etc/kubernetes/kubelet.conf.d --anonymous-auth=false --read-only-port=10255', {
        '/etc/kubernetes/kubelet.conf.d/10-open.conf': { content: 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\n', mode: 0o600 },
      }),
    );
    assert.equal(byId.get('4.2.1')?.status, 'PASS');
    assert.match(details(byId, '4.2.1'), /--anonymous-auth=false \(flag, \/etc\/default\/kubelet:1\)/);
    assert.equal(byId.get('4.2.4')?.status, 'FAIL');
    assert.match(details(byId, '4.2.4'), /--read-only-port=10255 \(flag, \/etc\/default\/kubelet:1\)/);
  });

  test('a running kubelet process is judged over its unit files', () => {
    const tree = kubeadmWorkerTree();
    tree['/proc/77/cmdline'] = { content: ['/usr/bin/kubelet', '--config', '/var/lib/kubelet/config.yaml', '--hostname-override', 'other'].join('\0') + '\0' };
    const { byId, result } = bench(tree);
    assert.deepEqual(result.components.find((component) => component.name === 'kubelet'), { name: 'kubelet', origin: 'process', file: '/proc/77/cmdline' });
    assert.equal(byId.get('4.2.7')?.status, 'FAIL');
    assert.match(details(byId, '4.2.7'), /--hostname-override=other \(flag, \/proc\/77\/cmdline\)/);
  });

  test('world-readable PKI keys fail 1.1.21 and name each key', () => {
    const tree = kubeadmControlPlaneTree();
    tree['/etc/kubernetes/pki/apiserver.key'] = { content: 'KEY\n', mode: 0o644 };
    tree['/etc/kubernetes/pki/etcd/peer.key'] = { content: 'KEY\n', mode: 0o604 };
    const { byId } = bench(tree);
    assert.equal(byId.get('1.1.21')?.status, 'FAIL');
    assert.match(details(byId, '1.1.21'), /\/etc\/kubernetes\/pki\/apiserver\.key has mode 644/);
    assert.match(details(byId, '1.1.21'), /\/etc\/kubernetes\/pki\/etcd\/peer\.key has mode 604/);
    assert.equal(byId.get('1.1.20')?.status, 'PASS');
  });

  test('a malformed API server manifest: its controls are WARN with the reason, its file permissions still judged', () => {
    const tree = kubeadmControlPlaneTree();
    tree['/etc/kubernetes/manifests/kube-apiserver.yaml'] = { content: 'apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n', mode: 0o600 };
    const { byId } = bench(tree);
    for (const id of ['1.2.1', '1.2.2', '1.2.6', '1.2.10', '1.2.12', '1.2.28', '3.2.1']) {
      assert.equal(byId.get(id)?.status, 'WARN', id);
      assert.match(details(byId, id), /kube-apiserver could not be judged: .*kube-apiserver\.yaml is malformed YAML/, id);
    }
    assert.equal(byId.get('1.1.1')?.status, 'PASS');
  });

  test('flags that are not flags are reported, and the rest is still judged', () => {
    const tree = kubeadmControlPlaneTree();
    const text = tree['/etc/kubernetes/manifests/kube-scheduler.yaml']!.content!.replace('    - --leader-elect=true', '    - --leader-elect=true\n    - stray');
    tree['/etc/kubernetes/manifests/kube-scheduler.yaml'] = { content: text, mode: 0o600 };
    const { result, byId } = bench(tree);
    assert.ok(result.notes.some((note) => /kube-scheduler: .*kube-scheduler\.yaml:\d+: cannot read argument "stray"/.test(note)), result.notes.join('\n'));
    assert.equal(byId.get('1.4.2')?.status, 'PASS');
    // Profiling comes from a default while the command line had a problem: not trusted.
    assert.equal(byId.get('1.4.1')?.status, 'WARN');
  });

  test('etcd with --config-file: not judged from flags it ignores (WARN)', () => {
    const tree = kubeadmControlPlaneTree();
    tree['/etc/kubernetes/manifests/etcd.yaml'] = { content: tree['/etc/kubernetes/manifests/etcd.yaml']!.content!.replace('    - --client-cert-auth=true', '    - --client-cert-auth=true\n    - --config-file=/etc/etcd/etcd.yaml'), mode: 0o600 };
    const { byId } = bench(tree);
    for (const id of ['2.1', '2.2', '2.7', '1.1.11']) {
      assert.equal(byId.get(id)?.status, 'WARN', id);
      assert.match(details(byId, id), /--config-file/, id);
    }
  });

  test('an empty root: nothing found, no PASS', () => {
    const { result } = bench({}, ['master', 'etcd', 'controlplane', 'node']);
    const statuses = new Set(result.sections.flatMap((section) => section.results.map((control) => control.status)));
    assert.ok(!statuses.has('PASS'), [...statuses].join());
  });
});

describe('snapshots', () => {
  test('a collected snapshot evaluates to the same results after a JSON round trip', () => {
    const snapshot = collect(kubeadmControlPlaneTree());
    const read = readSnapshot(JSON.stringify(snapshot), 'node.json', 'test');
    assert.ok(read.ok);
    assert.deepEqual(runBenchmark(read.snapshot, { benchmark: 'auto' }), runBenchmark(snapshot, { benchmark: 'auto' }));
  });

  test('a snapshot from another Rampart version is refused with a clear message', () => {
    const snapshot = collect(kubeadmWorkerTree());
    const read = readSnapshot(JSON.stringify(snapshot), 'node.json', '9.9.9');
    assert.ok(!read.ok);
    assert.match(read.error, /node\.json was collected by Rampart test .*this is Rampart 9\.9\.9/);
    const garbage = readSnapshot('{"hello": 1}', 'x.json', 'test');
    assert.ok(!garbage.ok);
    assert.match(garbage.error, /not a snapshot/);
  });

  test('snapshots carry no key or kubeconfig contents', () => {
    const text = JSON.stringify(collect(kubeadmControlPlaneTree()));
    assert.doesNotMatch(text, /"content":"KEY/);
    assert.doesNotMatch(text, /"content":"apiVersion: v1\\nkind: Config/);
  });
});

describe('flag values the way Kubernetes parses them', () => {
  test('booleans follow Go (False, 0, t), repeated flags take the last value, --flag value works', () => {
    const tree = kubeadmControlPlaneTree();
    const extra = ['--enable-admission-plugins=AlwaysPullImages', '--profiling=False', '--anonymous-auth=0', '--service-account-lookup=t', '--audit-log-maxage=10', '--audit-log-maxage=30', '--audit-log-path', '/var/log/audit.log'];
    tree['/etc/kubernetes/manifests/kube-apiserver.yaml'] = { content: manifest('kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.32.0', [...KUBEADM_APISERVER_FLAGS, ...extra]), mode: 0o600 };
    const cm = [...KUBEADM_CONTROLLER_MANAGER_FLAGS, '--feature-gates=Foo=true,RotateKubeletServerCertificate=False'];
    tree['/etc/kubernetes/manifests/kube-controller-manager.yaml'] = { content: manifest('kube-controller-manager', 'registry.k8s.io/kube-controller-manager:v1.32.0', cm), mode: 0o600 };
    const { byId } = bench(tree);
    assert.equal(byId.get('1.2.15')?.status, 'PASS');
    assert.equal(byId.get('1.2.1')?.status, 'PASS');
    assert.equal(byId.get('1.2.21')?.status, 'PASS');
    assert.equal(byId.get('1.2.17')?.status, 'PASS');
    assert.match(details(byId, '1.2.17'), /--audit-log-maxage=30 \(flag, /);
    assert.equal(byId.get('1.2.16')?.status, 'PASS');
    assert.match(details(byId, '1.2.16'), /--audit-log-path=\/var\/log\/audit\.log/);
    assert.equal(byId.get('1.3.6')?.status, 'FAIL');
    // Slice flags accumulate: both occurrences of --enable-admission-plugins count.
    assert.equal(byId.get('1.2.14')?.status, 'PASS');
    assert.equal(byId.get('1.2.11')?.status, 'PASS');
  });
});

describe('structured API server configuration', () => {
  test('--authorization-config authorizers and --authentication-config anonymous conditions are read', () => {
    const tree = kubeadmControlPlaneTree();
    const flags = KUBEADM_APISERVER_FLAGS.filter((flag) => !flag.startsWith('--authorization-mode')).concat(['--authorization-config=/etc/kubernetes/authz.yaml', '--authentication-config=/etc/kubernetes/authn.yaml']);
    tree['/etc/kubernetes/manifests/kube-apiserver.yaml'] = { content: manifest('kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.32.0', flags), mode: 0o600 };
    tree['/etc/kubernetes/authz.yaml'] = { content: 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- type: Node\n  name: node\n- type: RBAC\n  name: rbac\n', mode: 0o600 };
    tree['/etc/kubernetes/authn.yaml'] = { content: 'apiVersion: apiserver.config.k8s.io/v1beta1\nkind: AuthenticationConfiguration\nanonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n  - path: /readyz\n', mode: 0o600 };
    const { byId } = bench(tree);
    assert.equal(byId.get('1.2.6')?.status, 'PASS');
    assert.equal(byId.get('1.2.7')?.status, 'PASS');
    assert.match(details(byId, '1.2.8'), /authorizers: Node,RBAC/);
    assert.equal(byId.get('1.2.1')?.status, 'PASS');
    assert.match(details(byId, '1.2.1'), /only to \/livez, \/readyz \(authentication config, \/etc\/kubernetes\/authn\.yaml:3\)/);
  });
});

describe('etcd as a process', () => {
  test('ETCD_* environment variables count as flags; the command line wins', () => {
    const tree = kubeadmWorkerTree();
    tree['/proc/900/cmdline'] = { content: ['/usr/local/bin/etcd', '--name=etcd-1', '--peer-auto-tls=true'].join('\0') + '\0' };
    tree['/proc/900/environ'] = { content: ['ETCD_CLIENT_CERT_AUTH=true', 'ETCD_CERT_FILE=/etc/etcd/server.crt', 'ETCD_KEY_FILE=/etc/etcd/server.key', 'ETCD_PEER_AUTO_TLS=false', 'PATH=/usr/bin'].join('\0') + '\0' };
    const { byId } = bench(tree, ['etcd']);
    assert.equal(byId.get('2.2')?.status, 'PASS');
    assert.match(details(byId, '2.2'), /--client-cert-auth=true \(flag, \/proc\/900\/environ\)/);
    assert.equal(byId.get('2.1')?.status, 'PASS');
    assert.equal(byId.get('2.6')?.status, 'FAIL');
    assert.match(details(byId, '2.6'), /--peer-auto-tls=true \(flag, \/proc\/900\/cmdline\)/);
  });
});

describe('hostile input', () => {
  test('a billion-laughs kubelet config and an oversized manifest are WARN, not a crash', () => {
    const tree = kubeadmControlPlaneTree();
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level++) laughs.push(`${String.fromCharCode(97 + level)}: &${String.fromCharCode(97 + level)} [${Array(9).fill(`*${String.fromCharCode(96 + level)}`).join(',')}]`);
    tree['/var/lib/kubelet/config.yaml'] = { content: `${laughs.join('\n')}\n`, mode: 0o600 };
    tree['/etc/kubernetes/manifests/kube-scheduler.yaml'] = { content: `# ${'x'.repeat(1024 * 1024 + 10)}\n`, mode: 0o600 };
    const { byId } = bench(tree);
    assert.equal(byId.get('4.2.1')?.status, 'WARN');
    assert.match(details(byId, '4.2.1'), /kubelet --config=\/var\/lib\/kubelet\/config\.yaml \(.*\) is malformed/);
    assert.equal(byId.get('1.4.1')?.status, 'WARN');
    assert.match(details(byId, '1.4.1'), /larger than 1048576 bytes/);
  });
});

describe('static pod command shapes', () => {
  test('arguments in args:, and a shell wrapper (sh -c "exec kube-apiserver …")', () => {
    const tree = kubeadmControlPlaneTree();
    tree['/etc/kubernetes/manifests/kube-scheduler.yaml'] = {
      content: 'apiVersion: v1\nkind: Pod\nmetadata: {name: kube-scheduler, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-scheduler\n    image: registry.k8s.io/kube-scheduler:v1.32.0\n    command: [kube-scheduler]\n    args:\n    - --bind-address=127.0.0.1\n    - --profiling=false\n',
      mode: 0o600,
    };
    tree['/etc/kubernetes/manifests/kube-controller-manager.yaml'] = {
      content: 'apiVersion: v1\nkind: Pod\nmetadata: {name: kube-controller-manager, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-controller-manager\n    image: registry.k8s.io/kube-controller-manager:v1.32.0\n    command:\n    - /bin/sh\n    - -c\n    - exec /usr/local/bin/kube-controller-manager --profiling=false --bind-address=0.0.0.0 --use-service-account-credentials=true\n',
      mode: 0o600,
    };
    const { byId } = bench(tree);
    assert.equal(byId.get('1.4.1')?.status, 'PASS');
    assert.match(details(byId, '1.4.1'), /--profiling=false \(flag, \/etc\/kubernetes\/manifests\/kube-scheduler\.yaml:11\)/);
    assert.equal(byId.get('1.3.2')?.status, 'PASS');
    assert.equal(byId.get('1.3.3')?.status, 'PASS');
    assert.equal(byId.get('1.3.7')?.status, 'FAIL');
    assert.match(details(byId, '1.3.7'), /--bind-address=0\.0\.0\.0 \(flag, \/etc\/kubernetes\/manifests\/kube-controller-manager\.yaml:11\)/);
  });
});
