/** End-to-end tests of `rampart bench`: real processes on node trees in temporary directories. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { hardenedControlPlaneTree, kubeadmControlPlaneTree, kubeadmWorkerTree, removeTree, writeTree } from '../bench/testTrees.js';
import { CLI, REPO_ROOT } from '../testing/paths.js';

function rampart(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const controlPlane = writeTree(kubeadmControlPlaneTree());
const worker = writeTree(kubeadmWorkerTree());
after(() => {
  removeTree(controlPlane);
  removeTree(worker);
});

test('table: kube-bench-like lines, details under failures, remediations and section summaries; exit 1 on FAIL', () => {
  const { status, stdout, stderr } = rampart(['bench', '--root', controlPlane, '--targets', 'master,etcd,controlplane,node']);
  const withCves = rampart(['bench', '--root', controlPlane]).stdout;
  assert.equal(stderr, '');
  assert.equal(status, 1);
  assert.match(stdout, /^\[INFO\] 1\.2 API server$/m);
  assert.match(stdout, /^\[FAIL\] 1\.2\.15 API server profiling is off \(--profiling=false\)$/m);
  assert.match(stdout, /^ {7}--profiling=true \(default\)$/m);
  assert.match(stdout, /^\[PASS\] 2\.2 etcd requires client certificates/m);
  assert.match(stdout, /^== Remediations ==$/m);
  assert.match(stdout, /^1\.2 API server: 16 PASS, 14 FAIL, 1 WARN, 0 INFO$/m);
  assert.match(stdout, /^Total: 62 PASS, 26 FAIL, 5 WARN, 5 INFO$/m);
  assert.match(withCves, /^\[FAIL\] CVE-2025-5187 /m);
});

test('json: every control with status, details and source; targets narrow the sections', () => {
  const { status, stdout } = rampart(['bench', '--root', controlPlane, '--format', 'json', '--targets', 'etcd']);
  assert.equal(status, 0);
  const report = JSON.parse(stdout) as { schemaVersion: string; benchmark: { id: string }; sections: { id: string; results: { id: string; status: string; details: string[] }[] }[] };
  assert.equal(report.schemaVersion, '1.1');
  assert.equal(report.benchmark.id, 'cis-1.12');
  assert.deepEqual(report.sections.map((section) => section.id), ['2']);
  const control = report.sections[0]!.results.find((result) => result.id === '2.2');
  assert.equal(control?.status, 'PASS');
  assert.match(control?.details[0] ?? '', /--client-cert-auth=true \(flag, \/etc\/kubernetes\/manifests\/etcd\.yaml:\d+\)/);
});

test('sarif and junit come from the core reporters', () => {
  const sarif = JSON.parse(rampart(['bench', '--root', controlPlane, '--format', 'sarif']).stdout) as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] };
  const anonymous = sarif.runs[0]!.results.find((result) => result.ruleId === 'cis-1.12/1.2.1');
  assert.ok(anonymous);
  assert.match(anonymous.locations[0]!.physicalLocation.artifactLocation.uri, /etc\/kubernetes\/manifests\/kube-apiserver\.yaml$/);
  const junit = rampart(['bench', '--root', controlPlane, '--format', 'junit']).stdout;
  assert.match(junit, /<testcase classname="CISSection\/1\.2 API server" name="cis-1\.12\/1\.2\.1" file="&lt;node&gt;">\s*<failure/);
  assert.match(junit, /<testcase classname="CISSection\/2 etcd" name="cis-1\.12\/2\.2" file="&lt;node&gt;"\/>/);
});

test('collect then --from gives the same report; a snapshot from another version is refused', () => {
  const snapshotFile = path.join(worker, 'node.json');
  const collected = rampart(['bench', 'collect', '--root', worker, '-o', snapshotFile]);
  assert.equal(collected.status, 0, collected.stderr);
  const direct = rampart(['bench', '--root', worker, '--format', 'json']);
  const fromFile = rampart(['bench', '--from', snapshotFile, '--format', 'json']);
  assert.equal(fromFile.stdout, direct.stdout);
  const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { rampartVersion: string };
  snapshot.rampartVersion = '0.0.1-old';
  writeFileSync(snapshotFile, JSON.stringify(snapshot));
  const refused = rampart(['bench', '--from', snapshotFile]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /was collected by Rampart 0\.0\.1-old .*Collect again with this version/);
});

test('bench collect records the version read from the kubelet binary; --from matches CVEs with it and names the binary', () => {
  const root = writeTree(kubeadmWorkerTree());
  try {
    const binary = randomBytes(2 * 1024 * 1024);
    binary.write('-X k8s.io/component-base/version.gitVersion=v1.30.0 ', 1024 * 1024 - 20, 'latin1');
    mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
    writeFileSync(path.join(root, 'usr/bin/kubelet'), binary);
    const snapshotFile = path.join(root, 'node.json');
    const collected = rampart(['bench', 'collect', '--root', root, '-o', snapshotFile]);
    assert.equal(collected.status, 0, collected.stderr);
    const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { components: { name: string; binary?: unknown }[] };
    assert.deepEqual(snapshot.components.find((component) => component.name === 'kubelet')?.binary, { path: '/usr/bin/kubelet', version: 'v1.30.0', marker: 'k8s.io/component-base/version.gitVersion=' });
    const { stdout } = rampart(['bench', '--from', snapshotFile, '--targets', 'cves']);
    assert.match(stdout, /note: Kubernetes version: v1\.30\.0 \(binary \/usr\/bin\/kubelet of kubelet\)/);
    assert.match(stdout, /^\[FAIL\] CVE-\S+ .*\n {7}kubelet v1\.30\.0 \(binary \/usr\/bin\/kubelet\) is affected$/m);
  } finally {
    removeTree(root);
  }
});

test('1.2.R1: an old service-account signing key is WARN in the table; --service-account-key-max-age moves the limit', () => {
  const root = writeTree(kubeadmControlPlaneTree());
  try {
    const old = new Date(Date.now() - 400 * 24 * 60 * 60 * 1000);
    utimesSync(path.join(root, 'etc/kubernetes/pki/sa.key'), old, old);
    const { stdout } = rampart(['bench', '--root', root, '--targets', 'master']);
    assert.match(stdout, /^\[WARN\] 1\.2\.R1 The service account signing key is rotated \(key file at most 365 days old by default\) \(Rampart, not in CIS\)\n {7}the signing key \/etc\/kubernetes\/pki\/sa\.key is 400 days old, older than 365 days$/m);
    assert.match(rampart(['bench', '--root', root, '--targets', 'master', '--service-account-key-max-age', '500']).stdout, /^\[PASS\] 1\.2\.R1 /m);
    const refused = rampart(['bench', '--root', root, '--service-account-key-max-age', '0']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /expected a whole number of days/);
  } finally {
    removeTree(root);
  }
});

test('a hardened node passes: exit 0', () => {
  const root = writeTree(hardenedControlPlaneTree());
  try {
    const { status, stdout } = rampart(['bench', '--root', root]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /0 FAIL/);
  } finally {
    removeTree(root);
  }
});

test('a root without Kubernetes: nothing judged, exit 2 with the reason', () => {
  const empty = writeTree({ '/etc/hostname': { content: 'box\n' } });
  try {
    const { status, stderr, stdout } = rampart(['bench', '--root', empty]);
    assert.equal(status, 2);
    assert.match(stderr, /no Kubernetes component found under /);
    assert.match(stdout, /Total: 0 PASS, 0 FAIL, 0 WARN, 0 INFO/);
  } finally {
    removeTree(empty);
  }
});

test('usage errors: unknown target, unknown benchmark', () => {
  assert.equal(rampart(['bench', '--root', worker, '--targets', 'master,bogus']).status, 2);
  assert.equal(rampart(['bench', '--root', worker, '--benchmark', 'cis-0.1']).status, 2);
});

test('bench job: host PID, read-only host mounts, no capabilities, control-plane tolerations', () => {
  const { status, stdout } = rampart(['bench', 'job', '--node', 'cp-1']);
  assert.equal(status, 0);
  const job = parse(stdout) as { kind: string; spec: { template: { spec: Record<string, unknown> & { containers: { securityContext: Record<string, unknown>; volumeMounts: { readOnly: boolean }[] }[]; tolerations: { key: string }[] } } } };
  assert.equal(job.kind, 'Job');
  const pod = job.spec.template.spec;
  assert.equal(pod.hostPID, true);
  assert.equal(pod.hostNetwork, undefined);
  assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/hostname': 'cp-1' });
  assert.ok(pod.tolerations.some((toleration) => toleration.key === 'node-role.kubernetes.io/control-plane'));
  const container = pod.containers[0]!;
  assert.ok(container.volumeMounts.every((mount) => mount.readOnly));
  assert.deepEqual(container.securityContext.capabilities, { drop: ['ALL'] });
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.equal(container.securityContext.privileged, undefined);
});

test('--rbac: CIS 5.1 judged by the RBAC engine on the cluster objects', () => {
  const dir = writeTree({
    '/rbac.yaml': {
      content: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dev-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, name: system:masters, apiGroup: rbac.authorization.k8s.io}
`,
    },
  });
  try {
    const { stdout } = rampart(['bench', '--root', worker, '--rbac', path.join(dir, 'rbac.yaml'), '--format', 'json', '--targets', 'policies']);
    const report = JSON.parse(stdout) as { sections: { id: string; results: { id: string; status: string; details: string[] }[] }[] };
    const rbac = new Map(report.sections.find((section) => section.id === '5.1')!.results.map((result) => [result.id, result]));
    assert.equal(rbac.get('5.1.1')?.status, 'FAIL');
    assert.match(rbac.get('5.1.1')?.details[0] ?? '', /User alice cluster-wide: RBAC-BINDING-CLUSTER-ADMIN \(ClusterRoleBinding dev-admin, /);
    assert.equal(rbac.get('5.1.2')?.status, 'FAIL');
    assert.equal(rbac.get('5.1.13')?.status, 'FAIL');
    assert.ok(![...rbac.values()].some((result) => /ServiceAccount shop\/web/.test(result.details.join())), 'the pod reader holds none of the primitives');
    // The bootstrap binding of system:masters, as a kubectl dump shows it, is the cluster's own.
    assert.equal(rbac.get('5.1.7')?.status, 'PASS');
    assert.doesNotMatch(rbac.get('5.1.1')?.details.join() ?? '', /system:masters/);
    assert.equal(report.sections.find((section) => section.id === '5.2')?.results[0]?.status, 'INFO');
  } finally {
    removeTree(dir);
  }
});

test('--configmap: kubeadm kube-proxy and coredns ConfigMaps judge 4.3.1 and CoreDNS', () => {
  const dir = writeTree({
    '/kube-system.yaml': {
      content: `apiVersion: v1
kind: ConfigMap
metadata: {name: kube-proxy, namespace: kube-system}
data:
  config.conf: |-
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    kind: KubeProxyConfiguration
    metricsBindAddress: 0.0.0.0:10249
    mode: iptables
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
    .:53 {
        kubernetes cluster.local {
           pods insecure
        }
        forward . /etc/resolv.conf
        loop
    }
`,
    },
  });
  try {
    const { stdout } = rampart(['bench', '--root', worker, '--configmap', path.join(dir, 'kube-system.yaml'), '--format', 'json']);
    const report = JSON.parse(stdout) as { sections: { id: string; results: { id: string; status: string; details: string[] }[] }[] };
    const all = new Map(report.sections.flatMap((section) => section.results).map((result) => [result.id, result]));
    assert.equal(all.get('4.3.1')?.status, 'FAIL');
    assert.match(all.get('4.3.1')?.details[0] ?? '', /metricsBindAddress=0\.0\.0\.0:10249 \(kube-proxy ConfigMap, .*kube-system\.yaml:8\)/);
    assert.equal(all.get('DNS.1')?.status, 'FAIL');
    assert.equal(all.get('DNS.5')?.status, 'PASS');
  } finally {
    removeTree(dir);
  }
});
