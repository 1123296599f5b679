/**
 * Node filesystem trees for tests, built in temporary directories: a
 * kubeadm-default control-plane node, a hardened one, a worker, and helpers
 * to break them. File contents follow what kubeadm 1.32 writes.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TreeFile {
  readonly content?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** A directory instead of a file. */
  readonly directory?: boolean;
}

export type Tree = Record<string, TreeFile>;

export const ETCD_UID = 990;

export function manifest(name: string, image: string, args: readonly string[]): string {
  return [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    `  name: ${name}`,
    '  namespace: kube-system',
    'spec:',
    '  hostNetwork: true',
    '  containers:',
    '  - command:',
    `    - ${name}`,
    ...args.map((arg) => `    - ${arg}`),
    `    image: ${image}`,
    `    name: ${name}`,
    '',
  ].join('\n');
}

export const KUBEADM_APISERVER_FLAGS = [
  '--advertise-address=172.18.0.2',
  '--allow-privileged=true',
  '--authorization-mode=Node,RBAC',
  '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  '--enable-admission-plugins=NodeRestriction',
  '--enable-bootstrap-token-auth=true',
  '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
  '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
  '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
  '--etcd-servers=https://127.0.0.1:2379',
  '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
  '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
  '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
  '--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt',
  '--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key',
  '--requestheader-allowed-names=front-proxy-client',
  '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
  '--requestheader-extra-headers-prefix=X-Remote-Extra-',
  '--requestheader-group-headers=X-Remote-Group',
  '--requestheader-username-headers=X-Remote-User',
  '--secure-port=6443',
  '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
  '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
  '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key',
  '--service-cluster-ip-range=10.96.0.0/16',
  '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
  '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
];

export const KUBEADM_CONTROLLER_MANAGER_FLAGS = [
  '--allocate-node-cidrs=true',
  '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
  '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
  '--bind-address=127.0.0.1',
  '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  '--cluster-cidr=10.244.0.0/16',
  '--cluster-name=kubernetes',
  '--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt',
  '--cluster-signing-key-file=/etc/kubernetes/pki/ca.key',
  '--controllers=*,bootstrapsigner,tokencleaner',
  '--kubeconfig=/etc/kubernetes/controller-manager.conf',
  '--leader-elect=true',
  '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
  '--root-ca-file=/etc/kubernetes/pki/ca.crt',
  '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
  '--service-cluster-ip-range=10.96.0.0/16',
  '--use-service-account-credentials=true',
];

export const KUBEADM_SCHEDULER_FLAGS = [
  '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
  '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
  '--bind-address=127.0.0.1',
  '--kubeconfig=/etc/kubernetes/scheduler.conf',
  '--leader-elect=true',
];

export const KUBEADM_ETCD_FLAGS = [
  '--advertise-client-urls=https://172.18.0.2:2379',
  '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
  '--client-cert-auth=true',
  '--data-dir=/var/lib/etcd',
  '--experimental-initial-corrupt-check=true',
  '--initial-advertise-peer-urls=https://172.18.0.2:2380',
  '--initial-cluster=node=https://172.18.0.2:2380',
  '--key-file=/etc/kubernetes/pki/etcd/server.key',
  '--listen-client-urls=https://127.0.0.1:2379,https://172.18.0.2:2379',
  '--listen-metrics-urls=http://127.0.0.1:2381',
  '--listen-peer-urls=https://172.18.0.2:2380',
  '--name=node',
  '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
  '--peer-client-cert-auth=true',
  '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
  '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
  '--snapshot-count=10000',
  '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
];

/** The KubeletConfiguration kubeadm writes (trimmed to what matters; zero durations kept, as kubeadm writes them). */
export const KUBEADM_KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
healthzBindAddress: 127.0.0.1
healthzPort: 10248
kind: KubeletConfiguration
rotateCertificates: true
runtimeRequestTimeout: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;

export const KUBELET_UNIT = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

export const KUBEADM_DROP_IN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

const PKI_CERTS = ['ca', 'apiserver', 'apiserver-kubelet-client', 'apiserver-etcd-client', 'front-proxy-ca', 'front-proxy-client'];
const ETCD_CERTS = ['ca', 'server', 'peer', 'healthcheck-client'];

/** What every kubeadm node has: the kubelet unit, its drop-in, config and kubeconfig, the user database. */
export function kubeadmWorkerTree(): Tree {
  return {
    '/etc/passwd': { content: `root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n`, mode: 0o644 },
    '/etc/group': { content: 'root:x:0:\nnogroup:x:65534:\n', mode: 0o644 },
    '/usr/lib/systemd/system/kubelet.service': { content: KUBELET_UNIT, mode: 0o644 },
    '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': { content: KUBEADM_DROP_IN, mode: 0o644 },
    '/var/lib/kubelet/kubeadm-flags.env': { content: 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n', mode: 0o644 },
    '/var/lib/kubelet/config.yaml': { content: KUBEADM_KUBELET_CONFIG, mode: 0o644 },
    '/etc/kubernetes/kubelet.conf': { content: 'apiVersion: v1\nkind: Config\n', mode: 0o600 },
    '/etc/kubernetes/pki': { directory: true, mode: 0o755 },
    '/etc/kubernetes/pki/ca.crt': { content: 'CERT\n', mode: 0o644 },
  };
}

export function kubeadmControlPlaneTree(version = 'v1.32.0'): Tree {
  const tree: Record<string, TreeFile> = { ...kubeadmWorkerTree() };
  tree['/etc/kubernetes/manifests'] = { directory: true, mode: 0o755 };
  tree['/etc/kubernetes/manifests/kube-apiserver.yaml'] = { content: manifest('kube-apiserver', `registry.k8s.io/kube-apiserver:${version}`, KUBEADM_APISERVER_FLAGS), mode: 0o600 };
  tree['/etc/kubernetes/manifests/kube-controller-manager.yaml'] = { content: manifest('kube-controller-manager', `registry.k8s.io/kube-controller-manager:${version}`, KUBEADM_CONTROLLER_MANAGER_FLAGS), mode: 0o600 };
  tree['/etc/kubernetes/manifests/kube-scheduler.yaml'] = { content: manifest('kube-scheduler', `registry.k8s.io/kube-scheduler:${version}`, KUBEADM_SCHEDULER_FLAGS), mode: 0o600 };
  tree['/etc/kubernetes/manifests/etcd.yaml'] = { content: manifest('etcd', 'registry.k8s.io/etcd:3.5.16-0', KUBEADM_ETCD_FLAGS), mode: 0o600 };
  for (const name of ['admin.conf', 'super-admin.conf', 'scheduler.conf', 'controller-manager.conf']) tree[`/etc/kubernetes/${name}`] = { content: 'apiVersion: v1\nkind: Config\n', mode: 0o600 };
  tree['/etc/kubernetes/pki/etcd'] = { directory: true, mode: 0o755 };
  for (const name of PKI_CERTS) {
    tree[`/etc/kubernetes/pki/${name}.crt`] = { content: 'CERT\n', mode: 0o644 };
    tree[`/etc/kubernetes/pki/${name}.key`] = { content: 'KEY\n', mode: 0o600 };
  }
  for (const name of ETCD_CERTS) {
    tree[`/etc/kubernetes/pki/etcd/${name}.crt`] = { content: 'CERT\n', mode: 0o644 };
    tree[`/etc/kubernetes/pki/etcd/${name}.key`] = { content: 'KEY\n', mode: 0o600 };
  }
  tree['/etc/kubernetes/pki/sa.key'] = { content: 'KEY\n', mode: 0o600 };
  tree['/etc/kubernetes/pki/sa.pub'] = { content: 'PUB\n', mode: 0o644 };
  tree['/var/lib/etcd'] = { directory: true, mode: 0o700 };
  return tree;
}

export const HARDENED_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets", "configmaps", "serviceaccounts/token"]
  - group: authentication.k8s.io
    resources: ["tokenreviews"]
- level: RequestResponse
  resources:
  - group: rbac.authorization.k8s.io
- level: Metadata
  resources:
  - group: ""
    resources: ["pods/exec", "pods/attach", "pods/portforward"]
- level: Request
  verbs: ["create", "update", "patch", "delete"]
- level: Metadata
`;

export const HARDENED_ENCRYPTION = `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources:
  - secrets
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==
  - identity: {}
`;

export const HARDENED_ADMISSION = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: EventRateLimit
  path: eventconfig.yaml
`;

const STRONG = 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384';

/** A release with every fix in the CVE data. */
export const HARDENED_VERSION = 'v1.34.2';

export function hardenedControlPlaneTree(): Tree {
  const tree: Record<string, TreeFile> = { ...kubeadmControlPlaneTree() };
  const apiFlags = KUBEADM_APISERVER_FLAGS.filter((flag) => !flag.startsWith('--enable-admission-plugins')).concat([
    '--anonymous-auth=false',
    '--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs',
    '--admission-control-config-file=/etc/kubernetes/admission/admission.yaml',
    '--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt',
    '--profiling=false',
    '--audit-log-path=/var/log/kubernetes/audit.log',
    '--audit-policy-file=/etc/kubernetes/audit/policy.yaml',
    '--audit-log-maxage=30',
    '--audit-log-maxbackup=10',
    '--audit-log-maxsize=100',
    '--encryption-provider-config=/etc/kubernetes/encryption/config.yaml',
    `--tls-cipher-suites=${STRONG}`,
    '--service-account-extend-token-expiration=false',
  ]);
  tree['/etc/kubernetes/manifests/kube-apiserver.yaml'] = { content: manifest('kube-apiserver', `registry.k8s.io/kube-apiserver:${HARDENED_VERSION}`, apiFlags), mode: 0o600 };
  tree['/etc/kubernetes/manifests/kube-controller-manager.yaml'] = {
    content: manifest('kube-controller-manager', `registry.k8s.io/kube-controller-manager:${HARDENED_VERSION}`, [...KUBEADM_CONTROLLER_MANAGER_FLAGS, '--profiling=false', '--terminated-pod-gc-threshold=10']),
    mode: 0o600,
  };
  tree['/etc/kubernetes/manifests/kube-scheduler.yaml'] = { content: manifest('kube-scheduler', `registry.k8s.io/kube-scheduler:${HARDENED_VERSION}`, [...KUBEADM_SCHEDULER_FLAGS, '--profiling=false']), mode: 0o600 };
  tree['/etc/kubernetes/manifests/etcd.yaml'] = {
    content: manifest('etcd', 'registry.k8s.io/etcd:3.5.16-0', KUBEADM_ETCD_FLAGS.map((flag) => (flag.startsWith('--trusted-ca-file') ? '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt' : flag))),
    mode: 0o600,
  };
  tree['/etc/kubernetes/audit/policy.yaml'] = { content: HARDENED_AUDIT_POLICY, mode: 0o600 };
  tree['/etc/kubernetes/encryption/config.yaml'] = { content: HARDENED_ENCRYPTION, mode: 0o600 };
  tree['/etc/kubernetes/admission/admission.yaml'] = { content: HARDENED_ADMISSION, mode: 0o600 };
  tree['/etc/kubernetes/admission/eventconfig.yaml'] = { content: 'apiVersion: eventratelimit.admission.k8s.io/v1alpha1\nkind: Configuration\nlimits:\n- type: Server\n  qps: 50\n  burst: 100\n', mode: 0o600 };
  tree['/etc/passwd'] = { content: 'root:x:0:0:root:/root:/bin/bash\netcd:x:990:990::/var/lib/etcd:/usr/sbin/nologin\n', mode: 0o644 };
  tree['/etc/group'] = { content: 'root:x:0:\netcd:x:990:\n', mode: 0o644 };
  tree['/var/lib/etcd'] = { directory: true, mode: 0o700, uid: ETCD_UID, gid: ETCD_UID };
  tree['/usr/lib/systemd/system/kubelet.service'] = { content: KUBELET_UNIT, mode: 0o600 };
  tree['/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'] = { content: KUBEADM_DROP_IN, mode: 0o600 };
  tree['/var/lib/kubelet/config.yaml'] = {
    content: `${KUBEADM_KUBELET_CONFIG.replace('streamingConnectionIdleTimeout: 0s', 'streamingConnectionIdleTimeout: 5m0s')}readOnlyPort: 0
serverTLSBootstrap: true
podPidsLimit: 4096
seccompDefault: true
tlsCipherSuites:
- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
`,
    mode: 0o600,
  };
  return tree;
}

/** Writes a tree under a new temporary directory; owners default to root (tests run as root, or the owner stays the current user). */
export function writeTree(tree: Tree): string {
  const root = mkdtempSync(join(tmpdir(), 'rampart-bench-'));
  const paths = Object.keys(tree).sort();
  for (const path of paths) {
    const file = tree[path]!;
    const host = join(root, path);
    if (file.directory === true) mkdirSync(host, { recursive: true });
    else {
      mkdirSync(dirname(host), { recursive: true });
      writeFileSync(host, file.content ?? '');
    }
  }
  for (const path of paths) {
    const file = tree[path]!;
    const host = join(root, path);
    if (file.mode !== undefined) chmodSync(host, file.mode);
    if ((file.uid !== undefined || file.gid !== undefined) && process.getuid?.() === 0) chownSync(host, file.uid ?? 0, file.gid ?? 0);
  }
  return root;
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
