/**
 * The dangerous RBAC primitives `rampart rbac risks` looks for. Each entry is
 * data: what it is, why it matters, and how to recognise it — a set of
 * permissions (every group must be held, any probe of a group will do), a
 * property of a single rule, or a property of a binding.
 */
import type { Severity } from '../model/types.js';
import type { BindingEntry, PolicyRule, Subject } from './model.js';

/** One permission that reveals a primitive: any of the verbs on group/resource[/subresource]. */
export interface Probe {
  readonly verbs: readonly string[];
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  /** Matches the resource with any subresource (impersonation names the extra key as the subresource). */
  readonly anySubresource?: boolean;
  /** Cluster-scoped targets are only ever granted by ClusterRoleBindings. */
  readonly clusterScoped?: boolean;
}

interface PrimitiveBase {
  /** Stable ID, e.g. `RBAC-SECRETS-LIST`. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** What an attacker does with it, in a sentence or two. */
  readonly description: string;
  /** MITRE ATT&CK technique IDs (Containers matrix). */
  readonly mitre: readonly string[];
}

export interface PermissionPrimitive extends PrimitiveBase {
  readonly kind: 'permission';
  /** Every group must be held (possibly through different bindings); within a group, any probe. */
  readonly requires: readonly (readonly Probe[])[];
}

export interface RulePrimitive extends PrimitiveBase {
  readonly kind: 'rule';
  readonly matches: (rule: PolicyRule) => boolean;
}

export interface BindingPrimitive extends PrimitiveBase {
  readonly kind: 'binding';
  /** Does this binding, for this subject, show the primitive? */
  readonly matches: (binding: BindingEntry, subject: Subject) => boolean;
}

export type RiskPrimitive = PermissionPrimitive | RulePrimitive | BindingPrimitive;

const WRITE = ['create', 'update', 'patch'] as const;
const MODIFY = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
// Before Kubernetes v1.35 (AuthorizePodWebsocketUpgradeCreatePermission), a WebSocket upgrade of exec, attach
// and portforward was authorized with verb get alone; both verbs are probed.
const STREAM = ['create', 'get'] as const;

const core = (resource: string, verbs: readonly string[], subresource?: string, clusterScoped = false): Probe => ({
  verbs,
  group: '',
  resource,
  ...(subresource === undefined ? {} : { subresource }),
  clusterScoped,
});

const POD_CONTROLLERS: readonly Probe[] = [
  { verbs: WRITE, group: 'apps', resource: 'deployments' },
  { verbs: WRITE, group: 'apps', resource: 'daemonsets' },
  { verbs: WRITE, group: 'apps', resource: 'statefulsets' },
  { verbs: WRITE, group: 'apps', resource: 'replicasets' },
  { verbs: WRITE, group: 'batch', resource: 'jobs' },
  { verbs: WRITE, group: 'batch', resource: 'cronjobs' },
  core('replicationcontrollers', WRITE),
  core('podtemplates', WRITE),
];

const BROAD_GROUPS = new Set(['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts']);

export const RISK_CATALOGUE: readonly RiskPrimitive[] = [
  {
    id: 'RBAC-SECRETS-LIST',
    kind: 'permission',
    title: 'List or watch Secrets',
    severity: 'critical',
    description: 'list and watch return the full content of every Secret in scope, service-account tokens and credentials included.',
    mitre: ['T1552.007'],
    requires: [[core('secrets', ['list', 'watch'])]],
  },
  {
    id: 'RBAC-SECRETS-GET',
    kind: 'permission',
    title: 'Read Secrets by name',
    severity: 'high',
    description: 'get returns a Secret whose name is known or guessed (token Secrets have predictable prefixes).',
    mitre: ['T1552.007'],
    requires: [[core('secrets', ['get'])]],
  },
  {
    id: 'RBAC-SECRETS-CREATE',
    kind: 'permission',
    title: 'Create Secrets',
    severity: 'medium',
    description: 'A Secret of type kubernetes.io/service-account-token naming any service account of the namespace is filled with a long-lived token for it.',
    mitre: ['T1528'],
    requires: [[core('secrets', ['create'])]],
  },
  {
    id: 'RBAC-PODS-CREATE',
    kind: 'permission',
    title: 'Create pods',
    severity: 'high',
    description: 'A new pod can run as any service account of its namespace and, where Pod Security admission allows, mount host paths or run privileged.',
    mitre: ['T1610'],
    requires: [[core('pods', ['create'])]],
  },
  {
    id: 'RBAC-WORKLOADS-WRITE',
    kind: 'permission',
    title: 'Create or change pod controllers',
    severity: 'high',
    description: 'Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs and ReplicationControllers create pods on their owner’s behalf: the same power as creating pods.',
    mitre: ['T1610'],
    requires: [POD_CONTROLLERS],
  },
  {
    id: 'RBAC-PODS-EXEC',
    kind: 'permission',
    title: 'Exec into pods',
    severity: 'high',
    description: 'Run commands in any container in scope, with its service account token and mounted secrets.',
    mitre: ['T1609'],
    requires: [[core('pods', STREAM, 'exec')]],
  },
  {
    id: 'RBAC-PODS-ATTACH',
    kind: 'permission',
    title: 'Attach to pods',
    severity: 'high',
    description: 'Attach to the main process of a container: its terminal, and often a shell.',
    mitre: ['T1609'],
    requires: [[core('pods', STREAM, 'attach')]],
  },
  {
    id: 'RBAC-PODS-PORTFORWARD',
    kind: 'permission',
    title: 'Port-forward to pods',
    severity: 'medium',
    description: 'Reach any port of a pod from outside the cluster, past NetworkPolicies and Services.',
    mitre: ['T1090'],
    requires: [[core('pods', STREAM, 'portforward')]],
  },
  {
    id: 'RBAC-PODS-EPHEMERAL',
    kind: 'permission',
    title: 'Add ephemeral containers to pods',
    severity: 'high',
    description: 'An ephemeral container joins a running pod with its own image and command: exec without the exec permission.',
    mitre: ['T1609'],
    requires: [[core('pods', ['update', 'patch'], 'ephemeralcontainers')]],
  },
  {
    id: 'RBAC-NODES-PROXY',
    kind: 'permission',
    title: 'Proxy to kubelets (nodes/proxy)',
    severity: 'critical',
    description: 'The kubelet API behind nodes/proxy runs commands in every pod of the node, and its checks bypass admission and audit of the pods API.',
    mitre: ['T1609', 'T1611'],
    requires: [[core('nodes', ['get', 'create', 'update', 'patch', 'delete'], 'proxy', true)]],
  },
  {
    id: 'RBAC-NODES-MODIFY',
    kind: 'permission',
    title: 'Change nodes',
    severity: 'medium',
    description: 'Labels and taints steer where pods land: attract sensitive pods onto a node under control, or evict them.',
    mitre: ['T1610'],
    requires: [[core('nodes', ['update', 'patch', 'delete'], undefined, true)]],
  },
  {
    id: 'RBAC-ESCALATE',
    kind: 'permission',
    title: 'Escalate roles',
    severity: 'critical',
    description: 'escalate lifts the rule that a role may only be written with permissions the writer holds: add any permission to a role and use it.',
    mitre: ['T1098'],
    requires: [
      [
        { verbs: ['escalate'], group: 'rbac.authorization.k8s.io', resource: 'roles' },
        { verbs: ['escalate'], group: 'rbac.authorization.k8s.io', resource: 'clusterroles', clusterScoped: true },
      ],
    ],
  },
  {
    id: 'RBAC-BIND',
    kind: 'permission',
    title: 'Bind roles',
    severity: 'critical',
    description: 'bind lifts the rule that a binding may only grant permissions the writer holds: with write access to bindings, grant any role, cluster-admin included.',
    mitre: ['T1098'],
    requires: [
      [
        { verbs: ['bind'], group: 'rbac.authorization.k8s.io', resource: 'roles' },
        { verbs: ['bind'], group: 'rbac.authorization.k8s.io', resource: 'clusterroles', clusterScoped: true },
      ],
    ],
  },
  {
    id: 'RBAC-RBAC-WRITE',
    kind: 'permission',
    title: 'Write roles or bindings',
    severity: 'medium',
    description: 'Writing roles and bindings is limited to permissions already held, unless combined with escalate or bind; still the way to spread access and persist.',
    mitre: ['T1098'],
    requires: [
      [
        { verbs: WRITE, group: 'rbac.authorization.k8s.io', resource: 'roles' },
        { verbs: WRITE, group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
        { verbs: WRITE, group: 'rbac.authorization.k8s.io', resource: 'clusterroles', clusterScoped: true },
        { verbs: WRITE, group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', clusterScoped: true },
      ],
    ],
  },
  {
    id: 'RBAC-IMPERSONATE-USERS',
    kind: 'permission',
    title: 'Impersonate users',
    severity: 'critical',
    description: 'Act as any user the rule allows, with their permissions.',
    mitre: ['T1078'],
    requires: [[core('users', ['impersonate'], undefined, true)]],
  },
  {
    id: 'RBAC-IMPERSONATE-GROUPS',
    kind: 'permission',
    title: 'Impersonate groups',
    severity: 'critical',
    description: 'Claim membership of any group the rule allows, system:masters included.',
    mitre: ['T1078'],
    requires: [[core('groups', ['impersonate'], undefined, true)]],
  },
  {
    id: 'RBAC-IMPERSONATE-SERVICEACCOUNTS',
    kind: 'permission',
    title: 'Impersonate service accounts',
    severity: 'high',
    description: 'Act as the service accounts the rule allows, with their permissions.',
    mitre: ['T1078'],
    requires: [[core('serviceaccounts', ['impersonate'])]],
  },
  {
    id: 'RBAC-IMPERSONATE-UIDS',
    kind: 'permission',
    title: 'Impersonate user IDs',
    severity: 'high',
    description: 'Set the UID of an impersonated identity, which authorizers and webhooks may trust.',
    mitre: ['T1078'],
    requires: [[{ verbs: ['impersonate'], group: 'authentication.k8s.io', resource: 'uids', clusterScoped: true }]],
  },
  {
    id: 'RBAC-IMPERSONATE-EXTRAS',
    kind: 'permission',
    title: 'Impersonate user extras',
    severity: 'medium',
    description: 'Set extra attributes (scopes, …) of an impersonated identity, which authorizers and webhooks may trust.',
    mitre: ['T1078'],
    requires: [[{ verbs: ['impersonate'], group: 'authentication.k8s.io', resource: 'userextras', anySubresource: true, clusterScoped: true }]],
  },
  {
    id: 'RBAC-SERVICEACCOUNT-TOKEN',
    kind: 'permission',
    title: 'Create service account tokens',
    severity: 'high',
    description: 'The TokenRequest API (serviceaccounts/token) mints a token for any service account in scope.',
    mitre: ['T1528'],
    requires: [[core('serviceaccounts', ['create'], 'token')]],
  },
  {
    id: 'RBAC-CSR-APPROVE',
    kind: 'permission',
    title: 'Approve certificate signing requests',
    severity: 'critical',
    description: 'Approving a CSR for a signer such as kubernetes.io/kube-apiserver-client issues a client certificate for any user and group, system:masters included.',
    mitre: ['T1649'],
    requires: [
      [{ verbs: ['update', 'patch'], group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', clusterScoped: true }],
      [{ verbs: ['approve'], group: 'certificates.k8s.io', resource: 'signers', clusterScoped: true }],
    ],
  },
  {
    id: 'RBAC-CSR-SIGN',
    kind: 'permission',
    title: 'Sign certificate signing requests',
    severity: 'critical',
    description: 'Writing the certificate of a CSR for a signer the cluster trusts issues credentials directly.',
    mitre: ['T1649'],
    requires: [
      [{ verbs: ['update', 'patch'], group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'status', clusterScoped: true }],
      [{ verbs: ['sign'], group: 'certificates.k8s.io', resource: 'signers', clusterScoped: true }],
    ],
  },
  {
    id: 'RBAC-CSR-CREATE',
    kind: 'permission',
    title: 'Create certificate signing requests',
    severity: 'low',
    description: 'Harmless alone; with approval by an auto-approver or an over-privileged subject it becomes a credential.',
    mitre: ['T1649'],
    requires: [[{ verbs: ['create'], group: 'certificates.k8s.io', resource: 'certificatesigningrequests', clusterScoped: true }]],
  },
  {
    id: 'RBAC-MUTATING-WEBHOOKS',
    kind: 'permission',
    title: 'Change mutating admission webhooks',
    severity: 'critical',
    description: 'A mutating webhook sees and rewrites every object it selects, Secrets and pods included, before they are stored.',
    mitre: ['T1562'],
    requires: [[{ verbs: MODIFY, group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', clusterScoped: true }]],
  },
  {
    id: 'RBAC-VALIDATING-ADMISSION',
    kind: 'permission',
    title: 'Change validating admission webhooks or policies',
    severity: 'high',
    description: 'Removing or loosening validating webhooks and ValidatingAdmissionPolicies switches off the guard rails they enforce.',
    mitre: ['T1562'],
    requires: [
      [
        { verbs: MODIFY, group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', clusterScoped: true },
        { verbs: MODIFY, group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies', clusterScoped: true },
        { verbs: MODIFY, group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicybindings', clusterScoped: true },
      ],
    ],
  },
  {
    id: 'RBAC-PERSISTENTVOLUMES-CREATE',
    kind: 'permission',
    title: 'Create PersistentVolumes',
    severity: 'high',
    description: 'A PersistentVolume may be a hostPath: any pod that claims it mounts the node’s file system.',
    mitre: ['T1611'],
    requires: [[core('persistentvolumes', ['create', 'update', 'patch'], undefined, true)]],
  },
  {
    id: 'RBAC-NODES-STATUS',
    kind: 'permission',
    title: 'Write node status',
    severity: 'medium',
    description: 'Node status feeds scheduling and endpoints: a forged status attracts pods or traffic.',
    mitre: ['T1565'],
    requires: [[core('nodes', ['update', 'patch'], 'status', true)]],
  },
  {
    id: 'RBAC-PODS-STATUS',
    kind: 'permission',
    title: 'Write pod status',
    severity: 'medium',
    description: 'Pod status (IPs, readiness) feeds endpoints: a forged status redirects Service traffic.',
    mitre: ['T1565'],
    requires: [[core('pods', ['update', 'patch'], 'status')]],
  },
  {
    id: 'RBAC-SERVICES-STATUS',
    kind: 'permission',
    title: 'Write service status (CVE-2020-8554)',
    severity: 'high',
    description: 'Setting status.loadBalancer.ingress of a Service makes kube-proxy route that IP, anywhere in the cluster, to the Service: traffic interception.',
    mitre: ['T1557'],
    requires: [[core('services', ['update', 'patch'], 'status')]],
  },
  {
    id: 'RBAC-EVENTS-DELETE',
    kind: 'permission',
    title: 'Delete events',
    severity: 'low',
    description: 'Deleting events erases the record of what happened: anti-forensics.',
    mitre: ['T1070'],
    requires: [[core('events', ['delete', 'deletecollection']), { verbs: ['delete', 'deletecollection'], group: 'events.k8s.io', resource: 'events' }]],
  },
  {
    id: 'RBAC-WILDCARD-RESOURCES',
    kind: 'rule',
    title: 'Wildcard resources',
    severity: 'high',
    description: 'resources ["*"] grants every resource of the groups, including ones added later and every subresource (exec, proxy, token).',
    mitre: [],
    matches: (rule) => rule.resources.includes('*'),
  },
  {
    id: 'RBAC-WILDCARD-VERBS',
    kind: 'rule',
    title: 'Wildcard verbs',
    severity: 'medium',
    description: 'verbs ["*"] grants every verb, escalate, bind and impersonate included, on the resources named.',
    mitre: [],
    matches: (rule) => rule.verbs.includes('*') && rule.resources.length + rule.nonResourceURLs.length > 0,
  },
  {
    id: 'RBAC-WILDCARD-URLS',
    kind: 'rule',
    title: 'Wildcard non-resource URLs',
    severity: 'medium',
    description: 'nonResourceURLs ["*"] opens every non-resource endpoint of the API server, debugging and metrics endpoints included.',
    mitre: [],
    matches: (rule) => rule.nonResourceURLs.includes('*'),
  },
  {
    id: 'RBAC-BINDING-CLUSTER-ADMIN',
    kind: 'binding',
    title: 'Bound to cluster-admin',
    severity: 'critical',
    description: 'cluster-admin is every permission on every resource; bound with a ClusterRoleBinding, in every namespace.',
    mitre: ['T1078'],
    matches: (binding) => binding.roleRef.kind === 'ClusterRole' && binding.roleRef.name === 'cluster-admin',
  },
  {
    id: 'RBAC-BINDING-SYSTEM-MASTERS',
    kind: 'binding',
    title: 'Binding names system:masters',
    severity: 'high',
    description: 'system:masters bypasses RBAC entirely; a binding naming it suggests credentials with that group are expected to exist.',
    mitre: ['T1078'],
    matches: (_binding, subject) => subject.kind === 'Group' && subject.name === 'system:masters',
  },
  {
    id: 'RBAC-BINDING-ANONYMOUS',
    kind: 'binding',
    title: 'Binding for anonymous or unauthenticated requests',
    severity: 'critical',
    description: 'Anything granted to system:anonymous or system:unauthenticated is granted to everyone who can reach the API server.',
    mitre: ['T1078'],
    matches: (_binding, subject) => (subject.kind === 'User' && subject.name === 'system:anonymous') || (subject.kind === 'Group' && subject.name === 'system:unauthenticated'),
  },
];

/** Subjects that stand for everyone authenticated, every service account, or everyone at all. */
export function isBroadSubject(subject: Subject): boolean {
  if (subject.kind !== 'Group') return subject.kind === 'User' && subject.name === 'system:anonymous';
  return BROAD_GROUPS.has(subject.name) || subject.name.startsWith('system:serviceaccounts:');
}
