/**
 * Escalation paths: how far a stolen identity or a compromised workload can
 * go. The input becomes a graph whose vertices are states an attacker can be
 * in (an identity, "can run pods in namespace N", root on a node, …) and whose
 * edges are single steps, each carrying the witnesses (rule, binding, object)
 * that make it possible. Shortest paths come from one breadth-first search
 * backwards from each target, so every start gets its shortest path in
 * O(vertices + edges) whatever the number of starts.
 *
 * Hubs ("any service account in N", "every pod on the node") keep the graph
 * linear in the input: a subject that can create pods in N gets one edge to
 * the hub of N, not one per service account there.
 */
import { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView, type PodView } from '../model/podView.js';
import { isJsonObject, locate, type FieldPath, type KubeObject } from '../model/types.js';
import { serviceAccountUsername } from './identity.js';
import {
  ALL_AUTHENTICATED,
  ALL_SERVICE_ACCOUNTS,
  describeBinding,
  describeRole,
  formatRule,
  SYSTEM_MASTERS,
  type BindingEntry,
  type RoleEntry,
  type SourcedRule,
  type Subject,
} from './model.js';
import type { RbacPolicy } from './policy.js';
import type { Probe } from './riskCatalogue.js';
import { ruleGrantsProbe } from './risks.js';

export type PathTarget = 'cluster-admin' | 'secrets' | 'nodes';
export const PATH_TARGETS: readonly PathTarget[] = ['cluster-admin', 'secrets', 'nodes'];

/** A fact behind a step, resolved to file:line only when the step is shown. */
export interface Witness {
  readonly what: string;
  readonly object: KubeObject | undefined;
  readonly path: FieldPath;
}

export type EdgeKind =
  | 'member-of'
  | 'acts-as-service-account'
  | 'create-pods'
  | 'run-as-service-account'
  | 'run-like-workload'
  | 'privileged-namespace'
  | 'exec-into-pods'
  | 'exec-into-pod'
  | 'token-request'
  | 'token-secret'
  | 'read-secrets'
  | 'impersonate'
  | 'bind'
  | 'escalate'
  | 'namespace-admin'
  | 'host-access'
  | 'host-pid'
  | 'node-pods'
  | 'pod-on-node'
  | 'kubelet-credentials'
  | 'nodes-proxy'
  | 'csr-approve'
  | 'mutating-webhook'
  | 'wildcard-admin'
  | 'system-masters'
  | 'cluster-admin-powers'
  | 'any-of';

/** Witnesses as data, or computed when the step is shown: most edges are never part of a shown path. */
type WitnessSource = readonly Witness[] | (() => readonly Witness[]);
const NO_WITNESSES: readonly Witness[] = [];

export class Edge {
  constructor(
    readonly from: string,
    readonly to: string,
    /** Index of `from` in the graph's vertex list, for the search. */
    readonly fromIndex: number,
    readonly kind: EdgeKind,
    /** What the step does, in words: "can create pods in namespace shop". */
    readonly text: string,
    private readonly source: WitnessSource,
  ) {}

  get witnesses(): readonly Witness[] {
    return typeof this.source === 'function' ? this.source() : this.source;
  }
}

export interface Vertex {
  readonly id: string;
  readonly index: number;
  readonly label: string;
  /** Vertices an attacker can start from when no --from is given. */
  start: boolean;
}

/** A pod-bearing object as the paths see it. */
export interface WorkloadInfo {
  readonly id: string;
  readonly object: KubeObject;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Where the service account is named (or the pod spec when defaulted). */
  readonly serviceAccountPath: FieldPath;
  /** Undefined when the token is mounted; else the reason it is not. */
  readonly tokenNotMounted: { readonly reason: string; readonly path: FieldPath; readonly object: KubeObject } | undefined;
  /** Settings that reach the node (privileged, hostPath), each with its path. */
  readonly hostAccess: readonly { readonly what: string; readonly path: FieldPath }[];
  readonly hostPID: FieldPath | undefined;
  readonly runsOnEveryNode: boolean;
}

const POD_SECURITY_ENFORCE = 'pod-security.kubernetes.io/enforce';
const SA_TOKEN_SECRET = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

/**
 * Collects what the paths need beyond RBAC while objects stream by: a summary
 * of every pod-bearing object, ServiceAccounts (their automount setting),
 * service-account token Secrets, and namespaces that explicitly allow
 * privileged pods.
 */
export class PathInputBuilder {
  private readonly podTemplates: PodTemplateFinder;
  private readonly workloadObjects: Array<{ object: KubeObject; pod: PodView }> = [];
  private readonly serviceAccounts = new Map<string, KubeObject>();
  private readonly tokenSecrets: Array<{ object: KubeObject; namespace: string; serviceAccount: string }> = [];
  private readonly privilegedNamespaces = new Map<string, KubeObject>();

  constructor(podTemplates: PodTemplateFinder = new PodTemplateFinder()) {
    this.podTemplates = podTemplates;
  }

  add(object: KubeObject): void {
    if (object.apiVersion === 'v1') {
      if (object.kind === 'ServiceAccount') {
        this.serviceAccounts.set(`${object.namespace ?? 'default'}/${object.name}`, object);
        return;
      }
      if (object.kind === 'Secret') {
        this.addSecret(object);
        return;
      }
      if (object.kind === 'Namespace') {
        const labels = isJsonObject(object.raw.metadata) && isJsonObject(object.raw.metadata.labels) ? object.raw.metadata.labels : {};
        if (labels[POD_SECURITY_ENFORCE] === 'privileged') this.privilegedNamespaces.set(object.name, object);
        return;
      }
    }
    const template = this.podTemplates.find(object);
    if (template.kind === 'template') this.workloadObjects.push({ object, pod: buildPodView(template.template) });
  }

  /** Used by the scan hook, which already has the pod view. */
  addWorkload(object: KubeObject, pod: PodView): void {
    this.workloadObjects.push({ object, pod });
  }

  private addSecret(object: KubeObject): void {
    if (object.raw.type !== SA_TOKEN_SECRET) return;
    const metadata = object.raw.metadata;
    const annotations = isJsonObject(metadata) && isJsonObject(metadata.annotations) ? metadata.annotations : {};
    const serviceAccount = annotations[SA_NAME_ANNOTATION];
    if (typeof serviceAccount !== 'string' || serviceAccount === '') return;
    this.tokenSecrets.push({ object, namespace: object.namespace ?? 'default', serviceAccount });
  }

  finish(): PathInput {
    const workloads = this.workloadObjects.map(({ object, pod }) => summariseWorkload(object, pod, this.serviceAccounts));
    return { workloads, serviceAccounts: this.serviceAccounts, tokenSecrets: this.tokenSecrets, privilegedNamespaces: this.privilegedNamespaces };
  }
}

export interface PathInput {
  readonly workloads: readonly WorkloadInfo[];
  readonly serviceAccounts: ReadonlyMap<string, KubeObject>;
  readonly tokenSecrets: readonly { readonly object: KubeObject; readonly namespace: string; readonly serviceAccount: string }[];
  readonly privilegedNamespaces: ReadonlyMap<string, KubeObject>;
}

export function workloadId(kind: string, namespace: string, name: string): string {
  return `Workload:${kind}/${namespace}/${name}`;
}

/**
 * The service account a pod runs as and whether its token is mounted:
 * `spec.serviceAccountName` (or the deprecated `spec.serviceAccount`),
 * `default` when neither is set; the pod's `automountServiceAccountToken`
 * wins over the ServiceAccount's, and an unset value means mounted.
 */
export function summariseWorkload(object: KubeObject, pod: PodView, serviceAccounts: ReadonlyMap<string, KubeObject>): WorkloadInfo {
  const namespace = object.namespace ?? 'default';
  const spec = pod.spec;
  let serviceAccount = 'default';
  let serviceAccountPath: FieldPath = pod.specPath;
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') {
    serviceAccount = spec.serviceAccountName;
    serviceAccountPath = [...pod.specPath, 'serviceAccountName'];
  } else if (typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') {
    serviceAccount = spec.serviceAccount;
    serviceAccountPath = [...pod.specPath, 'serviceAccount'];
  }
  let tokenNotMounted: WorkloadInfo['tokenNotMounted'];
  if (spec.automountServiceAccountToken === false) {
    tokenNotMounted = { reason: 'the pod sets automountServiceAccountToken: false', path: [...pod.specPath, 'automountServiceAccountToken'], object };
  } else if (spec.automountServiceAccountToken !== true) {
    const account = serviceAccounts.get(`${namespace}/${serviceAccount}`);
    if (account !== undefined && account.raw.automountServiceAccountToken === false) {
      tokenNotMounted = { reason: `ServiceAccount ${namespace}/${serviceAccount} sets automountServiceAccountToken: false`, path: ['automountServiceAccountToken'], object: account };
    }
  }
  const hostAccess: { what: string; path: FieldPath }[] = [];
  for (const container of pod.containers) {
    const privileged = container.effective.privileged;
    if (privileged?.value === true) hostAccess.push({ what: `container ${JSON.stringify(container.name)} is privileged`, path: privileged.path });
  }
  for (const volume of pod.volumes) {
    if (volume.sources.includes('hostPath')) {
      const hostPath = (spec.volumes as unknown[])[volume.index];
      const where = isJsonObject(hostPath) && isJsonObject(hostPath.hostPath) && typeof hostPath.hostPath.path === 'string' ? ` ${hostPath.hostPath.path}` : '';
      hostAccess.push({ what: `volume ${JSON.stringify(volume.name)} mounts the host path${where}`, path: [...volume.path, 'hostPath'] });
    }
  }
  const hostPID = pod.hostPID?.value === true ? pod.hostPID.path : undefined;
  return {
    id: workloadId(object.kind, namespace, object.name),
    object,
    namespace,
    serviceAccount,
    serviceAccountPath,
    tokenNotMounted,
    hostAccess,
    hostPID,
    runsOnEveryNode: object.kind === 'DaemonSet',
  };
}

// ---------------------------------------------------------------------------
// What a role lets its holders do, as far as the paths are concerned.

type Capability =
  | 'pods-create'
  | 'exec'
  | 'secrets-list'
  | 'secrets-get'
  | 'sa-token'
  | 'impersonate-users'
  | 'impersonate-groups'
  | 'impersonate-serviceaccounts'
  | 'bind'
  | 'bindings-create'
  | 'clusterbindings-create'
  | 'escalate'
  | 'roles-write'
  | 'clusterroles-write'
  | 'nodes-proxy'
  | 'csr-create'
  | 'csr-approval'
  | 'signers-approve'
  | 'mutating-webhooks'
  | 'wildcard';

const RBAC = 'rbac.authorization.k8s.io';
const WRITE = ['create', 'update', 'patch'];
const core = (resource: string, verbs: readonly string[], subresource?: string, clusterScoped = false): Probe => ({
  verbs,
  group: '',
  resource,
  ...(subresource === undefined ? {} : { subresource }),
  clusterScoped,
});

/** Each capability and the permissions that give it (any probe will do). */
const CAPABILITY_PROBES: ReadonlyArray<readonly [Capability, readonly Probe[]]> = [
  [
    'pods-create',
    [
      core('pods', ['create']),
      core('replicationcontrollers', WRITE),
      { verbs: WRITE, group: 'apps', resource: 'deployments' },
      { verbs: WRITE, group: 'apps', resource: 'daemonsets' },
      { verbs: WRITE, group: 'apps', resource: 'statefulsets' },
      { verbs: WRITE, group: 'apps', resource: 'replicasets' },
      { verbs: WRITE, group: 'batch', resource: 'jobs' },
      { verbs: WRITE, group: 'batch', resource: 'cronjobs' },
    ],
  ],
  ['exec', [core('pods', ['create', 'get'], 'exec'), core('pods', ['create', 'get'], 'attach'), core('pods', ['update', 'patch'], 'ephemeralcontainers')]],
  ['secrets-list', [core('secrets', ['list', 'watch'])]],
  ['secrets-get', [core('secrets', ['get'])]],
  ['sa-token', [core('serviceaccounts', ['create'], 'token')]],
  ['impersonate-users', [core('users', ['impersonate'], undefined, true)]],
  ['impersonate-groups', [core('groups', ['impersonate'], undefined, true)]],
  ['impersonate-serviceaccounts', [core('serviceaccounts', ['impersonate'])]],
  // A RoleBinding may grant bind on clusterroles: the check for a RoleBinding is made in its namespace.
  ['bind', [{ verbs: ['bind'], group: RBAC, resource: 'clusterroles' }, { verbs: ['bind'], group: RBAC, resource: 'roles' }]],
  ['bindings-create', [{ verbs: ['create'], group: RBAC, resource: 'rolebindings' }]],
  ['clusterbindings-create', [{ verbs: ['create'], group: RBAC, resource: 'clusterrolebindings', clusterScoped: true }]],
  ['escalate', [{ verbs: ['escalate'], group: RBAC, resource: 'clusterroles', clusterScoped: true }, { verbs: ['escalate'], group: RBAC, resource: 'roles' }]],
  ['roles-write', [{ verbs: WRITE, group: RBAC, resource: 'roles' }]],
  ['clusterroles-write', [{ verbs: WRITE, group: RBAC, resource: 'clusterroles', clusterScoped: true }]],
  ['nodes-proxy', [core('nodes', ['get', 'create'], 'proxy', true)]],
  ['csr-create', [{ verbs: ['create'], group: 'certificates.k8s.io', resource: 'certificatesigningrequests', clusterScoped: true }]],
  ['csr-approval', [{ verbs: ['update', 'patch'], group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'approval', clusterScoped: true }]],
  ['signers-approve', [{ verbs: ['approve'], group: 'certificates.k8s.io', resource: 'signers', clusterScoped: true }]],
  ['mutating-webhooks', [{ verbs: WRITE, group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', clusterScoped: true }]],
];

interface Held {
  readonly binding: BindingEntry;
  readonly role: RoleEntry;
  readonly rule: SourcedRule;
  /** '' = cluster-wide. */
  readonly scope: string;
  /** Empty: every name. */
  readonly names: readonly string[];
}

type CapabilitySet = Map<Capability, Held[]>;

/** A rule that grants every verb on every resource of every group: cluster-admin's own rule. */
function isWildcardRule(sourced: SourcedRule): boolean {
  const { rule } = sourced;
  return rule.verbs.includes('*') && rule.resources.includes('*') && rule.apiGroups.includes('*') && rule.resourceNames.length === 0;
}

function roleCapabilities(role: RoleEntry, clusterScope: boolean): Array<[Capability, SourcedRule]> {
  const out: Array<[Capability, SourcedRule]> = [];
  for (const sourced of role.rules) {
    if (isWildcardRule(sourced)) out.push(['wildcard', sourced]);
    for (const [capability, probes] of CAPABILITY_PROBES) {
      if (probes.some((probe) => (clusterScope || probe.clusterScoped !== true) && ruleGrantsProbe(sourced.rule, probe))) out.push([capability, sourced]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// The graph.

export interface PathGraph {
  readonly vertices: ReadonlyMap<string, Vertex>;
  /** Edges into each vertex, by vertex index, for the backward search. */
  readonly incoming: readonly (readonly Edge[])[];
  readonly edgeCount: number;
}

export interface PathGraphOptions {
  /** Treat subjects of the bootstrap policy's bindings as starts too. */
  readonly includeDefaultSubjects?: boolean;
  /** Identity vertices (from `parseSubjectSpec`) to add even when no binding names them: they still belong to the implicit groups. */
  readonly identities?: readonly string[];
}

export function targetId(target: PathTarget): string {
  return `target:${target}`;
}

export function subjectVertexId(kind: Subject['kind'], name: string, namespace?: string): string {
  return kind === 'ServiceAccount' ? `ServiceAccount:${namespace ?? ''}/${name}` : `${kind}:${name}`;
}

const KUBELET_GROUP = 'system:nodes';

export function buildPathGraph(policy: RbacPolicy, input: PathInput, options: PathGraphOptions = {}): PathGraph {
  const vertices = new Map<string, Vertex>();
  const incoming: Edge[][] = [];
  let edgeCount = 0;
  const vertex = (id: string, label: string | (() => string), start = false): string => {
    const existing = vertices.get(id);
    if (existing === undefined) {
      vertices.set(id, { id, index: incoming.length, label: typeof label === 'function' ? label() : label, start });
      incoming.push([]);
    } else if (start) {
      existing.start = true;
    }
    return id;
  };
  const edge = (from: string, to: string, kind: EdgeKind, text: string, witnesses: WitnessSource): void => {
    const source = vertices.get(from)!;
    incoming[vertices.get(to)!.index]!.push(new Edge(from, to, source.index, kind, text, witnesses));
    edgeCount++;
  };

  const clusterAdmin = vertex(targetId('cluster-admin'), 'cluster-admin (every permission on every resource)');
  const secrets = vertex(targetId('secrets'), 'every Secret in the cluster');
  const nodes = vertex(targetId('nodes'), 'root on a node (node compromise)');
  const nodePods = vertex('hub:node-pods', 'every pod on a compromised node');
  const anyUser = vertex('hub:any-user', 'any user name');
  const allSas = vertex('hub:all-sas', 'any service account in any namespace');

  // Namespaces and the service accounts known in each.
  const namespaces = new Set<string>(policy.namespaces);
  const sasByNamespace = new Map<string, Map<string, Witness>>();
  const knowServiceAccount = (namespace: string, name: string, witness: Witness): void => {
    namespaces.add(namespace);
    let map = sasByNamespace.get(namespace);
    if (map === undefined) sasByNamespace.set(namespace, (map = new Map()));
    if (!map.has(name) || (map.get(name)?.object === undefined && witness.object !== undefined)) map.set(name, witness);
  };
  for (const [key, object] of input.serviceAccounts) {
    const slash = key.indexOf('/');
    knowServiceAccount(key.slice(0, slash), key.slice(slash + 1), { what: `ServiceAccount ${key}`, object, path: [] });
  }
  for (const workload of input.workloads) {
    knowServiceAccount(workload.namespace, workload.serviceAccount, { what: `${workload.object.kind} ${workload.namespace}/${workload.object.name} runs as it`, object: workload.object, path: workload.serviceAccountPath });
  }
  for (const secret of input.tokenSecrets) knowServiceAccount(secret.namespace, secret.serviceAccount, { what: `token Secret ${secret.namespace}/${secret.object.name}`, object: secret.object, path: [] });
  const subjectBindings = new Map<string, Array<{ binding: BindingEntry; subject: Subject }>>();
  const allBindings: Array<[BindingEntry, string]> = policy.clusterRoleBindings.map((binding) => [binding, '']);
  for (const [namespace, list] of policy.roleBindingsByNamespace) for (const binding of list) allBindings.push([binding, namespace]);
  for (const [binding] of allBindings) {
    for (const subject of binding.subjects) {
      const id = subjectVertexId(subject.kind, subject.name, subject.namespace);
      const list = subjectBindings.get(id);
      if (list === undefined) subjectBindings.set(id, [{ binding, subject }]);
      else list.push({ binding, subject });
      if (subject.kind === 'ServiceAccount' && subject.namespace !== undefined) {
        knowServiceAccount(subject.namespace, subject.name, { what: `${describeBinding(binding)} names it`, object: binding.object, path: ['subjects', subject.index] });
      }
    }
  }
  for (const namespace of namespaces) knowServiceAccount(namespace, 'default', { what: `every namespace has a ServiceAccount named default`, object: undefined, path: [] });

  const saVertex = (namespace: string, name: string, start = false): string => vertex(subjectVertexId('ServiceAccount', name, namespace), () => `ServiceAccount ${namespace}/${name}`, start);
  const userVertex = (name: string, start = false): string => vertex(subjectVertexId('User', name), () => `User ${name}`, start);
  const groupVertex = (name: string, start = false): string => vertex(subjectVertexId('Group', name), () => `Group ${name} (any member)`, start);

  // Namespace hubs.
  const HUB_LABELS = {
    pods: 'can run pods in namespace ',
    sas: 'can act as any service account in namespace ',
    exec: 'can run commands in any pod of namespace ',
    admin: 'every namespaced permission in namespace ',
    'token-secrets': 'can read the service-account token Secrets of namespace ',
  } as const;
  const hub = (kind: keyof typeof HUB_LABELS, namespace: string): string => vertex(`hub:${kind}:${namespace}`, () => `${HUB_LABELS[kind]}${namespace}`);
  // Cluster-wide grants lead to one hub each, which leads to every namespace's hub.
  const allPods = vertex('hub:all-pods', 'can run pods in every namespace');
  const allExec = vertex('hub:all-exec', 'can run commands in any pod of every namespace');
  const allTokenSecrets = vertex('hub:all-token-secrets', 'can read the service-account token Secrets of every namespace');
  for (const namespace of namespaces) {
    const pods = hub('pods', namespace);
    const sas = hub('sas', namespace);
    const exec = hub('exec', namespace);
    const admin = hub('admin', namespace);
    edge(pods, sas, 'run-as-service-account', `create a pod in ${namespace} that runs as any service account there (spec.serviceAccountName)`, NO_WITNESSES);
    edge(admin, pods, 'namespace-admin', `every namespaced permission includes creating pods in ${namespace}`, NO_WITNESSES);
    edge(admin, exec, 'namespace-admin', `every namespaced permission includes pods/exec in ${namespace}`, NO_WITNESSES);
    edge(admin, sas, 'namespace-admin', `every namespaced permission includes serviceaccounts/token in ${namespace}`, NO_WITNESSES);
    edge(allSas, sas, 'any-of', `any namespace, including ${namespace}`, NO_WITNESSES);
    edge(allPods, pods, 'any-of', `any namespace, including ${namespace}`, NO_WITNESSES);
    edge(allExec, exec, 'any-of', `any namespace, including ${namespace}`, NO_WITNESSES);
    for (const [name, witness] of sasByNamespace.get(namespace) ?? []) {
      edge(sas, saVertex(namespace, name), 'run-as-service-account', `act as ServiceAccount ${namespace}/${name}`, [witness]);
    }
    const privileged = input.privilegedNamespaces.get(namespace);
    if (privileged !== undefined) {
      edge(pods, nodes, 'privileged-namespace', `namespace ${namespace} enforces the privileged Pod Security level, so a privileged pod with hostPID and a hostPath of / is admitted there`, [
        { what: `Namespace ${namespace} label ${POD_SECURITY_ENFORCE}=privileged`, object: privileged, path: ['metadata', 'labels', POD_SECURITY_ENFORCE] },
      ]);
    }
  }
  const tokenNamespaces = new Set(input.tokenSecrets.map((secret) => secret.namespace));
  for (const namespace of tokenNamespaces) edge(allTokenSecrets, hub('token-secrets', namespace), 'any-of', `any namespace, including ${namespace}`, NO_WITNESSES);
  for (const secret of input.tokenSecrets) {
    edge(hub('token-secrets', secret.namespace), saVertex(secret.namespace, secret.serviceAccount), 'token-secret', `read the token of ServiceAccount ${secret.namespace}/${secret.serviceAccount} from Secret ${secret.object.name}`, [
      { what: `Secret ${secret.namespace}/${secret.object.name} of type ${SA_TOKEN_SECRET}`, object: secret.object, path: ['type'] },
    ]);
  }

  // Workloads: what compromising one gives.
  for (const workload of input.workloads) {
    const { object, namespace } = workload;
    const label = `${object.kind} ${namespace}/${object.name}`;
    const id = vertex(workload.id, `compromised ${label}`, true);
    const at = (what: string, path: FieldPath): Witness => ({ what, object, path });
    const itself = (): readonly Witness[] => [at(label, [])];
    if (workload.tokenNotMounted === undefined) {
      edge(id, saVertex(namespace, workload.serviceAccount), 'acts-as-service-account', `use the token mounted in ${label} as ServiceAccount ${namespace}/${workload.serviceAccount}`, () => [
        at(`${label} runs as ServiceAccount ${workload.serviceAccount} with its token mounted`, workload.serviceAccountPath),
      ]);
    }
    if (workload.hostAccess.length > 0) {
      edge(id, nodes, 'host-access', `break out of ${label} onto its node`, workload.hostAccess.map((access) => at(access.what, access.path)));
    } else if (workload.hostPID !== undefined) {
      edge(id, nodePods, 'host-pid', `with hostPID, read the environment and /proc/<pid>/root of the other pods' processes on its node (service-account tokens)`, [at(`${label} sets hostPID: true`, workload.hostPID)]);
    }
    const where = workload.runsOnEveryNode ? 'a DaemonSet runs a pod on every node' : 'its pod may be scheduled on the compromised node';
    edge(nodePods, id, 'pod-on-node', `take over the pod of ${label} (${where})`, itself);
    edge(hub('pods', namespace), id, 'run-like-workload', `run a pod like ${label}, whose spec admission evidently accepts in ${namespace}`, itself);
    edge(hub('exec', namespace), id, 'exec-into-pod', `run commands in the pod of ${label}`, itself);
  }

  // The node and the kubelet's credentials.
  edge(nodes, nodePods, 'node-pods', 'root on the node reads every pod and mounted token on it', NO_WITNESSES);
  const kubelet = groupVertex(KUBELET_GROUP);
  edge(nodes, kubelet, 'kubelet-credentials', `use the kubelet's client certificate (group ${KUBELET_GROUP}; the Node authorizer, not modelled here, narrows it further)`, []);
  edge(clusterAdmin, secrets, 'cluster-admin-powers', 'cluster-admin reads every Secret', NO_WITNESSES);
  edge(clusterAdmin, nodes, 'cluster-admin-powers', 'cluster-admin can run a privileged pod on any node', NO_WITNESSES);
  edge(groupVertex(SYSTEM_MASTERS), clusterAdmin, 'system-masters', `${SYSTEM_MASTERS} is allowed every request before RBAC is consulted`, NO_WITNESSES);
  edge(anyUser, allSas, 'any-of', 'a service account is the user system:serviceaccount:<namespace>:<name>', NO_WITNESSES);

  // Identities: each subject's own bindings; implicit groups by membership.
  const startSubjects = new Set<string>();
  for (const [binding] of allBindings) {
    if (binding.isDefault && options.includeDefaultSubjects !== true) continue;
    for (const subject of binding.subjects) startSubjects.add(subjectVertexId(subject.kind, subject.name, subject.namespace));
  }
  const identityIds = new Set<string>([...subjectBindings.keys()]);
  for (const [namespace, map] of sasByNamespace) for (const name of map.keys()) identityIds.add(subjectVertexId('ServiceAccount', name, namespace));
  identityIds.add(subjectVertexId('Group', KUBELET_GROUP));
  for (const id of options.identities ?? []) {
    identityIds.add(id);
    startSubjects.add(id);
  }
  identityIds.add(subjectVertexId('Group', SYSTEM_MASTERS));

  const capabilityCache = new Map<string, Array<[Capability, SourcedRule]>>();
  const capabilitiesOf = (id: string): CapabilitySet => {
    const set: CapabilitySet = new Map();
    for (const { binding } of subjectBindings.get(id) ?? []) {
      const role = policy.roleFor(binding);
      if (role === undefined) continue;
      const scope = binding.kind === 'ClusterRoleBinding' ? '' : (binding.namespace ?? '');
      const key = `${scope === '' ? 'c' : 'n'}|${role.kind}/${role.namespace ?? ''}/${role.name}`;
      let caps = capabilityCache.get(key);
      if (caps === undefined) capabilityCache.set(key, (caps = roleCapabilities(role, scope === '')));
      for (const [capability, rule] of caps) {
        const list = set.get(capability);
        const held: Held = { binding, role, rule, scope, names: rule.rule.resourceNames };
        if (list === undefined) set.set(capability, [held]);
        else list.push(held);
      }
    }
    return set;
  };

  for (const id of identityIds) {
    const colon = id.indexOf(':');
    const kind = id.slice(0, colon) as Subject['kind'];
    const rest = id.slice(colon + 1);
    let from: string;
    if (kind === 'ServiceAccount') {
      const slash = rest.indexOf('/');
      const namespace = rest.slice(0, slash);
      const name = rest.slice(slash + 1);
      from = saVertex(namespace, name, startSubjects.has(id));
      for (const group of [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`, ALL_AUTHENTICATED]) {
        if (subjectBindings.has(subjectVertexId('Group', group))) edge(from, groupVertex(group), 'member-of', `${serviceAccountUsername(namespace, name)} is in group ${group}`, NO_WITNESSES);
      }
    } else if (kind === 'User') {
      from = userVertex(rest, startSubjects.has(id));
      edge(anyUser, from, 'any-of', `act as user ${rest}`, NO_WITNESSES);
      if (subjectBindings.has(subjectVertexId('Group', ALL_AUTHENTICATED))) edge(from, groupVertex(ALL_AUTHENTICATED), 'member-of', `user ${rest} is authenticated`, NO_WITNESSES);
    } else {
      from = groupVertex(rest, startSubjects.has(id));
      if (rest !== ALL_AUTHENTICATED && rest !== 'system:unauthenticated' && subjectBindings.has(subjectVertexId('Group', ALL_AUTHENTICATED))) {
        edge(from, groupVertex(ALL_AUTHENTICATED), 'member-of', `a member of ${rest} is authenticated`, NO_WITNESSES);
      }
    }
    addCapabilityEdges(from, capabilitiesOf(id));
  }

  function addCapabilityEdges(from: string, caps: CapabilitySet): void {
    const witnessesFor = (held: readonly Held[]): (() => Witness[]) => () => held.slice(0, 3).flatMap(grantWitnesses);
    const byScope = (capability: Capability): Map<string, Held[]> => {
      const out = new Map<string, Held[]>();
      for (const held of caps.get(capability) ?? []) {
        const list = out.get(held.scope);
        if (list === undefined) out.set(held.scope, [held]);
        else list.push(held);
      }
      return out;
    };
    const unrestricted = (held: readonly Held[]): Held[] => held.filter((entry) => entry.names.length === 0);
    const eachNamespace = (scope: string): Iterable<string> => (scope === '' ? namespaces : [scope]);

    const wildcard = byScope('wildcard');
    for (const [scope, held] of wildcard) {
      if (scope === '') edge(from, clusterAdmin, 'wildcard-admin', 'holds * on * in every API group cluster-wide', witnessesFor(held));
      else edge(from, hub('admin', scope), 'wildcard-admin', `holds * on * in namespace ${scope}`, witnessesFor(held));
    }
    for (const [scope, held] of byScope('pods-create')) {
      const usable = unrestricted(held);
      if (usable.length === 0) continue;
      if (scope === '') edge(from, allPods, 'create-pods', 'can create pods (or a pod controller) in every namespace', witnessesFor(usable));
      else edge(from, hub('pods', scope), 'create-pods', `can create pods (or a pod controller) in namespace ${scope}`, witnessesFor(usable));
    }
    for (const [scope, held] of byScope('exec')) {
      if (held.some((entry) => entry.names.length === 0)) {
        if (scope === '') edge(from, allExec, 'exec-into-pods', 'can exec, attach or add ephemeral containers to pods in every namespace', witnessesFor(unrestricted(held)));
        else edge(from, hub('exec', scope), 'exec-into-pods', `can exec, attach or add ephemeral containers to pods in namespace ${scope}`, witnessesFor(unrestricted(held)));
        continue;
      }
      const names = new Set(held.flatMap((entry) => entry.names));
      for (const workload of input.workloads) {
        if ((scope === '' || workload.namespace === scope) && workload.object.kind === 'Pod' && names.has(workload.object.name)) {
          edge(from, workload.id, 'exec-into-pod', `can exec into pod ${workload.namespace}/${workload.object.name}`, witnessesFor(held));
        }
      }
    }
    const secretsList = byScope('secrets-list');
    const secretsGet = byScope('secrets-get');
    for (const [scope, held] of [...secretsList, ...secretsGet]) {
      const usable = unrestricted(held);
      if (usable.length === 0) {
        for (const secret of input.tokenSecrets) {
          if ((scope === '' || secret.namespace === scope) && held.some((entry) => entry.names.includes(secret.object.name))) {
            edge(from, saVertex(secret.namespace, secret.serviceAccount), 'token-secret', `can read Secret ${secret.namespace}/${secret.object.name}, the token of ServiceAccount ${secret.serviceAccount}`, () => [
              ...witnessesFor(held)(),
              { what: `Secret ${secret.namespace}/${secret.object.name} of type ${SA_TOKEN_SECRET}`, object: secret.object, path: ['type'] },
            ]);
          }
        }
        continue;
      }
      if (scope === '') {
        edge(from, secrets, 'read-secrets', 'can read Secrets in every namespace', witnessesFor(usable));
        if (tokenNamespaces.size > 0) edge(from, allTokenSecrets, 'read-secrets', 'can read Secrets in every namespace', witnessesFor(usable));
      } else if (tokenNamespaces.has(scope)) {
        edge(from, hub('token-secrets', scope), 'read-secrets', `can read Secrets in namespace ${scope}`, witnessesFor(usable));
      }
    }
    for (const [scope, held] of byScope('sa-token')) {
      const usable = unrestricted(held);
      if (usable.length > 0) {
        if (scope === '') edge(from, allSas, 'token-request', 'can request a token for any service account (serviceaccounts/token create, cluster-wide)', witnessesFor(usable));
        else edge(from, hub('sas', scope), 'token-request', `can request a token for any service account in namespace ${scope}`, witnessesFor(usable));
        continue;
      }
      for (const namespace of eachNamespace(scope)) {
        for (const name of new Set(held.flatMap((entry) => entry.names))) {
          if (sasByNamespace.get(namespace)?.has(name) === true || scope !== '') {
            edge(from, saVertex(namespace, name), 'token-request', `can request a token for ServiceAccount ${namespace}/${name}`, witnessesFor(held));
          }
        }
      }
    }
    for (const [scope, held] of byScope('impersonate-users')) {
      if (scope !== '') continue;
      const usable = unrestricted(held);
      if (usable.length > 0) edge(from, anyUser, 'impersonate', 'can impersonate any user', witnessesFor(usable));
      else for (const name of new Set(held.flatMap((entry) => entry.names))) edge(from, userVertex(name), 'impersonate', `can impersonate user ${name}`, witnessesFor(held));
    }
    // Impersonating groups needs a user to impersonate as well (Impersonate-User is required).
    const impersonatesSomeone = (caps.get('impersonate-users')?.length ?? 0) > 0 || (caps.get('impersonate-serviceaccounts')?.length ?? 0) > 0;
    for (const [scope, held] of byScope('impersonate-groups')) {
      if (scope !== '' || !impersonatesSomeone) continue;
      const usable = unrestricted(held);
      if (usable.length > 0) edge(from, groupVertex(SYSTEM_MASTERS), 'impersonate', `can impersonate any group, ${SYSTEM_MASTERS} included`, witnessesFor(usable));
      else for (const name of new Set(held.flatMap((entry) => entry.names))) edge(from, groupVertex(name), 'impersonate', `can impersonate group ${name}`, witnessesFor(held));
    }
    for (const [scope, held] of byScope('impersonate-serviceaccounts')) {
      const usable = unrestricted(held);
      if (usable.length > 0) {
        if (scope === '') edge(from, allSas, 'impersonate', 'can impersonate any service account', witnessesFor(usable));
        else edge(from, hub('sas', scope), 'impersonate', `can impersonate any service account in namespace ${scope}`, witnessesFor(usable));
        continue;
      }
      for (const namespace of eachNamespace(scope)) {
        for (const name of new Set(held.flatMap((entry) => entry.names))) {
          if (sasByNamespace.get(namespace)?.has(name) === true || scope !== '') edge(from, saVertex(namespace, name), 'impersonate', `can impersonate ServiceAccount ${namespace}/${name}`, witnessesFor(held));
        }
      }
    }
    // bind: create a binding to cluster-admin (needs bind on it and create on the binding kind).
    const bindHeld = byScope('bind');
    const canBindClusterAdmin = (held: readonly Held[] | undefined): Held[] =>
      (held ?? []).filter((entry) => entry.names.length === 0 || entry.names.includes('cluster-admin') || entry.names.includes('admin'));
    const clusterBind = canBindClusterAdmin(bindHeld.get(''));
    const clusterBindingCreate = unrestricted(byScope('clusterbindings-create').get('') ?? []);
    if (clusterBind.length > 0 && clusterBindingCreate.length > 0 && clusterBind.some((entry) => entry.names.length === 0 || entry.names.includes('cluster-admin'))) {
      edge(from, clusterAdmin, 'bind', 'can bind ClusterRoles it does not hold and create ClusterRoleBindings: binds itself to cluster-admin', witnessesFor([...clusterBind, ...clusterBindingCreate]));
    }
    const bindingCreate = byScope('bindings-create');
    for (const [scope, held] of bindingCreate) {
      const create = unrestricted(held);
      if (create.length === 0) continue;
      for (const namespace of eachNamespace(scope)) {
        const bind = canBindClusterAdmin([...(bindHeld.get(namespace) ?? []), ...(bindHeld.get('') ?? [])]);
        if (bind.length === 0) continue;
        edge(from, hub('admin', namespace), 'bind', `can bind roles it does not hold and create RoleBindings in ${namespace}: binds itself to admin there`, witnessesFor([...bind, ...create]));
      }
    }
    // escalate: rewrite a role it holds with permissions it does not have.
    const escalateHeld = byScope('escalate');
    const clusterEscalate = escalateHeld.get('') ?? [];
    const clusterRolesWrite = byScope('clusterroles-write').get('') ?? [];
    if (clusterEscalate.length > 0 && clusterRolesWrite.length > 0) {
      edge(from, clusterAdmin, 'escalate', 'can escalate and update ClusterRoles: rewrites a ClusterRole it is bound to as * on *', witnessesFor([...clusterEscalate, ...clusterRolesWrite]));
    }
    for (const [scope, held] of byScope('roles-write')) {
      for (const namespace of eachNamespace(scope)) {
        const escalate = [...(escalateHeld.get(namespace) ?? []), ...clusterEscalate];
        if (escalate.length === 0 || scope === '') continue;
        edge(from, hub('admin', namespace), 'escalate', `can escalate and update Roles in ${namespace}: rewrites a Role it holds there as * on *`, witnessesFor([...escalate, ...held]));
      }
    }
    const nodesProxy = byScope('nodes-proxy').get('') ?? [];
    if (nodesProxy.length > 0) edge(from, nodePods, 'nodes-proxy', 'can use nodes/proxy: the kubelet API runs commands in every pod of every node', witnessesFor(nodesProxy));
    const csrCreate = byScope('csr-create').get('') ?? [];
    const csrApproval = byScope('csr-approval').get('') ?? [];
    const signers = byScope('signers-approve').get('') ?? [];
    if (csrCreate.length > 0 && csrApproval.length > 0 && signers.length > 0) {
      const witnesses = witnessesFor([...csrCreate, ...csrApproval, ...signers]);
      edge(from, anyUser, 'csr-approve', 'can create and approve a CertificateSigningRequest: a client certificate for any user name', witnesses);
      edge(from, kubelet, 'csr-approve', `can create and approve a CertificateSigningRequest: a kubelet client certificate (group ${KUBELET_GROUP})`, witnesses);
    }
    const webhooks = byScope('mutating-webhooks').get('') ?? [];
    if (webhooks.length > 0) {
      edge(from, nodes, 'mutating-webhook', 'can register a mutating webhook that rewrites pods the controllers create (privileged, hostPath) and sees every object written', witnessesFor(webhooks));
    }
  }

  return { vertices, incoming, edgeCount };
}

function grantWitnesses(held: Held): Witness[] {
  const { binding, role, rule } = held;
  const origin = rule.definedIn === role ? `${describeRole(role)} rule ${rule.index}` : `${describeRole(role)} (aggregating ${describeRole(rule.definedIn)}) rule ${rule.index}`;
  return [
    { what: describeBinding(binding), object: binding.object, path: [] },
    { what: `${origin}: ${formatRule(rule.rule)}`, object: rule.definedIn.object, path: ['rules', rule.index] },
  ];
}

// ---------------------------------------------------------------------------
// Search.

export interface EscalationPath {
  readonly start: Vertex;
  readonly target: PathTarget;
  readonly steps: readonly Edge[];
}

export interface PathSearchResult {
  readonly target: PathTarget;
  /** Every start that reaches the target, by path length then name (at most `limit`). */
  readonly paths: readonly EscalationPath[];
  /** How many starts reach the target in all. */
  readonly total: number;
}

/** Backward breadth-first search from the target: for every vertex, the first step of one shortest path. */
export interface ShortestSteps {
  /** Steps to the target from each vertex index; -1 when it cannot reach it. */
  readonly distance: Int32Array;
  /** The first step of one shortest path, by vertex index. */
  readonly next: (Edge | undefined)[];
}

export function shortestSteps(graph: PathGraph, target: PathTarget): ShortestSteps {
  const count = graph.incoming.length;
  const distance = new Int32Array(count).fill(-1);
  const next = new Array<Edge | undefined>(count);
  const goal = graph.vertices.get(targetId(target))!.index;
  distance[goal] = 0;
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = goal;
  while (head < tail) {
    const at = queue[head++]!;
    for (const step of graph.incoming[at]!) {
      if (distance[step.fromIndex] !== -1) continue;
      distance[step.fromIndex] = distance[at]! + 1;
      next[step.fromIndex] = step;
      queue[tail++] = step.fromIndex;
    }
  }
  return { distance, next };
}

export interface PathQuery {
  readonly target: PathTarget;
  /** Vertex IDs to start from; default: every start vertex (binding subjects and workloads). */
  readonly from?: readonly string[];
  readonly limit?: number;
}

export function findPaths(graph: PathGraph, query: PathQuery): PathSearchResult {
  const steps = shortestSteps(graph, query.target);
  const goal = targetId(query.target);
  const starts = query.from === undefined ? [...graph.vertices.values()].filter((vertex) => vertex.start) : query.from.flatMap((id) => graph.vertices.get(id) ?? []);
  const reaching = starts
    .filter((vertex) => vertex.id !== goal && steps.distance[vertex.index]! > 0)
    .sort((a, b) => steps.distance[a.index]! - steps.distance[b.index]! || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const paths = reaching.slice(0, limit).map((start) => {
    const path: Edge[] = [];
    let at = start.index;
    while (steps.distance[at] !== 0) {
      const step = steps.next[at]!;
      path.push(step);
      at = graph.vertices.get(step.to)!.index;
    }
    return { start, target: query.target, steps: path };
  });
  return { target: query.target, paths, total: reaching.length };
}

/** `user:NAME`, `group:NAME`, `sa:NAMESPACE/NAME` (or `sa:NAMESPACE:NAME`) → vertex ID. */
export function parseSubjectSpec(spec: string): string | { error: string } {
  const colon = spec.indexOf(':');
  const kind = colon === -1 ? '' : spec.slice(0, colon).toLowerCase();
  const rest = colon === -1 ? '' : spec.slice(colon + 1);
  if (rest === '') return { error: `--from must be user:NAME, group:NAME or sa:NAMESPACE/NAME, got ${JSON.stringify(spec)}` };
  if (kind === 'user') return subjectVertexId('User', rest);
  if (kind === 'group') return subjectVertexId('Group', rest);
  if (kind === 'sa' || kind === 'serviceaccount') {
    const match = /^([^/:\s]+)[/:]([^/:\s]+)$/.exec(rest);
    if (match === null) return { error: `--from sa: needs NAMESPACE/NAME, got ${JSON.stringify(rest)}` };
    return subjectVertexId('ServiceAccount', match[2]!, match[1]!);
  }
  return { error: `--from must be user:NAME, group:NAME or sa:NAMESPACE/NAME, got ${JSON.stringify(spec)}` };
}

/** `KIND/NAMESPACE/NAME` → workload vertex ID. */
export function parseWorkloadSpec(spec: string): string | { error: string } {
  const parts = spec.split('/');
  if (parts.length !== 3 || parts.some((part) => part === '')) return { error: `--from-workload must be KIND/NAMESPACE/NAME, got ${JSON.stringify(spec)}` };
  const kind = parts[0]!;
  const normalised = kind.charAt(0).toUpperCase() + kind.slice(1);
  const known = ['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController'];
  const resolved = known.find((candidate) => candidate.toLowerCase() === kind.toLowerCase()) ?? normalised;
  return workloadId(resolved, parts[1]!, parts[2]!);
}

export interface WitnessJson {
  readonly what: string;
  readonly file?: string;
  readonly line?: number;
}

export function resolveWitness(witness: Witness): WitnessJson {
  if (witness.object === undefined) return { what: witness.what };
  const location = locate(witness.object, witness.path);
  return { what: witness.what, file: location.file, line: location.line };
}
