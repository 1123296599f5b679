/**
 * Incremental evaluation for `rampart watch`: after a burst of changes, only
 * the objects whose findings could have changed are judged again, by the
 * ordinary scan (the same Scanner, checks and exceptions as `rampart scan`)
 * run over a subset of the kept objects: the objects to judge plus the
 * objects their cross-object checks read (their namespace's Namespace,
 * ServiceAccounts, Services, NetworkPolicies, ...). Only the findings of the
 * objects to judge are kept from that scan; everyone else keeps their
 * previous findings. The dependency rules are in docs/cluster.md ("Incremental
 * evaluation"); where a rule would be hard to state exactly, the rule falls
 * back to a whole namespace or to a full rescan, never to a stale answer.
 */
import { RBAC_CHECK_METAS } from '../checks/rbac/index.js';
import { namespaceOf } from '../model/clusterIndex.js';
import type { PodTemplateFinder } from '../model/podTemplates.js';
import type { Finding, KubeObject, ObjectRef } from '../model/types.js';
import { isRbacBinding, isRbacRole } from '../rbac/parse.js';

/** One object's change in a burst: `before` absent for a create, `after` absent for a delete. */
export interface ObjectChange {
  readonly before?: KubeObject;
  readonly after?: KubeObject;
}

/** Scans exactly these objects (as `rampart scan` would) and returns the findings after exceptions. */
export type SubsetScan = (objects: readonly KubeObject[]) => Promise<readonly Finding[]>;

export interface IncrementalStats {
  /** Evaluations since start (full and incremental). */
  evaluations: number;
  fullScans: number;
  /** Objects whose findings were recomputed, summed over all evaluations. */
  objectsJudged: number;
  /** Objects the subset scans read (judged plus context), summed. */
  objectsScanned: number;
  /** Times the RBAC whole-input check ran again. */
  rbacRuns: number;
  /** Keys of the objects judged by the latest evaluation (for tests and the log). */
  lastJudged: readonly string[];
}

const RBAC_IDS: ReadonlySet<string> = new Set(RBAC_CHECK_METAS.map((meta) => meta.id));
const ADMISSION_GROUP = 'admissionregistration.k8s.io/';

export function objectKey(object: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  return `${object.kind}/${object.namespace ?? ''}/${object.name}/${object.apiVersion}`;
}

function group(object: KubeObject): string {
  const slash = object.apiVersion.indexOf('/');
  return slash < 0 ? '' : object.apiVersion.slice(0, slash);
}

const isKind = (object: KubeObject, kind: string, apiGroup: string): boolean => object.kind === kind && group(object) === apiGroup;
const isService = (object: KubeObject): boolean => isKind(object, 'Service', '');
const isServiceAccount = (object: KubeObject): boolean => isKind(object, 'ServiceAccount', '');
const isNamespace = (object: KubeObject): boolean => isKind(object, 'Namespace', '');
const isNetworkPolicy = (object: KubeObject): boolean => isKind(object, 'NetworkPolicy', 'networking.k8s.io');
const isCiliumPolicy = (object: KubeObject): boolean => isKind(object, 'CiliumNetworkPolicy', 'cilium.io');
const isCiliumClusterwide = (object: KubeObject): boolean => isKind(object, 'CiliumClusterwideNetworkPolicy', 'cilium.io');
const isIngress = (object: KubeObject): boolean => object.kind === 'Ingress';
const isWebhookConfiguration = (object: KubeObject): boolean => object.apiVersion.startsWith(ADMISSION_GROUP);
const isCrd = (object: KubeObject): boolean => object.kind === 'CustomResourceDefinition';
/** What the RBAC whole-input check reads (src/checks/rbac/index.ts). */
const feedsRbac = (object: KubeObject): boolean => isRbacRole(object) || isRbacBinding(object) || isServiceAccount(object) || isNamespace(object) || isCrd(object);

export class IncrementalFindings {
  private readonly objects = new Map<string, KubeObject>();
  /** Namespace → keys of its namespaced objects (cluster-scoped objects are under ''). */
  private readonly byNamespace = new Map<string, Set<string>>();
  /** Findings of the per-object, cross-object and PSS checks, by the key of the object they sit on. */
  private readonly byObject = new Map<string, readonly Finding[]>();
  private rbacFindings: readonly Finding[] = [];
  private podCount = 0;
  private serviceAccountCount = 0;
  readonly stats: IncrementalStats = { evaluations: 0, fullScans: 0, objectsJudged: 0, objectsScanned: 0, rbacRuns: 0, lastJudged: [] };

  constructor(
    private readonly scan: SubsetScan,
    private readonly podTemplates: PodTemplateFinder,
  ) {}

  get size(): number {
    return this.objects.size;
  }

  /** Judges everything again (the first evaluation, after a relist, after a change a rule cannot bound). */
  async full(objects: Iterable<KubeObject>): Promise<void> {
    this.objects.clear();
    this.byNamespace.clear();
    this.podCount = 0;
    this.serviceAccountCount = 0;
    for (const object of objects) this.put(object);
    await this.rescanAll();
  }

  /** Applies a burst of changes and judges again what they can affect. */
  async update(changes: readonly ObjectChange[]): Promise<void> {
    const hadPods = this.podCount > 0;
    const hadAccounts = this.serviceAccountCount > 0;
    for (const change of changes) {
      if (change.before !== undefined) this.remove(change.before);
      if (change.after !== undefined) this.put(change.after);
    }
    const touched = changes.flatMap((change) => [change.before, change.after].filter((object): object is KubeObject => object !== undefined));
    // Global facts some checks read: "the input has pods" (Services), "the input has ServiceAccounts" (missing account); CRDs and clusterwide policies reach everything.
    if (hadPods !== this.podCount > 0 || hadAccounts !== this.serviceAccountCount > 0 || touched.some((object) => isCrd(object) || isCiliumClusterwide(object))) {
      await this.rescanAll();
      return;
    }
    const judge = new Set<string>();
    let rbac = false;
    for (const object of touched) {
      judge.add(objectKey(object));
      if (feedsRbac(object)) rbac = true;
      for (const key of this.dependents(object)) judge.add(key);
    }
    const present = [...judge].filter((key) => this.objects.has(key));
    for (const key of judge) if (!this.objects.has(key)) this.byObject.delete(key);
    this.stats.evaluations++;
    this.stats.objectsJudged += present.length;
    this.stats.lastJudged = present.sort();
    if (present.length > 0) {
      const subset = this.withContext(present);
      this.stats.objectsScanned += subset.length;
      const wanted = new Set(present);
      const found = new Map<string, Finding[]>(present.map((key) => [key, []]));
      for (const finding of await this.scan(subset)) {
        const key = objectKey(finding.object);
        if (wanted.has(key) && !RBAC_IDS.has(finding.checkId)) found.get(key)?.push(finding);
      }
      for (const [key, findings] of found) this.setFindings(key, findings);
    }
    if (rbac) await this.rescanRbac();
  }

  /** Every current finding, object by object (reporters order them themselves: PolicyReports most severe first). */
  findings(): Finding[] {
    const all: Finding[] = [];
    for (const findings of this.byObject.values()) for (const finding of findings) all.push(finding);
    for (const finding of this.rbacFindings) all.push(finding);
    return all;
  }

  /** The keys whose findings can change when `object` changes (besides its own), per docs/cluster.md. */
  private dependents(object: KubeObject): string[] {
    const namespace = namespaceOf(object);
    const keys: string[] = [];
    const inNamespace = (name: string, wanted: (candidate: KubeObject) => boolean): void => {
      for (const key of this.byNamespace.get(name) ?? []) {
        const candidate = this.objects.get(key);
        if (candidate !== undefined && wanted(candidate)) keys.push(key);
      }
    };
    const bearsPods = (candidate: KubeObject): boolean => this.podTemplates.bearsPods(candidate);
    if (bearsPods(object)) inNamespace(namespace, (candidate) => isService(candidate) || isNetworkPolicy(candidate));
    else if (isService(object)) inNamespace(namespace, isIngress);
    else if (isNetworkPolicy(object) || isCiliumPolicy(object)) {
      inNamespace(namespace, bearsPods);
      inNamespace('', (candidate) => isNamespace(candidate) && candidate.name === namespace);
    } else if (isServiceAccount(object)) inNamespace(namespace, bearsPods);
    else if (isKind(object, 'ResourceQuota', '') || isKind(object, 'LimitRange', '')) inNamespace('', (candidate) => isNamespace(candidate) && candidate.name === namespace);
    else if (isNamespace(object)) {
      inNamespace(object.name, bearsPods);
      inNamespace('', isWebhookConfiguration);
    }
    return keys;
  }

  /** The objects to judge plus what their cross-object checks read. */
  private withContext(keys: readonly string[]): KubeObject[] {
    const subset = new Map<string, KubeObject>();
    const add = (key: string): void => {
      const object = this.objects.get(key);
      if (object !== undefined) subset.set(key, object);
    };
    for (const key of keys) add(key);
    const namespaces = new Set<string>();
    const needPods = new Set<string>();
    let allNamespaces = false;
    for (const key of keys) {
      const object = this.objects.get(key);
      if (object === undefined) continue;
      if (isNamespace(object)) namespaces.add(object.name);
      else if (object.namespace !== undefined) namespaces.add(namespaceOf(object));
      if (isService(object) || isNetworkPolicy(object)) needPods.add(namespaceOf(object));
      if (isWebhookConfiguration(object)) allNamespaces = true;
    }
    const scoped = this.byNamespace.get('') ?? new Set<string>();
    for (const namespace of namespaces) {
      for (const key of this.byNamespace.get(namespace) ?? []) {
        const object = this.objects.get(key);
        if (object !== undefined && (needPods.has(namespace) || !this.podTemplates.bearsPods(object))) subset.set(key, object);
      }
    }
    for (const key of scoped) {
      const object = this.objects.get(key);
      if (object === undefined) continue;
      if (isCiliumClusterwide(object) || (isNamespace(object) && (allNamespaces || namespaces.has(object.name)))) subset.set(key, object);
    }
    // Witnesses for the global facts ("the input has pods / ServiceAccounts"), so the subset answers them as the whole would.
    let needPod = this.podCount > 0;
    let needAccount = this.serviceAccountCount > 0;
    for (const object of subset.values()) {
      if (needPod && this.hasPodTemplate(object)) needPod = false;
      if (isServiceAccount(object)) needAccount = false;
    }
    for (const [key, object] of this.objects) {
      if (!needPod && !needAccount) break;
      if (needAccount && isServiceAccount(object)) {
        subset.set(key, object);
        needAccount = false;
      } else if (needPod && this.hasPodTemplate(object)) {
        subset.set(key, object);
        needPod = false;
      }
    }
    return [...subset.values()];
  }

  private async rescanAll(): Promise<void> {
    const all = [...this.objects.values()];
    this.stats.evaluations++;
    this.stats.fullScans++;
    this.stats.objectsJudged += all.length;
    this.stats.objectsScanned += all.length;
    this.stats.lastJudged = [...this.objects.keys()].sort();
    const byObject = new Map<string, Finding[]>();
    const rbac: Finding[] = [];
    for (const finding of await this.scan(all)) {
      if (RBAC_IDS.has(finding.checkId)) rbac.push(finding);
      else {
        const key = objectKey(finding.object);
        const list = byObject.get(key);
        if (list === undefined) byObject.set(key, [finding]);
        else list.push(finding);
      }
    }
    this.byObject.clear();
    for (const [key, findings] of byObject) this.byObject.set(key, findings);
    this.rbacFindings = rbac;
  }

  /** The RBAC check judges bindings against roles anywhere: it runs again over everything it reads. */
  private async rescanRbac(): Promise<void> {
    this.stats.rbacRuns++;
    const subset = [...this.objects.values()].filter(feedsRbac);
    this.stats.objectsScanned += subset.length;
    this.rbacFindings = (await this.scan(subset)).filter((finding) => RBAC_IDS.has(finding.checkId));
  }

  private setFindings(key: string, findings: readonly Finding[]): void {
    if (findings.length === 0) this.byObject.delete(key);
    else this.byObject.set(key, findings);
  }

  private hasPodTemplate(object: KubeObject): boolean {
    return this.podTemplates.find(object).kind === 'template';
  }

  private put(object: KubeObject): void {
    const key = objectKey(object);
    if (this.objects.has(key)) this.remove(this.objects.get(key) as KubeObject);
    this.objects.set(key, object);
    const bucket = object.namespace === undefined ? '' : namespaceOf(object);
    let keys = this.byNamespace.get(bucket);
    if (keys === undefined) this.byNamespace.set(bucket, (keys = new Set()));
    keys.add(key);
    if (this.hasPodTemplate(object)) this.podCount++;
    if (isServiceAccount(object)) this.serviceAccountCount++;
  }

  private remove(object: KubeObject): void {
    const key = objectKey(object);
    const kept = this.objects.get(key);
    if (kept === undefined) return;
    this.objects.delete(key);
    this.byNamespace.get(kept.namespace === undefined ? '' : namespaceOf(kept))?.delete(key);
    if (this.hasPodTemplate(kept)) this.podCount--;
    if (isServiceAccount(kept)) this.serviceAccountCount--;
  }
}
