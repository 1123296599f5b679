/**
 * The threats Rampart models, as data: what each is against, its STRIDE
 * category, MITRE ATT&CK and Microsoft Threat Matrix for Kubernetes
 * technique IDs, and the checks that mitigate it. A primary check's failure
 * leaves the threat open; a supporting check (defence in depth) only makes it
 * partly mitigated. Bench controls are written `bench:ID` (CIS numbering).
 */
import type { Stride } from './model.js';

/** Which elements a template is instantiated for, and so which objects its checks are read on. */
export type ThreatScope =
  | 'workload'
  | 'namespace'
  | 'service-account'
  | 'entry-point'
  | 'registry'
  | 'cluster-rbac'
  | 'kube-apiserver'
  | 'etcd'
  | 'kubelet'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'container-runtime'
  | 'coredns'
  /** A data flow: the primary mitigations are the checks behind the flow's TLS or authentication control. */
  | 'flow';

export interface ThreatTemplate {
  readonly id: string;
  readonly scope: ThreatScope;
  readonly stride: Stride;
  readonly title: string;
  readonly description: string;
  readonly attack: readonly string[];
  readonly msMatrix: readonly string[];
  readonly primary: readonly string[];
  readonly supporting: readonly string[];
}

export const THREAT_TEMPLATES: readonly ThreatTemplate[] = [
  // Workloads: a compromised pod is the attacker most clusters meet first.
  {
    id: 'container-escape',
    scope: 'workload',
    stride: 'E',
    title: 'Escape from the container to the node',
    description: 'Code running in the pod (an exploited application, a malicious image) uses privileged mode, a host path, a host namespace or the runtime socket to become root on the node, and from there reads every pod and token on it.',
    attack: ['T1611'],
    msMatrix: ['MS-TA9018', 'MS-TA9013'],
    primary: ['PSS-privileged', 'PSS-hostPathVolumes', 'pod-host-pid', 'pod-host-ipc', 'pod-runtime-socket', 'pod-sensitive-host-path', 'container-writable-host-path', 'PSS-procMount', 'container-capability-sys-admin', 'PSS-windowsHostProcess'],
    supporting: [],
  },
  {
    id: 'container-privilege-escalation',
    scope: 'workload',
    stride: 'E',
    title: 'Privilege escalation inside the container',
    description: 'A process in the container runs as root, gains privileges through setuid binaries or keeps the default capabilities and unrestricted system calls, which turns a kernel bug into a container escape.',
    attack: ['T1068', 'T1548'],
    msMatrix: ['MS-TA9018'],
    primary: ['PSS-runAsNonRoot', 'PSS-allowPrivilegeEscalation', 'container-capabilities-not-dropped', 'container-seccomp-missing'],
    supporting: ['container-read-only-root-filesystem'],
  },
  {
    id: 'network-tampering-capabilities',
    scope: 'workload',
    stride: 'T',
    title: 'Network tampering with added capabilities',
    description: 'Capabilities beyond the default set (NET_ADMIN, NET_RAW) let the container rewrite routes and firewall rules or forge packets (ARP spoofing) against its neighbours.',
    attack: ['T1557'],
    msMatrix: ['MS-TA9036'],
    primary: ['PSS-capabilities_baseline', 'container-capabilities-added'],
    supporting: ['container-capability-net-raw'],
  },
  {
    id: 'host-network-access',
    scope: 'workload',
    stride: 'I',
    title: "Access to the node's network",
    description: "A pod in the node's network namespace or bound to a host port sees the node's traffic and loopback services and is not confined by NetworkPolicies.",
    attack: ['T1040', 'T1046'],
    msMatrix: ['MS-TA9034'],
    primary: ['pod-host-network', 'container-host-port', 'PSS-hostPorts'],
    supporting: [],
  },
  {
    id: 'lateral-movement',
    scope: 'workload',
    stride: 'E',
    title: 'Lateral movement over the pod network',
    description: 'Without a NetworkPolicy selecting it, the pod accepts connections from, and opens them to, every pod of the cluster.',
    attack: ['T1210'],
    msMatrix: ['MS-TA9034'],
    primary: ['pod-not-selected-by-network-policy'],
    supporting: ['pod-not-isolated-by-network-policy'],
  },
  {
    id: 'service-account-token-theft',
    scope: 'workload',
    stride: 'S',
    title: "Theft of the pod's service-account token",
    description: 'An attacker in the pod reads the mounted token and calls the API server as its service account.',
    attack: ['T1528', 'T1552.007'],
    msMatrix: ['MS-TA9016'],
    primary: [],
    supporting: ['pod-service-account-token-mounted', 'pod-default-service-account'],
  },
  {
    id: 'resource-exhaustion',
    scope: 'workload',
    stride: 'D',
    title: 'Resource exhaustion by the workload',
    description: 'Without limits a compromised or faulty pod (a cryptominer, a fork bomb) starves its neighbours on the node.',
    attack: ['T1496', 'T1499'],
    msMatrix: ['MS-TA9039', 'MS-TA9040'],
    primary: [],
    supporting: ['container-memory-limit-missing', 'container-cpu-limit-missing'],
  },
  // Namespaces.
  {
    id: 'credentials-in-configuration',
    scope: 'namespace',
    stride: 'I',
    title: 'Credentials readable in configuration',
    description: 'Passwords and keys kept in ConfigMaps, environment literals or committed Secret manifests are read by anyone who can read those objects or the repository.',
    attack: ['T1552.001'],
    msMatrix: ['MS-TA9027'],
    primary: ['configmap-secret-literal', 'env-secret-literal', 'secret-data-in-manifest'],
    supporting: ['env-high-entropy-literal'],
  },
  {
    id: 'namespace-default-allow',
    scope: 'namespace',
    stride: 'I',
    title: 'Namespace open to the whole pod network',
    description: 'Without a default-deny policy every new pod in the namespace is reachable from the whole cluster until someone writes a policy for it.',
    attack: ['T1210'],
    msMatrix: ['MS-TA9034'],
    primary: ['namespace-without-default-deny-ingress'],
    supporting: ['namespace-without-default-deny-egress', 'network-policy-allows-all'],
  },
  {
    id: 'namespace-quota',
    scope: 'namespace',
    stride: 'D',
    title: "Namespace exhausts the cluster's capacity",
    description: 'Without a ResourceQuota and LimitRange one namespace can claim the capacity every other namespace needs.',
    attack: ['T1499'],
    msMatrix: ['MS-TA9040'],
    primary: [],
    supporting: ['namespace-without-resource-quota', 'namespace-without-limit-range'],
  },
  {
    id: 'pod-admission',
    scope: 'namespace',
    stride: 'E',
    title: 'Dangerous pods admitted into the namespace',
    description: "Whoever can create pods here runs them at the namespace's Pod Security enforce level: privileged pods where nothing is enforced.",
    attack: ['T1610'],
    msMatrix: ['MS-TA9008'],
    primary: [],
    supporting: [],
  },
  // Identities.
  {
    id: 'service-account-reads-secrets',
    scope: 'service-account',
    stride: 'I',
    title: "A stolen token reads the namespace's Secrets",
    description: 'The service account may get, list or watch Secrets; whoever holds its token (anyone in a pod that mounts it) reads them all.',
    attack: ['T1552.007'],
    msMatrix: ['MS-TA9025'],
    primary: ['RBAC-secrets-access'],
    supporting: [],
  },
  {
    id: 'service-account-escalation',
    scope: 'service-account',
    stride: 'E',
    title: 'A stolen token escalates through RBAC',
    description: 'The service account holds permissions that lead further: creating pods, binding roles, impersonating, minting tokens, the kubelet API.',
    attack: ['T1078.004', 'T1098'],
    msMatrix: ['MS-TA9019'],
    primary: ['RBAC-cluster-admin-binding', 'RBAC-wildcard-rule', 'RBAC-pod-create', 'RBAC-bind-escalate-impersonate', 'RBAC-nodes-proxy', 'RBAC-serviceaccount-token-create', 'RBAC-csr-approval', 'RBAC-webhook-configuration', 'RBAC-persistentvolume-create'],
    supporting: ['RBAC-default-service-account-bound', 'role-exec-into-pods'],
  },
  // Entry points.
  {
    id: 'exposed-entry-point',
    scope: 'entry-point',
    stride: 'S',
    title: 'Application reached and exploited from outside',
    description: 'An entry point open to any source, on every node or with injectable controller annotations gives an external attacker the first foothold.',
    attack: ['T1190'],
    msMatrix: ['MS-TA9004', 'MS-TA9005'],
    primary: ['service-node-port', 'service-load-balancer-unrestricted', 'service-external-ips', 'ingress-nginx-snippet'],
    supporting: ['ingress-nginx-injectable-annotation', 'ingress-backend-missing'],
  },
  // Supply chain.
  {
    id: 'compromised-image',
    scope: 'registry',
    stride: 'T',
    title: 'Tampered image pulled from the registry',
    description: 'A tag that moves, or a registry outside the allow-list, runs whatever image is pushed under that name.',
    attack: ['T1525'],
    msMatrix: ['MS-TA9002'],
    primary: ['image-registry-not-allowed', 'image-deprecated-registry'],
    supporting: ['image-not-pinned-by-digest', 'image-tag-mutable'],
  },
  // The control plane, from manifests.
  {
    id: 'rbac-escalation',
    scope: 'cluster-rbac',
    stride: 'E',
    title: 'Identities granted cluster-wide escalation',
    description: 'Bindings to cluster-admin, to system:masters, to anonymous or all authenticated users, and bind/escalate/impersonate rights turn one identity into all of them.',
    attack: ['T1078', 'T1098'],
    msMatrix: ['MS-TA9019'],
    primary: ['RBAC-cluster-admin-binding', 'RBAC-system-masters-binding', 'binding-anonymous', 'binding-all-authenticated', 'RBAC-bind-escalate-impersonate'],
    supporting: ['RBAC-wildcard-rule', 'RBAC-webhook-configuration'],
  },
  {
    id: 'runtime-socket',
    scope: 'container-runtime',
    stride: 'E',
    title: 'Container runtime driven from a pod',
    description: "A pod that mounts the runtime's socket starts privileged containers on the node outside the API server's admission.",
    attack: ['T1610'],
    msMatrix: ['MS-TA9008'],
    primary: ['pod-runtime-socket'],
    supporting: [],
  },
  // The control plane, from node benchmark results.
  {
    id: 'api-anonymous',
    scope: 'kube-apiserver',
    stride: 'S',
    title: 'Unauthenticated requests reach the API server',
    description: 'Anonymous requests or static token files let anyone who reaches the API server act as an identity.',
    attack: ['T1078.001'],
    msMatrix: ['MS-TA9005'],
    primary: ['bench:1.2.1', 'bench:1.2.2'],
    supporting: ['bench:1.2.25'],
  },
  {
    id: 'api-authorization',
    scope: 'kube-apiserver',
    stride: 'E',
    title: 'API server authorization bypassed',
    description: 'AlwaysAllow authorization, or no Node authorizer and NodeRestriction, lets any authenticated identity (or any kubelet) change any object.',
    attack: ['T1078'],
    msMatrix: ['MS-TA9029'],
    primary: ['bench:1.2.6'],
    supporting: ['bench:1.2.7', 'bench:1.2.8', 'bench:1.2.14'],
  },
  {
    id: 'api-audit',
    scope: 'kube-apiserver',
    stride: 'R',
    title: 'Actions in the cluster cannot be traced',
    description: 'Without an audit log nobody can tell who created the privileged pod or read the Secret.',
    attack: ['T1070'],
    msMatrix: ['MS-TA9021', 'MS-TA9022'],
    primary: ['bench:1.2.16'],
    supporting: ['bench:1.2.17', 'bench:1.2.18'],
  },
  {
    id: 'etcd-disclosure',
    scope: 'etcd',
    stride: 'I',
    title: 'Cluster data read from etcd',
    description: "etcd holds every Secret; without client certificates, TLS and encryption at rest, whoever reaches it or its disk reads them.",
    attack: ['T1552'],
    msMatrix: ['MS-TA9025'],
    primary: ['bench:2.1', 'bench:2.2', 'bench:1.2.27'],
    supporting: ['bench:1.2.23', 'bench:1.2.26'],
  },
  {
    id: 'kubelet-api',
    scope: 'kubelet',
    stride: 'E',
    title: 'Kubelet API runs commands in pods',
    description: "An anonymous or unauthorised kubelet API runs commands in every pod of the node and reads their logs.",
    attack: ['T1609'],
    msMatrix: ['MS-TA9030'],
    primary: ['bench:4.2.1', 'bench:4.2.2'],
    supporting: ['bench:4.2.3', 'bench:4.2.4'],
  },
  {
    id: 'controller-credentials',
    scope: 'kube-controller-manager',
    stride: 'S',
    title: 'Controllers act with one shared identity',
    description: "Without per-controller service accounts every controller holds the controller manager's full rights, and its endpoint should only listen on loopback.",
    attack: ['T1078'],
    msMatrix: ['MS-TA9016'],
    primary: ['bench:1.3.3'],
    supporting: ['bench:1.3.7'],
  },
  {
    id: 'scheduler-endpoint',
    scope: 'kube-scheduler',
    stride: 'I',
    title: "Scheduler's endpoint exposed",
    description: 'A scheduler listening beyond loopback exposes its profiling and metrics endpoints.',
    attack: ['T1046'],
    msMatrix: ['MS-TA9005'],
    primary: ['bench:1.4.2'],
    supporting: ['bench:1.4.1'],
  },
  {
    id: 'dns-poisoning',
    scope: 'coredns',
    stride: 'T',
    title: 'CoreDNS configuration poisoned',
    description: "Whoever can change CoreDNS's ConfigMap redirects service names to their own pods. No Rampart check judges it yet: review who may update ConfigMaps in kube-system.",
    attack: ['T1557'],
    msMatrix: ['MS-TA9035'],
    primary: [],
    supporting: [],
  },
];

/** Threats against a data flow, judged by the state of one of its controls. */
export const FLOW_TEMPLATES: Readonly<Record<'tls' | 'authentication', ThreatTemplate>> = {
  tls: {
    id: 'flow-eavesdropping',
    scope: 'flow',
    stride: 'I',
    title: 'Traffic read or changed in transit',
    description: 'Without TLS (and verified certificates) on this flow, anyone on the path reads credentials and data or changes them.',
    attack: ['T1557', 'T1040'],
    msMatrix: ['MS-TA9036'],
    primary: [],
    supporting: [],
  },
  authentication: {
    id: 'flow-spoofing',
    scope: 'flow',
    stride: 'S',
    title: 'Peer impersonated on this flow',
    description: 'Without authentication on this flow a caller can pretend to be the legitimate peer.',
    attack: ['T1078'],
    msMatrix: ['MS-TA9005'],
    primary: [],
    supporting: [],
  },
};

