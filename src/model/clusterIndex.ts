/**
 * What checks may know about the rest of the input beyond the object at hand.
 * Kept small on purpose: it grows one index at a time as checks need it.
 */
import { parseLabelSelector, selectorMatches } from '../rbac/labelSelector.js';
import type { LabelSelector } from '../rbac/model.js';
import type { PodTemplate } from './podTemplates.js';
import { isJsonObject, type JsonObject, type KubeObject } from './types.js';

/** Objects without metadata.namespace land in `default`, as `kubectl apply` would put them. */
export function namespaceOf(object: Pick<KubeObject, 'namespace'>): string {
  return object.namespace === undefined || object.namespace === '' ? 'default' : object.namespace;
}

/** A pod-bearing object's pod labels, for Service and NetworkPolicy selectors. */
export interface PodLabelsInfo {
  readonly labels: Readonly<Record<string, string>>;
  readonly object: KubeObject;
}

export interface ServiceInfo {
  readonly name: string;
  /** `spec.selector`; undefined when the Service has none (endpoints managed by hand). */
  readonly selector: Readonly<Record<string, string>> | undefined;
  readonly object: KubeObject;
}

export interface NetworkPolicyInfo {
  readonly name: string;
  /** undefined when `spec.podSelector` is unreadable. */
  readonly podSelector: LabelSelector | undefined;
  /** Effective policy types: explicit `policyTypes`, or Ingress plus Egress when egress rules are present. */
  readonly ingress: boolean;
  readonly egress: boolean;
  readonly spec: JsonObject;
  readonly object: KubeObject;
}

/** Key of cluster-wide policies in the per-namespace map (not a valid namespace name). */
const CLUSTER_WIDE = '*';

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isJsonObject(value)) {
    for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') out[key] = entry;
  }
  return out;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly object: KubeObject;
}

export class ClusterIndex {
  private readonly namespaces = new Map<string, NamespaceInfo>();
  private readonly pods = new Map<string, PodLabelsInfo[]>();
  private readonly services = new Map<string, ServiceInfo[]>();
  private readonly networkPolicies = new Map<string, NetworkPolicyInfo[]>();
  private readonly serviceAccounts = new Map<string, Map<string, KubeObject>>();
  private readonly quotaNamespaces = new Set<string>();
  private readonly roles = new Map<string, KubeObject>();
  private readonly limitRangeNamespaces = new Set<string>();
  /** Whether any pod-bearing object was added, released namespaces included. */
  private podsSeen = false;
  private serviceAccountsSeen = false;

  addObject(object: KubeObject, podTemplate?: PodTemplate): void {
    const namespace = namespaceOf(object);
    if (podTemplate !== undefined) {
      pushTo(this.pods, namespace, { labels: stringMap(podTemplate.metadata.labels), object });
      this.podsSeen = true;
    }
    const spec = isJsonObject(object.raw.spec) ? object.raw.spec : {};
    if (object.apiVersion === 'v1') {
      if (object.kind === 'Service') {
        pushTo(this.services, namespace, { name: object.name, selector: isJsonObject(spec.selector) ? stringMap(spec.selector) : undefined, object });
      } else if (object.kind === 'ServiceAccount') {
        let names = this.serviceAccounts.get(namespace);
        if (names === undefined) this.serviceAccounts.set(namespace, (names = new Map()));
        names.set(object.name, object);
        this.serviceAccountsSeen = true;
      } else if (object.kind === 'ResourceQuota') {
        this.quotaNamespaces.add(namespace);
      } else if (object.kind === 'LimitRange') {
        this.limitRangeNamespaces.add(namespace);
      }
    }
    if ((object.kind === 'Role' || object.kind === 'ClusterRole') && object.apiVersion.startsWith('rbac.authorization.k8s.io/')) {
      this.roles.set(`${object.kind}/${object.kind === 'Role' ? namespace : ''}/${object.name}`, object);
    }
    if ((object.kind === 'CiliumNetworkPolicy' || object.kind === 'CiliumClusterwideNetworkPolicy') && object.apiVersion.startsWith('cilium.io/')) {
      // Cilium selects endpoints by pod labels too; a clusterwide policy applies in every namespace.
      const key = object.kind === 'CiliumClusterwideNetworkPolicy' ? CLUSTER_WIDE : namespace;
      const specs = Array.isArray(object.raw.specs) ? object.raw.specs : [object.raw.spec];
      for (const entry of specs) {
        if (!isJsonObject(entry) || !isJsonObject(entry.endpointSelector)) continue;
        const parsed = parseLabelSelector(entry.endpointSelector);
        pushTo(this.networkPolicies, key, {
          name: object.name,
          podSelector: 'selector' in parsed ? parsed.selector : undefined,
          ingress: Array.isArray(entry.ingress) || Array.isArray(entry.ingressDeny),
          egress: Array.isArray(entry.egress) || Array.isArray(entry.egressDeny),
          spec: entry,
          object,
        });
      }
    }
    if (object.kind === 'NetworkPolicy' && object.apiVersion.startsWith('networking.k8s.io/')) {
      const parsed = parseLabelSelector(spec.podSelector ?? {});
      const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : undefined;
      pushTo(this.networkPolicies, namespace, {
        name: object.name,
        podSelector: 'selector' in parsed ? parsed.selector : undefined,
        ingress: types === undefined ? true : types.includes('Ingress'),
        egress: types === undefined ? Array.isArray(spec.egress) : types.includes('Egress'),
        spec,
        object,
      });
    }
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      const metadata = object.raw.metadata;
      const labels: Record<string, string> = {};
      if (isJsonObject(metadata) && isJsonObject(metadata.labels)) {
        for (const [key, value] of Object.entries(metadata.labels)) {
          if (typeof value === 'string') labels[key] = value;
        }
      }
      this.namespaces.set(object.name, { name: object.name, labels, object });
    }
  }

  namespace(name: string): NamespaceInfo | undefined {
    return this.namespaces.get(name);
  }

  allNamespaces(): IterableIterator<NamespaceInfo> {
    return this.namespaces.values();
  }

  /** Pod-bearing objects of a namespace (their pod template's labels). */
  podsIn(namespace: string): readonly PodLabelsInfo[] {
    return this.pods.get(namespace) ?? [];
  }

  /** Whether the input holds any pod-bearing object (so far; released namespaces count). */
  hasPods(): boolean {
    return this.podsSeen;
  }

  /**
   * Forgets the objects of a namespace that has been judged (Scanner.finishNamespace):
   * its pods, Services, NetworkPolicies, ServiceAccounts and Roles. Namespace
   * labels, quota and LimitRange presence, cluster-wide policies, and whether
   * the input holds pods and ServiceAccounts at all stay.
   */
  releaseNamespace(namespace: string): void {
    this.pods.delete(namespace);
    this.services.delete(namespace);
    this.networkPolicies.delete(namespace);
    this.serviceAccounts.delete(namespace);
    const prefix = `Role/${namespace}/`;
    for (const key of this.roles.keys()) if (key.startsWith(prefix)) this.roles.delete(key);
  }

  /** A Role (by namespace) or ClusterRole of the input. */
  role(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.roles.get(`${kind}/${kind === 'Role' ? (namespace ?? 'default') : ''}/${name}`);
  }

  /** Pod-bearing objects of a namespace whose pod labels the selector matches. */
  podsMatching(namespace: string, selector: LabelSelector): PodLabelsInfo[] {
    return this.podsIn(namespace).filter((pod) => selectorMatches(selector, pod.labels));
  }

  servicesIn(namespace: string): readonly ServiceInfo[] {
    return this.services.get(namespace) ?? [];
  }

  /** Policies that apply to pods of a namespace: its NetworkPolicies and CiliumNetworkPolicies, and clusterwide Cilium policies. */
  networkPoliciesIn(namespace: string): readonly NetworkPolicyInfo[] {
    const own = this.networkPolicies.get(namespace) ?? [];
    const clusterWide = this.networkPolicies.get(CLUSTER_WIDE);
    return clusterWide === undefined ? own : [...own, ...clusterWide];
  }

  serviceAccount(namespace: string, name: string): KubeObject | undefined {
    return this.serviceAccounts.get(namespace)?.get(name);
  }

  /** Whether the input holds any ServiceAccount at all (if none, they are managed outside these manifests). */
  hasServiceAccounts(): boolean {
    return this.serviceAccountsSeen;
  }

  hasResourceQuota(namespace: string): boolean {
    return this.quotaNamespaces.has(namespace);
  }

  hasLimitRange(namespace: string): boolean {
    return this.limitRangeNamespaces.has(namespace);
  }
}
