/**
 * API discovery decides what a cluster scan reads: the built-in types the
 * checks judge, in whatever version the server prefers, plus custom resources
 * that carry a pod template (Argo Rollouts, OpenKruise, the config file's
 * podTemplates). A type the server does not serve is simply not read.
 */
import type { PodTemplateLocation } from '../model/podTemplates.js';
import { ClusterError, statusMessage, type ClusterConnection } from './connection.js';

export interface ClusterResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** URL name, `deployments`. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** `pods`, `roles.rbac.authorization.k8s.io`: how kubectl and RBAC name a resource. */
export function resourceName(resource: Pick<ClusterResource, 'group' | 'plural'>): string {
  return resource.group === '' ? resource.plural : `${resource.plural}.${resource.group}`;
}

export function apiVersionOf(resource: Pick<ClusterResource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/**
 * What the checks judge, by group and plural. Secrets are read for their
 * metadata and type (values are blanked on arrival, see sanitize.ts);
 * ReplicaSets and Jobs are read like every pod-bearing kind.
 */
export const WANTED_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  '': [
    'namespaces', 'nodes', 'pods', 'podtemplates', 'replicationcontrollers', 'services', 'serviceaccounts', 'secrets', 'configmaps',
    'resourcequotas', 'limitranges',
  ],
  apps: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
  batch: ['jobs', 'cronjobs'],
  'networking.k8s.io': ['ingresses', 'networkpolicies'],
  'rbac.authorization.k8s.io': ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'],
  'admissionregistration.k8s.io': [
    'validatingwebhookconfigurations', 'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
  ],
};

interface ApiResourceList {
  readonly resources?: ReadonlyArray<{ name?: unknown; kind?: unknown; namespaced?: unknown; verbs?: unknown }>;
}

interface ApiGroupList {
  readonly groups?: ReadonlyArray<{ name?: unknown; preferredVersion?: { version?: unknown } }>;
}

async function getJson<T>(connection: ClusterConnection, urlPath: string): Promise<T> {
  const reply = await connection.request(urlPath);
  if (reply.status !== 200) throw new ClusterError(`API discovery failed on context "${connection.context}": GET ${urlPath} answered ${statusMessage(reply)}`);
  try {
    return JSON.parse(reply.body) as T;
  } catch {
    throw new ClusterError(`API discovery failed on context "${connection.context}": GET ${urlPath} did not answer JSON`);
  }
}

/** The resources to read, in a stable order: Namespaces first (PSS reads their labels), then the built-ins, then custom kinds. */
export async function discoverResources(connection: ClusterConnection, podTemplates: readonly PodTemplateLocation[]): Promise<ClusterResource[]> {
  const customKinds = podTemplates.filter((location) => !(location.group in WANTED_RESOURCES) || location.group === '*');
  const anyGroup = customKinds.some((location) => location.group === '*');
  const found: ClusterResource[] = [];
  const take = (group: string, version: string, list: ApiResourceList): void => {
    for (const entry of list.resources ?? []) {
      if (typeof entry.name !== 'string' || entry.name.includes('/') || typeof entry.kind !== 'string') continue;
      if (!Array.isArray(entry.verbs) || !entry.verbs.includes('list')) continue;
      const wanted = WANTED_RESOURCES[group]?.includes(entry.name) === true;
      const custom = customKinds.some((location) => (location.group === group || location.group === '*') && location.kind === entry.kind);
      if (wanted || custom) found.push({ group, version, kind: entry.kind, plural: entry.name, namespaced: entry.namespaced === true });
    }
  };
  take('', 'v1', await getJson<ApiResourceList>(connection, '/api/v1'));
  const groups = await getJson<ApiGroupList>(connection, '/apis');
  const lists = await Promise.all(
    (groups.groups ?? []).flatMap((group) => {
      const name = group.name;
      const version = group.preferredVersion?.version;
      if (typeof name !== 'string' || typeof version !== 'string') return [];
      if (!(name in WANTED_RESOURCES) && !anyGroup && !customKinds.some((location) => location.group === name)) return [];
      return [getJson<ApiResourceList>(connection, `/apis/${name}/${version}`).then((list) => ({ name, version, list }))];
    }),
  );
  for (const { name, version, list } of lists) take(name, version, list);
  const order = (resource: ClusterResource): number => (resource.plural === 'namespaces' && resource.group === '' ? 0 : resource.group in WANTED_RESOURCES ? 1 : 2);
  return found.sort((a, b) => order(a) - order(b) || resourceName(a).localeCompare(resourceName(b)));
}
