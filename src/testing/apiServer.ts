/**
 * A Kubernetes API server for tests: the real REST protocol over HTTPS on
 * 127.0.0.1, enough of it for kubectl and @kubernetes/client-node.
 *
 * - TLS with a throw-away CA made by openssl in a temp dir; clients
 *   authenticate with a bearer token or a client certificate signed by that CA.
 * - Discovery: /api, /api/v1, /apis, /apis/<group>/<version>, /version.
 * - Lists with limit/continue (keys in name order) and resourceVersion; watch
 *   streams (chunked JSON events, ERROR 410 when the resourceVersion is older
 *   than the kept event history); get, create, replace and delete of one object.
 * - Authorization per user: a set of resources the user may not read (403).
 * - Faults on demand: 429 with Retry-After for the next N requests, 410 Gone
 *   for continue tokens issued before `expireContinueTokens()`.
 *
 * Objects are kept as JSON text (not parsed trees), so a benchmark server can
 * hold tens of thousands of pods in little memory. Nothing is defaulted or
 * validated beyond what the tests need: an object is stored as it was given,
 * plus the metadata the API server would set (namespace, uid, resourceVersion,
 * creationTimestamp).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { loadFiles } from '../load/load.js';
import { isJsonObject, type JsonObject } from '../model/types.js';

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural used in URLs (`pods`, `deployments`). */
  readonly plural: string;
  readonly namespaced: boolean;
}

const core = (kind: string, plural: string, namespaced = true): ResourceType => ({ group: '', version: 'v1', kind, plural, namespaced });
const grouped = (group: string, version: string, kind: string, plural: string, namespaced = true): ResourceType => ({ group, version, kind, plural, namespaced });

/** The built-in types the server serves (one version each, as a current cluster does). */
export const BUILTIN_RESOURCES: readonly ResourceType[] = [
  core('Pod', 'pods'),
  core('Service', 'services'),
  core('ServiceAccount', 'serviceaccounts'),
  core('Secret', 'secrets'),
  core('ConfigMap', 'configmaps'),
  core('ResourceQuota', 'resourcequotas'),
  core('LimitRange', 'limitranges'),
  core('ReplicationController', 'replicationcontrollers'),
  core('PodTemplate', 'podtemplates'),
  core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  core('Endpoints', 'endpoints'),
  core('Event', 'events'),
  core('Namespace', 'namespaces', false),
  core('Node', 'nodes', false),
  core('PersistentVolume', 'persistentvolumes', false),
  grouped('apps', 'v1', 'Deployment', 'deployments'),
  grouped('apps', 'v1', 'ReplicaSet', 'replicasets'),
  grouped('apps', 'v1', 'StatefulSet', 'statefulsets'),
  grouped('apps', 'v1', 'DaemonSet', 'daemonsets'),
  grouped('apps', 'v1', 'ControllerRevision', 'controllerrevisions'),
  grouped('batch', 'v1', 'Job', 'jobs'),
  grouped('batch', 'v1', 'CronJob', 'cronjobs'),
  grouped('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  grouped('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  grouped('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  grouped('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'),
  grouped('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  grouped('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  grouped('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  grouped('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false),
  grouped('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false),
  grouped('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false),
  grouped('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false),
  grouped('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false),
  grouped('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false),
  grouped('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false),
];

/** Who a request comes from and what that user may not read. */
export interface TestUser {
  readonly name: string;
  /** Resources (`secrets`, `roles.rbac.authorization.k8s.io`) this user gets 403 for. */
  readonly forbidden?: readonly string[];
}

export interface TestPki {
  readonly dir: string;
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate for `CN=cert-user`, signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in a temp dir. */
export function makeTestPki(clientName = 'cert-user'): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'rampart-pki-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const sign = (name: string): void => run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  run('req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rampart-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  // The server certificate names 127.0.0.1 in subjectAltName, as TLS clients require.
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('req', ...newKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  sign('server');
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  run('req', ...newKey, '-keyout', 'client.key', '-out', 'client.csr', '-subj', `/O=rampart-testers/CN=${clientName}`);
  sign('client');
  const read = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
  return { dir, caCert: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'), clientCert: read('client.crt'), clientKey: read('client.key') };
}

export interface ApiServerOptions {
  /** Bearer token → user. */
  readonly tokens?: Readonly<Record<string, TestUser>>;
  /** Client certificate common name → user (a CN not listed is a user without restrictions). */
  readonly certificateUsers?: Readonly<Record<string, TestUser>>;
  /** Watch events kept for watches that start from an older resourceVersion; older ones get 410. */
  readonly eventHistory?: number;
  readonly pki?: TestPki;
}

interface Stored {
  readonly namespace: string;
  readonly name: string;
  /** The object as JSON text, without apiVersion and kind (a list item, as the API server sends it). */
  readonly body: string;
  readonly resourceVersion: number;
}

interface WatchEvent {
  readonly resourceVersion: number;
  readonly resource: ResourceType;
  readonly namespace: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly body: string;
}

interface Watcher {
  readonly resource: ResourceType;
  readonly namespace: string | undefined;
  readonly response: ServerResponse;
}

export interface RejectedObject {
  readonly object: JsonObject;
  readonly reason: string;
}

function resourceKey(resource: Pick<ResourceType, 'group' | 'plural'>): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

function groupOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function status(code: number, reason: string, message: string, details?: JsonObject): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details !== undefined ? { details } : {}), code });
}

/** kubectl resolves `deploy`, `po`, `netpol` through these. */
const SHORT_NAMES: Record<string, string> = {
  pods: 'po', services: 'svc', serviceaccounts: 'sa', configmaps: 'cm', namespaces: 'ns', nodes: 'no', deployments: 'deploy', daemonsets: 'ds',
  statefulsets: 'sts', replicasets: 'rs', ingresses: 'ing', networkpolicies: 'netpol', customresourcedefinitions: 'crd', cronjobs: 'cj',
  persistentvolumeclaims: 'pvc', persistentvolumes: 'pv', endpoints: 'ep', events: 'ev', resourcequotas: 'quota', limitranges: 'limits',
  replicationcontrollers: 'rc', horizontalpodautoscalers: 'hpa', poddisruptionbudgets: 'pdb', storageclasses: 'sc', priorityclasses: 'pc',
};

/** The first index whose key is not below `value`. */
function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

const CREATED_AT = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export class TestApiServer {
  readonly pki: TestPki;
  private readonly server: https.Server;
  private readonly resources = new Map<string, ResourceType>();
  /** resource key → "namespace/name" → stored object. */
  private readonly store = new Map<string, Map<string, Stored>>();
  private readonly events: WatchEvent[] = [];
  private readonly sorted = new Map<string, string[]>();
  private readonly watchers = new Set<Watcher>();
  private revision = 1;
  private continueEpoch = 0;
  private expireAfterNextPage = false;
  private throttled = 0;
  private retryAfterSeconds = 1;
  private ownsPki: boolean;
  /** Every request's method and URL, in order: tests read it to see what a client asked. */
  readonly requests: string[] = [];
  url = '';

  constructor(private readonly options: ApiServerOptions = {}) {
    this.pki = options.pki ?? makeTestPki();
    this.ownsPki = options.pki === undefined;
    for (const resource of BUILTIN_RESOURCES) this.resources.set(`${resource.group}/${resource.version}/${resource.kind}`, resource);
    this.server = https.createServer(
      { cert: this.pki.serverCert, key: this.pki.serverKey, ca: this.pki.caCert, requestCert: true, rejectUnauthorized: false },
      (request, response) => this.handle(request, response),
    );
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    this.url = `https://127.0.0.1:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.ownsPki) rmSync(this.pki.dir, { recursive: true, force: true });
  }

  /** A kubeconfig for this server: `token` for a bearer token, or the client certificate. */
  kubeconfig(user: { token: string } | { certificate: true }, contextName = 'test', namespace?: string): string {
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    const credentials =
      'token' in user ? { token: user.token } : { 'client-certificate-data': b64(this.pki.clientCert), 'client-key-data': b64(this.pki.clientKey) };
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': contextName,
      clusters: [{ name: 'test-cluster', cluster: { server: this.url, 'certificate-authority-data': b64(this.pki.caCert) } }],
      users: [{ name: 'test-user', user: credentials }],
      contexts: [{ name: contextName, context: { cluster: 'test-cluster', user: 'test-user', ...(namespace !== undefined ? { namespace } : {}) } }],
    });
  }

  /** Ends every open watch stream, as an API server restart or a load balancer timeout would. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
  }

  /** The next `count` requests get 429 Too Many Requests with this Retry-After. */
  throttle(count: number, retryAfterSeconds = 1): void {
    this.throttled = count;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Continue tokens issued so far get 410 Gone, as after an etcd compaction. */
  expireContinueTokens(): void {
    this.continueEpoch++;
  }

  /** The continue token of the next list page served is already expired when the client uses it. */
  expireNextContinueToken(): void {
    this.expireAfterNextPage = true;
  }

  resourceFor(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = groupOf(apiVersion);
    return this.resources.get(`${group}/${version}/${kind}`);
  }

  /** Seeds objects; CustomResourceDefinitions first, so their kinds are served. Returns what the server refused. */
  seed(objects: Iterable<JsonObject>): RejectedObject[] {
    const rest: JsonObject[] = [];
    const rejected: RejectedObject[] = [];
    for (const object of objects) {
      if (object.kind === 'CustomResourceDefinition') {
        const problem = this.put(object);
        if (problem !== undefined) rejected.push({ object, reason: problem });
      } else rest.push(object);
    }
    for (const object of rest) {
      const problem = this.put(object);
      if (problem !== undefined) rejected.push({ object, reason: problem });
    }
    return rejected;
  }

  /** Seeds every object of YAML files or directories (read with Rampart's own loader, List kinds expanded). */
  async seedFromFiles(paths: readonly string[]): Promise<RejectedObject[]> {
    const objects: JsonObject[] = [];
    for await (const batch of loadFiles(paths)) for (const object of batch.objects) objects.push(object.raw);
    return this.seed(objects);
  }

  /** Creates or replaces an object (as `kubectl apply` would); returns why it was refused, if it was. */
  put(object: JsonObject): string | undefined {
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return 'apiVersion and kind are required';
    const resource = this.resourceFor(object.apiVersion, object.kind);
    if (resource === undefined) return `no resource serves ${object.kind} in ${object.apiVersion}`;
    const metadata = isJsonObject(object.metadata) ? object.metadata : {};
    if (typeof metadata.name !== 'string' || metadata.name === '') return 'metadata.name is required';
    const namespace = resource.namespaced ? (typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default') : '';
    const items = this.itemsOf(resource);
    const key = `${namespace}/${metadata.name}`;
    const previous = items.get(key);
    const resourceVersion = ++this.revision;
    const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, ...rest } = object;
    const storedMetadata: JsonObject = { ...metadata, name: metadata.name };
    if (resource.namespaced) storedMetadata.namespace = namespace;
    else delete storedMetadata.namespace;
    storedMetadata.uid = previous === undefined ? randomUUID() : (JSON.parse(previous.body) as { metadata: { uid: string } }).metadata.uid;
    storedMetadata.resourceVersion = String(resourceVersion);
    storedMetadata.creationTimestamp ??= CREATED_AT;
    const body = JSON.stringify({ metadata: storedMetadata, ...rest });
    items.set(key, { namespace, name: metadata.name, body, resourceVersion });
    if (previous === undefined) this.sorted.delete(resourceKey(resource));
    if (object.kind === 'CustomResourceDefinition') this.serveDefinition(object);
    this.publish({ resourceVersion, resource, namespace, type: previous === undefined ? 'ADDED' : 'MODIFIED', body });
    return undefined;
  }

  /** Deletes an object; returns false when there was none. */
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean {
    const resource = this.resourceFor(apiVersion, kind);
    if (resource === undefined) return false;
    const items = this.itemsOf(resource);
    const key = `${resource.namespaced ? (namespace ?? 'default') : ''}/${name}`;
    const previous = items.get(key);
    if (previous === undefined) return false;
    items.delete(key);
    this.sorted.delete(resourceKey(resource));
    const resourceVersion = ++this.revision;
    const parsed = JSON.parse(previous.body) as { metadata: JsonObject };
    parsed.metadata.resourceVersion = String(resourceVersion);
    this.publish({ resourceVersion, resource, namespace: previous.namespace, type: 'DELETED', body: JSON.stringify(parsed) });
    return true;
  }

  /** One stored object, parsed, with apiVersion and kind; undefined when absent. */
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const resource = this.resourceFor(apiVersion, kind);
    if (resource === undefined) return undefined;
    const stored = this.itemsOf(resource).get(`${resource.namespaced ? (namespace ?? 'default') : ''}/${name}`);
    return stored === undefined ? undefined : { apiVersion, kind, ...(JSON.parse(stored.body) as JsonObject) };
  }

  /** Every stored object of a kind, parsed. */
  list(apiVersion: string, kind: string): JsonObject[] {
    const resource = this.resourceFor(apiVersion, kind);
    if (resource === undefined) return [];
    return [...this.itemsOf(resource).values()].map((stored) => ({ apiVersion, kind, ...(JSON.parse(stored.body) as JsonObject) }));
  }

  /** The keys of a resource in order, kept until the next change of that resource. */
  private sortedKeys(resource: ResourceType): string[] {
    const key = resourceKey(resource);
    let sorted = this.sorted.get(key);
    if (sorted === undefined) this.sorted.set(key, (sorted = [...this.itemsOf(resource).keys()].sort()));
    return sorted;
  }

  private itemsOf(resource: ResourceType): Map<string, Stored> {
    const key = resourceKey(resource);
    let items = this.store.get(key);
    if (items === undefined) this.store.set(key, (items = new Map()));
    return items;
  }

  private serveDefinition(definition: JsonObject): void {
    const spec = isJsonObject(definition.spec) ? definition.spec : {};
    const names = isJsonObject(spec.names) ? spec.names : {};
    if (typeof spec.group !== 'string' || typeof names.kind !== 'string' || typeof names.plural !== 'string') return;
    const versions = Array.isArray(spec.versions) ? spec.versions : typeof spec.version === 'string' ? [{ name: spec.version, served: true }] : [];
    for (const version of versions) {
      if (!isJsonObject(version) || typeof version.name !== 'string' || version.served === false) continue;
      const resource = { group: spec.group, version: version.name, kind: names.kind, plural: names.plural, namespaced: spec.scope !== 'Cluster' };
      this.resources.set(`${resource.group}/${resource.version}/${resource.kind}`, resource);
    }
  }

  private publish(event: WatchEvent): void {
    this.events.push(event);
    const limit = this.options.eventHistory ?? 10_000;
    if (this.events.length > limit) this.events.splice(0, this.events.length - limit);
    for (const watcher of this.watchers) {
      if (watcher.resource !== event.resource && resourceKey(watcher.resource) !== resourceKey(event.resource)) continue;
      if (watcher.namespace !== undefined && watcher.namespace !== event.namespace) continue;
      this.writeEvent(watcher, event);
    }
  }

  private writeEvent(watcher: Watcher, event: WatchEvent): void {
    const { resource } = watcher;
    const object = `{"apiVersion":${JSON.stringify(resource.group === '' ? resource.version : `${resource.group}/${resource.version}`)},"kind":${JSON.stringify(resource.kind)},${event.body.slice(1)}`;
    watcher.response.write(`{"type":"${event.type}","object":${object}}\n`);
  }

  private authenticate(request: IncomingMessage): TestUser | undefined {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer (.+)$/.exec(header);
      return match?.[1] !== undefined ? this.options.tokens?.[match[1]] : undefined;
    }
    const socket = request.socket as TLSSocket;
    if (socket.authorized) {
      const subject = socket.getPeerCertificate().subject;
      const commonName = subject?.CN;
      const name = Array.isArray(commonName) ? commonName[0] : commonName;
      if (typeof name === 'string') return this.options.certificateUsers?.[name] ?? { name };
    }
    return undefined;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.requests.push(`${request.method ?? 'GET'} ${request.url ?? ''}`);
    const send = (code: number, body: string, headers: Record<string, string> = {}): void => {
      response.writeHead(code, { 'content-type': 'application/json', ...headers });
      response.end(body);
    };
    try {
      if (this.throttled > 0) {
        this.throttled--;
        send(429, status(429, 'TooManyRequests', 'the server has received too many requests and has asked us to try again later'), { 'retry-after': String(this.retryAfterSeconds) });
        return;
      }
      const user = this.authenticate(request);
      if (user === undefined) {
        send(401, status(401, 'Unauthorized', 'Unauthorized'));
        return;
      }
      const url = new URL(request.url ?? '/', 'https://127.0.0.1');
      const method = request.method ?? 'GET';
      if (method === 'GET' && this.discovery(url.pathname, send)) return;
      const route = this.route(url.pathname);
      if (route === undefined) {
        send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
        return;
      }
      const { resource, namespace, name } = route;
      const verb = method === 'GET' ? (name !== undefined ? 'get' : url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'watch' : 'list') : method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : 'patch';
      if (user.forbidden?.includes(resourceKey(resource)) === true) {
        const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
        send(403, status(403, 'Forbidden', `${resourceKey(resource)} is forbidden: User "${user.name}" cannot ${verb} resource "${resource.plural}" in API group "${resource.group}" ${scope}`, { kind: resource.plural }));
        return;
      }
      if (verb === 'list') this.sendList(resource, namespace, url, send);
      else if (verb === 'watch') this.startWatch(resource, namespace, url, request, response);
      else if (verb === 'get') this.sendOne(resource, namespace, name ?? '', send);
      else if (verb === 'delete') {
        const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
        const existing = this.get(apiVersion, resource.kind, namespace, name ?? '');
        if (existing === undefined || !this.delete(apiVersion, resource.kind, namespace, name ?? '')) send(404, status(404, 'NotFound', `${resource.plural} "${name}" not found`));
        else send(200, JSON.stringify(existing));
      } else if (verb === 'create' || verb === 'update') this.receive(resource, namespace, name, verb, request, send);
      else send(405, status(405, 'MethodNotAllowed', `${method} is not supported`));
    } catch (error) {
      // One bad request never takes the server down.
      if (!response.headersSent) send(500, status(500, 'InternalError', error instanceof Error ? error.message : String(error)));
      else response.end();
    }
  }

  private discovery(pathname: string, send: (code: number, body: string) => void): boolean {
    const served = [...this.resources.values()];
    if (pathname === '/version') {
      send(200, JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0-rampart-test', platform: 'linux/amd64' }));
      return true;
    }
    if (pathname === '/api') {
      send(200, JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] }));
      return true;
    }
    if (pathname === '/apis') {
      const groups = new Map<string, string[]>();
      for (const resource of served) {
        if (resource.group === '') continue;
        const versions = groups.get(resource.group) ?? [];
        if (!versions.includes(resource.version)) versions.push(resource.version);
        groups.set(resource.group, versions);
      }
      const list = [...groups].map(([name, versions]) => ({
        name,
        versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
        preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
      }));
      send(200, JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: list }));
      return true;
    }
    const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/?$/.exec(pathname);
    if (match === null) return false;
    const group = match[1] !== undefined ? '' : (match[2] ?? '');
    const version = match[1] ?? match[3] ?? '';
    const resources = served.filter((resource) => resource.group === group && resource.version === version);
    if (resources.length === 0) return false;
    send(
      200,
      JSON.stringify({
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group === '' ? version : `${group}/${version}`,
        resources: resources.map((resource) => ({
          name: resource.plural,
          singularName: resource.kind.toLowerCase(),
          ...(SHORT_NAMES[resource.plural] !== undefined ? { shortNames: [SHORT_NAMES[resource.plural]] } : {}),
          namespaced: resource.namespaced,
          kind: resource.kind,
          verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'],
        })),
      }),
    );
    return true;
  }

  private route(pathname: string): { resource: ResourceType; namespace: string | undefined; name: string | undefined } | undefined {
    const parts = pathname.split('/').filter((part) => part !== '').map((part) => decodeURIComponent(part));
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 3) [group, version, rest] = ['', parts[1] ?? '', parts.slice(2)];
    else if (parts[0] === 'apis' && parts.length >= 4) [group, version, rest] = [parts[1] ?? '', parts[2] ?? '', parts.slice(3)];
    else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest.length < 1 || rest.length > 2) return undefined;
    const resource = [...this.resources.values()].find((candidate) => candidate.group === group && candidate.version === version && candidate.plural === rest[0]);
    if (resource === undefined) {
      // /api/v1/namespaces/NAME is a Namespace, not a namespaced collection.
      if (group === '' && namespace === undefined && rest[0] === 'namespaces') return undefined;
      return undefined;
    }
    if (!resource.namespaced && namespace !== undefined) return undefined;
    return { resource, namespace, name: rest[1] };
  }

  private sendList(resource: ResourceType, namespace: string | undefined, url: URL, send: (code: number, body: string) => void): void {
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const token = url.searchParams.get('continue');
    let after = '';
    if (token !== null && token !== '') {
      let decoded: { epoch: number; after: string } | undefined;
      try {
        decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { epoch: number; after: string };
      } catch {
        decoded = undefined;
      }
      if (decoded === undefined || typeof decoded.after !== 'string') {
        send(400, status(400, 'BadRequest', 'continue key is not valid'));
        return;
      }
      if (decoded.epoch !== this.continueEpoch) {
        send(410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'));
        return;
      }
      after = decoded.after;
    }
    const items = this.itemsOf(resource);
    const sorted = this.sortedKeys(resource);
    // Keys are "namespace/name", so one namespace is a contiguous run of the sorted keys.
    const prefix = namespace === undefined ? '' : `${namespace}/`;
    const lowest = after > prefix ? after : prefix;
    let start = lowerBound(sorted, lowest);
    if (start < sorted.length && sorted[start] === after) start++;
    let end = sorted.length;
    if (namespace !== undefined) end = lowerBound(sorted, `${namespace}0`); // '0' follows '/' in code-unit order
    const available = Math.max(0, end - start);
    const count = limit > 0 ? Math.min(limit, available) : available;
    const page = sorted.slice(start, start + count);
    const bodies = page.map((key) => items.get(key)?.body ?? '{}');
    const more = count < available;
    const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
    const metadata: JsonObject = { resourceVersion: String(this.revision) };
    if (more) {
      metadata.continue = Buffer.from(JSON.stringify({ epoch: this.continueEpoch, after: page[page.length - 1] })).toString('base64url');
      metadata.remainingItemCount = available - page.length;
      if (this.expireAfterNextPage) {
        this.expireAfterNextPage = false;
        this.continueEpoch++;
      }
    }
    send(200, `{"kind":${JSON.stringify(`${resource.kind}List`)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[${bodies.join(',')}]}`);
  }

  private sendOne(resource: ResourceType, namespace: string | undefined, name: string, send: (code: number, body: string) => void): void {
    const stored = this.itemsOf(resource).get(`${resource.namespaced ? (namespace ?? 'default') : ''}/${name}`);
    if (stored === undefined) {
      send(404, status(404, 'NotFound', `${resource.plural}${resource.group === '' ? '' : `.${resource.group}`} "${name}" not found`, { name, kind: resource.plural }));
      return;
    }
    const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
    send(200, `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(resource.kind)},${stored.body.slice(1)}`);
  }

  private startWatch(resource: ResourceType, namespace: string | undefined, url: URL, request: IncomingMessage, response: ServerResponse): void {
    const from = Number(url.searchParams.get('resourceVersion') ?? '0');
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const watcher: Watcher = { resource, namespace, response };
    const oldest = this.events[0]?.resourceVersion ?? this.revision + 1;
    if (from > 0 && from + 1 < oldest) {
      response.write(`{"type":"ERROR","object":${status(410, 'Expired', `too old resource version: ${from} (${oldest - 1})`)}}\n`);
      response.end();
      return;
    }
    if (from > 0) {
      for (const event of this.events) {
        if (event.resourceVersion <= from || resourceKey(event.resource) !== resourceKey(resource)) continue;
        if (namespace !== undefined && namespace !== event.namespace) continue;
        this.writeEvent(watcher, event);
      }
    }
    this.watchers.add(watcher);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => response.end(), timeout * 1000) : undefined;
    const forget = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      this.watchers.delete(watcher);
    };
    request.on('close', forget);
    response.on('close', forget);
  }

  private receive(resource: ResourceType, namespace: string | undefined, name: string | undefined, verb: 'create' | 'update', request: IncomingMessage, send: (code: number, body: string) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 3 * 1024 * 1024) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > 3 * 1024 * 1024) {
        send(413, status(413, 'RequestEntityTooLarge', 'request is too large'));
        return;
      }
      let object: unknown;
      try {
        object = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(400, status(400, 'BadRequest', 'the body is not JSON'));
        return;
      }
      if (!isJsonObject(object)) {
        send(400, status(400, 'BadRequest', 'the body is not an object'));
        return;
      }
      const metadata = isJsonObject(object.metadata) ? object.metadata : {};
      const objectName = typeof metadata.name === 'string' ? metadata.name : undefined;
      const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
      if (object.apiVersion !== apiVersion || object.kind !== resource.kind || objectName === undefined || (verb === 'update' && objectName !== name)) {
        send(400, status(400, 'BadRequest', `the body must be a ${resource.kind} of ${apiVersion} named in the URL`));
        return;
      }
      const exists = this.get(apiVersion, resource.kind, namespace, objectName) !== undefined;
      if (verb === 'create' && exists) {
        send(409, status(409, 'AlreadyExists', `${resource.plural} "${objectName}" already exists`));
        return;
      }
      if (verb === 'update' && !exists) {
        send(404, status(404, 'NotFound', `${resource.plural} "${objectName}" not found`));
        return;
      }
      // Optimistic concurrency, as the API server does it: a stale resourceVersion is a conflict.
      const current = this.get(apiVersion, resource.kind, namespace, objectName);
      const given = metadata.resourceVersion;
      if (verb === 'update' && given !== undefined && given !== (current?.metadata as JsonObject | undefined)?.resourceVersion) {
        send(409, status(409, 'Conflict', `Operation cannot be fulfilled on ${resource.plural} "${objectName}": the object has been modified; please apply your changes to the latest version and try again`));
        return;
      }
      const problem = this.put({ ...object, metadata: { ...metadata, ...(namespace !== undefined ? { namespace } : {}) } });
      if (problem !== undefined) send(422, status(422, 'Invalid', problem));
      else send(verb === 'create' ? 201 : 200, JSON.stringify(this.get(apiVersion, resource.kind, namespace, objectName)));
    });
  }
}
