/**
 * Builds the threat model of the input: pure, from the collected objects, the
 * scan's results and (optionally) node benchmark results.
 */
import type { ScanResult } from '../engine/scan.js';
import { isJsonObject, locate, objectRef, type Finding, type KubeObject, type ObjectRef } from '../model/types.js';
import { FLOW_TEMPLATES, THREAT_TEMPLATES, type ThreatScope, type ThreatTemplate } from './catalogue.js';
import { registryOf, type BenchData, type ThreatInput, type WorkloadFacts } from './input.js';
import type { ControlState, DataFlow, FlowControl, Threat, ThreatElement, ThreatEvidence, ThreatModel, ThreatStatus, TrustBoundary } from './model.js';

export interface ThreatModelOptions {
  readonly bench?: BenchData;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

const CONTROL_PLANE = ['kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler'] as const;
const NODE_COMPONENTS = ['kubelet', 'kube-proxy', 'container-runtime'] as const;
const COMPONENT_LABELS: Record<string, string> = {
  'kube-apiserver': 'kube-apiserver',
  etcd: 'etcd',
  'kube-controller-manager': 'kube-controller-manager',
  'kube-scheduler': 'kube-scheduler',
  kubelet: 'kubelet',
  'kube-proxy': 'kube-proxy',
  'container-runtime': 'container runtime',
  coredns: 'CoreDNS',
};

/** Check results indexed by check and object, for evaluating threats. */
class CheckResults {
  private readonly failing = new Map<string, Finding[]>();
  private readonly judged = new Map<string, Set<string>>();

  constructor(scan: ScanResult) {
    for (const finding of scan.findings) {
      const list = this.failing.get(finding.checkId);
      if (list === undefined) this.failing.set(finding.checkId, [finding]);
      else list.push(finding);
    }
    for (const scanned of scan.objects) {
      const key = refKey(scanned.object);
      let set = this.judged.get(key);
      if (set === undefined) this.judged.set(key, (set = new Set()));
      for (const check of scanned.checks) set.add(check);
    }
  }

  findings(checkId: string, inScope: (finding: Finding) => boolean): Finding[] {
    return (this.failing.get(checkId) ?? []).filter(inScope);
  }

  judgedOn(checkId: string, objects: readonly ObjectRef[]): boolean {
    return objects.some((ref) => this.judged.get(refKey(ref))?.has(checkId) === true);
  }

}

/** Which findings and objects a threat's checks are read on. */
interface Scope {
  readonly objects: readonly ObjectRef[];
  readonly matches: (finding: Finding) => boolean;
  /** For whole-input checks (RBAC): the check judged the whole input, so no finding in scope is a pass. */
  readonly wholeInput?: boolean;
}

const MAX_FINDINGS_PER_CHECK = 5;

function evaluate(template: ThreatTemplate, scope: Scope | undefined, results: CheckResults, bench: BenchData | undefined): { status: ThreatStatus; evidence: ThreatEvidence[]; reason: string } {
  const evidence: ThreatEvidence[] = [];
  const judge = (checkId: string, role: 'primary' | 'supporting'): void => {
    if (checkId.startsWith('bench:')) {
      const control = bench?.controls.get(checkId.slice('bench:'.length));
      if (control === undefined || control.status === 'INFO') return;
      // WARN means the benchmark could not tell: not passing, as in `rampart bench`.
      const result = control.status === 'PASS' ? 'pass' : 'fail';
      const findings =
        result === 'fail' ? [{ message: `${control.id} ${control.status}: ${control.title}${control.details.length > 0 ? ` (${control.details.join('; ')})` : ''}`, object: { apiVersion: 'bench.rampart.dev/v1', kind: 'BenchControl', name: control.id }, location: { file: control.file ?? bench!.file, documentIndex: 0, line: control.line ?? 1, column: 1 } }] : [];
      evidence.push({ checkId, result, role, findings });
      return;
    }
    if (scope === undefined) return;
    const failing = results.findings(checkId, scope.matches);
    if (failing.length > 0) {
      evidence.push({ checkId, result: 'fail', role, findings: failing.slice(0, MAX_FINDINGS_PER_CHECK).map((finding) => ({ message: finding.message, object: finding.object, location: finding.location })) });
    } else if (results.judgedOn(checkId, scope.objects) || scope.wholeInput === true) {
      evidence.push({ checkId, result: 'pass', role, findings: [] });
    }
  };
  for (const checkId of template.primary) judge(checkId, 'primary');
  for (const checkId of template.supporting) judge(checkId, 'supporting');
  const failedPrimary = evidence.filter((entry) => entry.result === 'fail' && entry.role === 'primary').map((entry) => entry.checkId);
  const failedSupporting = evidence.filter((entry) => entry.result === 'fail' && entry.role === 'supporting').map((entry) => entry.checkId);
  if (failedPrimary.length > 0) return { status: 'open', evidence, reason: `failing: ${failedPrimary.join(', ')}` };
  if (failedSupporting.length > 0) return { status: 'partly', evidence, reason: `primary mitigations hold; failing defence in depth: ${failedSupporting.join(', ')}` };
  if (evidence.length > 0) return { status: 'mitigated', evidence, reason: `passing: ${evidence.map((entry) => entry.checkId).join(', ')}` };
  return { status: 'unassessed', evidence, reason: template.primary.some((id) => id.startsWith('bench:')) ? 'no node benchmark results (give --bench FILE)' : 'no Rampart check judged it' };
}

function labelsOf(object: KubeObject): Record<string, string> {
  const metadata = object.raw.metadata;
  const out: Record<string, string> = {};
  if (isJsonObject(metadata) && isJsonObject(metadata.labels)) for (const [key, value] of Object.entries(metadata.labels)) if (typeof value === 'string') out[key] = value;
  return out;
}

function selectorMatches(selector: Record<string, string>, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** Service type and whether it is reachable from outside the cluster. */
export function serviceExposure(service: KubeObject): { type: string; external: boolean } {
  const spec = isJsonObject(service.raw.spec) ? service.raw.spec : {};
  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  const externalIPs = Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
  return { type, external: type === 'LoadBalancer' || type === 'NodePort' || externalIPs };
}

/** The workloads a Service selects. */
export function selectedWorkloads(service: KubeObject, workloads: readonly WorkloadFacts[]): WorkloadFacts[] {
  const spec = isJsonObject(service.raw.spec) ? service.raw.spec : {};
  if (!isJsonObject(spec.selector)) return [];
  const selector: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.selector)) if (typeof value === 'string') selector[key] = value;
  const namespace = service.namespace ?? 'default';
  return workloads.filter((workload) => workload.namespace === namespace && selectorMatches(selector, workload.labels));
}

/** Services an Ingress routes to (`namespace/name`). */
export function ingressBackends(ingress: KubeObject): string[] {
  const namespace = ingress.namespace ?? 'default';
  const names = new Set<string>();
  const visit = (backend: unknown): void => {
    if (isJsonObject(backend) && isJsonObject(backend.service) && typeof backend.service.name === 'string') names.add(`${namespace}/${backend.service.name}`);
    if (isJsonObject(backend) && typeof backend.serviceName === 'string') names.add(`${namespace}/${backend.serviceName}`);
  };
  const spec = isJsonObject(ingress.raw.spec) ? ingress.raw.spec : {};
  visit(spec.defaultBackend);
  visit(spec.backend);
  if (Array.isArray(spec.rules)) {
    for (const rule of spec.rules) {
      if (!isJsonObject(rule) || !isJsonObject(rule.http) || !Array.isArray(rule.http.paths)) continue;
      for (const path of rule.http.paths) if (isJsonObject(path)) visit(path.backend);
    }
  }
  return [...names].sort();
}

export function workloadElementId(ref: ObjectRef): string {
  return `workload:${ref.kind}/${ref.namespace ?? 'default'}/${ref.name}`;
}

export function serviceAccountElementId(namespace: string, name: string): string {
  return `sa:${namespace}/${name}`;
}

export function buildThreatModel(input: ThreatInput, scan: ScanResult, options: ThreatModelOptions = {}): ThreatModel {
  const bench = options.bench;
  const results = new CheckResults(scan);
  const boundaries: TrustBoundary[] = [
    { id: 'cluster', kind: 'cluster', label: 'cluster' },
    { id: 'node:control-plane', kind: 'node', label: 'control-plane node', parent: 'cluster' },
    { id: 'node:worker', kind: 'node', label: 'worker node (every node that runs pods)', parent: 'cluster' },
  ];
  const elements: ThreatElement[] = [];
  const flows: DataFlow[] = [];
  const threats: Threat[] = [];
  const assumptions: string[] = [];
  const benchComponents = new Set(bench?.components ?? []);

  // Actors: outside the cluster.
  elements.push({ id: 'actor:external', kind: 'actor', label: 'External attacker', assumed: false, notes: ['reaches only what is exposed: Ingresses, LoadBalancer and NodePort Services'] });
  elements.push({ id: 'actor:user', kind: 'actor', label: 'Cluster users and CI (possibly a malicious insider)', assumed: false });
  elements.push({ id: 'actor:admin', kind: 'actor', label: 'Privileged user (cluster-admin)', assumed: false });

  // Control plane and node components.
  const componentWorkload = (name: string): WorkloadFacts | undefined => input.workloads.find((workload) => workload.namespace === 'kube-system' && (workload.ref.name === name || workload.ref.name.startsWith(`${name}-`)));
  for (const name of [...CONTROL_PLANE, ...NODE_COMPONENTS, 'coredns']) {
    const inBench = benchComponents.has(name);
    const inManifests = name === 'container-runtime' ? undefined : componentWorkload(name);
    const assumed = !inBench && inManifests === undefined;
    const boundary = (CONTROL_PLANE as readonly string[]).includes(name) ? 'node:control-plane' : 'node:worker';
    const notes = inBench ? [`seen by the node benchmark (${bench!.file})`] : inManifests !== undefined ? [`from ${inManifests.ref.kind} ${inManifests.namespace}/${inManifests.ref.name}`] : ['assumed: not in the input'];
    elements.push({
      id: `component:${name}`,
      kind: (CONTROL_PLANE as readonly string[]).includes(name) ? 'control-plane' : 'node-component',
      label: COMPONENT_LABELS[name] ?? name,
      boundary,
      assumed,
      notes,
      ...(inManifests !== undefined ? { object: inManifests.ref, location: locate(inManifests.object) } : {}),
    });
  }
  elements.push({ id: 'node:control-plane', kind: 'node', label: 'control-plane node', boundary: 'cluster', assumed: bench === undefined, notes: bench === undefined ? ['assumed: no node benchmark results'] : [`benchmark ${bench.benchmark}`] });
  elements.push({ id: 'node:worker', kind: 'node', label: 'worker nodes', boundary: 'cluster', assumed: true, notes: ['which pods share a node is decided at run time'] });
  if (bench === undefined) assumptions.push('No node benchmark results: control-plane components are assumed and their threats are unassessed (give --bench FILE from `rampart bench --format json`).');

  // Namespaces.
  const namespaceNames = new Set<string>();
  for (const namespace of input.namespaces) namespaceNames.add(namespace.name);
  for (const workload of input.workloads) namespaceNames.add(workload.namespace);
  for (const object of [...input.services, ...input.ingresses, ...input.secrets, ...input.serviceAccounts]) namespaceNames.add(object.namespace ?? 'default');
  const namespaceObjects = new Map(input.namespaces.map((namespace) => [namespace.name, namespace]));
  for (const name of [...namespaceNames].sort()) {
    const object = namespaceObjects.get(name);
    boundaries.push({ id: `ns:${name}`, kind: 'namespace', label: `namespace ${name}`, parent: 'cluster' });
    const enforce = object === undefined ? undefined : labelsOf(object)['pod-security.kubernetes.io/enforce'];
    elements.push({
      id: `namespace:${name}`,
      kind: 'namespace',
      label: name,
      boundary: `ns:${name}`,
      assumed: object === undefined,
      notes: [object === undefined ? 'no Namespace object in the input' : `Pod Security enforce: ${enforce ?? 'not labelled'}`],
      ...(object !== undefined ? { object: objectRef(object), location: locate(object) } : {}),
    });
  }

  // Workloads, each in its pod boundary with its containers inside.
  for (const workload of input.workloads) {
    const podBoundary = `pod:${workload.ref.kind}/${workload.namespace}/${workload.ref.name}`;
    boundaries.push({ id: podBoundary, kind: 'pod', label: `pod of ${workload.ref.kind} ${workload.ref.name}`, parent: `ns:${workload.namespace}` });
    for (const container of workload.containers) boundaries.push({ id: `${podBoundary}/${container}`, kind: 'container', label: `container ${container}`, parent: podBoundary });
    elements.push({
      id: workloadElementId(workload.ref),
      kind: 'workload',
      label: `${workload.ref.kind} ${workload.ref.name}`,
      boundary: podBoundary,
      assumed: false,
      object: workload.ref,
      location: locate(workload.object),
      notes: [`service account ${workload.serviceAccount}${workload.tokenMounted ? ' (token mounted)' : ' (token not mounted)'}`, ...workload.images.map((image) => `image ${image}`)],
    });
  }

  // Service accounts: defined, or named by a workload.
  const serviceAccounts = new Map<string, { namespace: string; name: string; object?: KubeObject }>();
  for (const object of input.serviceAccounts) serviceAccounts.set(`${object.namespace ?? 'default'}/${object.name}`, { namespace: object.namespace ?? 'default', name: object.name, object });
  for (const workload of input.workloads) {
    const key = `${workload.namespace}/${workload.serviceAccount}`;
    if (!serviceAccounts.has(key)) serviceAccounts.set(key, { namespace: workload.namespace, name: workload.serviceAccount });
  }
  for (const [, account] of [...serviceAccounts].sort(([a], [b]) => a.localeCompare(b))) {
    elements.push({
      id: serviceAccountElementId(account.namespace, account.name),
      kind: 'service-account',
      label: `ServiceAccount ${account.name}`,
      boundary: `ns:${account.namespace}`,
      assumed: account.object === undefined,
      ...(account.object !== undefined ? { object: objectRef(account.object), location: locate(account.object) } : {}),
      ...(account.object === undefined ? { notes: ['named by a workload, not defined in the input'] } : {}),
    });
  }

  // Entry points.
  for (const service of input.services) {
    const exposure = serviceExposure(service);
    elements.push({ id: `entry:Service/${service.namespace ?? 'default'}/${service.name}`, kind: 'entry-point', label: `Service ${service.name} (${exposure.type})`, boundary: `ns:${service.namespace ?? 'default'}`, assumed: false, object: objectRef(service), location: locate(service), notes: [exposure.external ? 'reachable from outside the cluster' : 'reachable inside the cluster only'] });
  }
  for (const ingress of input.ingresses) {
    elements.push({ id: `entry:Ingress/${ingress.namespace ?? 'default'}/${ingress.name}`, kind: 'entry-point', label: `Ingress ${ingress.name}`, boundary: `ns:${ingress.namespace ?? 'default'}`, assumed: false, object: objectRef(ingress), location: locate(ingress), notes: ['reachable from outside the cluster through the ingress controller'] });
  }

  // Secrets: defined, or read by a workload.
  const secretNames = new Map<string, KubeObject | undefined>();
  for (const secret of input.secrets) secretNames.set(`${secret.namespace ?? 'default'}/${secret.name}`, secret);
  for (const workload of input.workloads) for (const name of workload.secrets) if (!secretNames.has(`${workload.namespace}/${name}`)) secretNames.set(`${workload.namespace}/${name}`, undefined);
  for (const [key, object] of [...secretNames].sort(([a], [b]) => a.localeCompare(b))) {
    const [namespace, name] = key.split('/') as [string, string];
    elements.push({ id: `secret:${key}`, kind: 'secret', label: `Secret ${name}`, boundary: `ns:${namespace}`, assumed: object === undefined, ...(object !== undefined ? { object: objectRef(object), location: locate(object) } : { notes: ['read by a workload, not defined in the input'] }) });
  }

  // Registries.
  const registries = new Map<string, WorkloadFacts[]>();
  for (const workload of input.workloads) {
    for (const image of workload.images) {
      const registry = registryOf(image);
      const list = registries.get(registry) ?? [];
      if (!list.includes(workload)) list.push(workload);
      registries.set(registry, list);
    }
  }
  for (const [registry, users] of [...registries].sort(([a], [b]) => a.localeCompare(b))) {
    elements.push({ id: `registry:${registry}`, kind: 'registry', label: `registry ${registry}`, assumed: false, notes: [`${users.length} workload(s) pull from it`] });
  }

  // ---- Data flows.
  const benchControl = (ids: readonly string[], control: FlowControl['control']): FlowControl => {
    if (bench === undefined) return { control, state: 'unknown', evidence: ['no node benchmark results'], checks: ids.map((id) => `bench:${id}`) };
    const states = ids.map((id) => bench.controls.get(id)).filter((entry) => entry !== undefined && entry.status !== 'INFO');
    const evidence = states.map((entry) => `${entry!.id} ${entry!.status}: ${entry!.title}`);
    if (states.length === 0) return { control, state: 'unknown', evidence: ['the benchmark did not judge it'], checks: ids.map((id) => `bench:${id}`) };
    const passing = states.filter((entry) => entry!.status === 'PASS').length;
    const state: ControlState = passing === states.length ? 'present' : passing === 0 ? 'absent' : 'partial';
    return { control, state, evidence, checks: ids.map((id) => `bench:${id}`) };
  };
  const checkControl = (control: FlowControl['control'], checkIds: readonly string[], scope: Scope): FlowControl => {
    const failing = checkIds.flatMap((id) => results.findings(id, scope.matches));
    const judged = checkIds.some((id) => results.judgedOn(id, scope.objects));
    if (failing.length > 0) {
      const failedObjects = new Set(failing.map((finding) => refKey(finding.object)));
      const state: ControlState = failedObjects.size >= scope.objects.length ? 'absent' : 'partial';
      return { control, state, evidence: failing.slice(0, 5).map((finding) => `${finding.checkId}: ${finding.object.kind} ${finding.object.name}: ${finding.message}`), checks: [...checkIds] };
    }
    return { control, state: judged ? 'present' : 'unknown', evidence: judged ? [`${checkIds.join(', ')} pass`] : ['not judged'], checks: [...checkIds] };
  };
  const namespaceEnforce = [...namespaceNames].map((name) => {
    const object = namespaceObjects.get(name);
    return { name, level: object === undefined ? undefined : labelsOf(object)['pod-security.kubernetes.io/enforce'] };
  });
  const admission: FlowControl = (() => {
    const labelled = namespaceEnforce.filter((entry) => entry.level !== undefined && entry.level !== 'privileged');
    const evidence = namespaceEnforce.map((entry) => `namespace ${entry.name}: enforce ${entry.level ?? 'not labelled'}`);
    const state: ControlState = namespaceEnforce.length === 0 ? 'unknown' : labelled.length === namespaceEnforce.length ? 'present' : labelled.length === 0 ? 'absent' : 'partial';
    return { control: 'admission', state, evidence, checks: ['PSS-*'] };
  })();
  const flow = (id: string, from: string, to: string, label: string, controls: FlowControl[], lifecycle = false): void => {
    flows.push({ id, from, to, label, controls, lifecycle });
  };
  flow('flow:user-api', 'actor:user', 'component:kube-apiserver', '1. creates a workload (kubectl apply)', [benchControl(['1.2.1', '1.2.2', '1.2.25'], 'authentication'), benchControl(['1.2.6', '1.2.8'], 'authorization'), admission, benchControl(['1.2.24'], 'tls')], true);
  flow('flow:api-etcd', 'component:kube-apiserver', 'component:etcd', '2. stores the object', [benchControl(['1.2.23', '1.2.26', '2.1', '2.2'], 'tls'), benchControl(['1.2.27'], 'encryption-at-rest')], true);
  flow('flow:cm-api', 'component:kube-controller-manager', 'component:kube-apiserver', '3. controllers create the pods', [benchControl(['1.3.3'], 'authentication')], true);
  flow('flow:scheduler-api', 'component:kube-scheduler', 'component:kube-apiserver', '4. scheduler binds pods to nodes', [benchControl(['1.4.2'], 'authentication')], true);
  flow('flow:kubelet-api', 'component:kubelet', 'component:kube-apiserver', "5. kubelet reads its node's pods", [benchControl(['1.2.7', '1.2.14'], 'authorization')], true);
  flow('flow:kubelet-runtime', 'component:kubelet', 'component:container-runtime', '6. kubelet starts the containers (CRI)', [], true);
  flow('flow:api-kubelet', 'component:kube-apiserver', 'component:kubelet', 'exec, logs, port-forward', [benchControl(['1.2.4', '1.2.5'], 'tls'), benchControl(['4.2.1', '4.2.3'], 'authentication'), benchControl(['4.2.2'], 'authorization')]);
  flow('flow:admin-api', 'actor:admin', 'component:kube-apiserver', 'administers the cluster', [benchControl(['1.2.1', '1.2.25'], 'authentication'), benchControl(['1.2.16'], 'authorization')]);
  for (const [registry, users] of registries) {
    flow(`flow:registry-${registry}`, `registry:${registry}`, 'component:container-runtime', 'image pull', [
      checkControl('image-integrity', ['image-not-pinned-by-digest'], { objects: users.map((workload) => workload.ref), matches: (finding) => users.some((workload) => refKey(workload.ref) === refKey(finding.object)) && finding.message.includes(registry) }),
      benchControl(['1.2.11'], 'authentication'),
    ]);
  }
  const serviceByKey = new Map(input.services.map((service) => [`${service.namespace ?? 'default'}/${service.name}`, service]));
  const networkControl = (workloads: readonly WorkloadFacts[]): FlowControl => checkControl('network-policy', ['pod-not-selected-by-network-policy'], { objects: workloads.map((workload) => workload.ref), matches: (finding) => workloads.some((workload) => refKey(workload.ref) === refKey(finding.object)) });
  for (const ingress of input.ingresses) {
    const id = `entry:Ingress/${ingress.namespace ?? 'default'}/${ingress.name}`;
    const ref = objectRef(ingress);
    flow(`flow:external-${id}`, 'actor:external', id, 'HTTP(S) from the internet', [checkControl('tls', ['ingress-without-tls'], { objects: [ref], matches: (finding) => refKey(finding.object) === refKey(ref) })]);
    for (const backend of ingressBackends(ingress)) {
      const service = serviceByKey.get(backend);
      if (service === undefined) continue;
      flow(`flow:${id}->${backend}`, id, `entry:Service/${backend}`, 'routes to', []);
    }
  }
  for (const service of input.services) {
    const id = `entry:Service/${service.namespace ?? 'default'}/${service.name}`;
    if (serviceExposure(service).external) flow(`flow:external-${id}`, 'actor:external', id, 'connects from outside', []);
    const targets = selectedWorkloads(service, input.workloads);
    for (const workload of targets) flow(`flow:${id}->${workloadElementId(workload.ref)}`, id, workloadElementId(workload.ref), 'forwards to', [networkControl([workload])]);
  }
  for (const workload of input.workloads) {
    const workloadId = workloadElementId(workload.ref);
    if (workload.tokenMounted) {
      const account = `${workload.namespace}/${workload.serviceAccount}`;
      flow(`flow:${workloadId}->api`, workloadId, 'component:kube-apiserver', `calls the API as ${account}`, [
        checkControl('token-scope', ['RBAC-secrets-access', 'RBAC-pod-create', 'RBAC-wildcard-rule'], { objects: [], matches: (finding) => namesSubject(finding.message, `ServiceAccount ${account}`) }),
      ]);
    }
    for (const name of workload.secrets) flow(`flow:${workloadId}->secret:${workload.namespace}/${name}`, workloadId, `secret:${workload.namespace}/${name}`, 'reads', []);
  }

  // ---- Threats.
  const addThreat = (template: ThreatTemplate, target: string, targetLabel: string, scope: Scope | undefined, override?: { status: ThreatStatus; reason: string; evidence?: ThreatEvidence[] }): void => {
    const judged = override ?? evaluate(template, scope, results, bench);
    threats.push({
      id: `${template.id}@${target}`,
      template: template.id,
      title: template.title,
      stride: template.stride,
      description: template.description,
      target,
      targetLabel,
      attack: template.attack,
      msMatrix: template.msMatrix,
      mitigations: [...template.primary, ...template.supporting],
      status: judged.status,
      evidence: judged.evidence ?? [],
      reason: judged.reason,
    });
  };
  const objectScope = (refs: readonly ObjectRef[]): Scope => {
    const keys = new Set(refs.map(refKey));
    return { objects: refs, matches: (finding) => keys.has(refKey(finding.object)) };
  };
  const byScope = (scope: ThreatScope): ThreatTemplate[] => THREAT_TEMPLATES.filter((template) => template.scope === scope);
  for (const workload of input.workloads) {
    for (const template of byScope('workload')) addThreat(template, workloadElementId(workload.ref), `${workload.ref.kind} ${workload.namespace}/${workload.ref.name}`, objectScope([workload.ref]));
  }
  const scanRefsByNamespace = new Map<string, ObjectRef[]>();
  for (const scanned of scan.objects) {
    const namespace = scanned.object.kind === 'Namespace' ? scanned.object.name : scanned.object.namespace ?? 'default';
    const list = scanRefsByNamespace.get(namespace) ?? [];
    list.push(scanned.object);
    scanRefsByNamespace.set(namespace, list);
  }
  for (const name of [...namespaceNames].sort()) {
    const refs = scanRefsByNamespace.get(name) ?? [];
    for (const template of byScope('namespace')) {
      if (template.id === 'pod-admission') {
        const level = namespaceEnforce.find((entry) => entry.name === name)?.level;
        const object = namespaceObjects.get(name);
        const status: ThreatStatus = object === undefined ? 'unassessed' : level === 'restricted' ? 'mitigated' : level === 'baseline' ? 'partly' : level === 'privileged' ? 'open' : 'unassessed';
        const reason =
          object === undefined ? 'the Namespace is not in the input' : level === undefined ? 'no pod-security.kubernetes.io/enforce label; the cluster-wide admission default is not in the manifests' : `pod-security.kubernetes.io/enforce: ${level}`;
        addThreat(template, `namespace:${name}`, `namespace ${name}`, undefined, { status, reason });
        continue;
      }
      addThreat(template, `namespace:${name}`, `namespace ${name}`, objectScope(refs));
    }
  }
  for (const [, account] of [...serviceAccounts].sort(([a], [b]) => a.localeCompare(b))) {
    const marker = `ServiceAccount ${account.namespace}/${account.name}`;
    // RBAC findings sit on the Role's rule and name the bound subjects in their message.
    const scope: Scope = { objects: [], matches: (finding) => namesSubject(finding.message, marker), wholeInput: true };
    for (const template of byScope('service-account')) addThreat(template, serviceAccountElementId(account.namespace, account.name), marker, scope);
  }
  for (const service of input.services) for (const template of byScope('entry-point')) addThreat(template, `entry:Service/${service.namespace ?? 'default'}/${service.name}`, `Service ${service.namespace ?? 'default'}/${service.name}`, objectScope([objectRef(service)]));
  for (const ingress of input.ingresses) for (const template of byScope('entry-point')) addThreat(template, `entry:Ingress/${ingress.namespace ?? 'default'}/${ingress.name}`, `Ingress ${ingress.namespace ?? 'default'}/${ingress.name}`, objectScope([objectRef(ingress)]));
  for (const [registry, users] of [...registries].sort(([a], [b]) => a.localeCompare(b))) {
    const keys = new Set(users.map((workload) => refKey(workload.ref)));
    const images = [...new Set(users.flatMap((workload) => workload.images.filter((image) => registryOf(image) === registry)))];
    const scope: Scope = { objects: users.map((workload) => workload.ref), matches: (finding) => keys.has(refKey(finding.object)) && images.some((image) => finding.message.includes(`"${image}"`)) };
    for (const template of byScope('registry')) addThreat(template, `registry:${registry}`, `registry ${registry}`, scope);
  }
  const everything: Scope = { objects: scan.objects.map((scanned) => scanned.object), matches: () => true };
  for (const template of byScope('cluster-rbac')) addThreat(template, 'component:kube-apiserver', 'kube-apiserver', { ...everything, wholeInput: true });
  for (const template of byScope('container-runtime')) addThreat(template, 'component:container-runtime', 'container runtime', everything);
  for (const scope of ['kube-apiserver', 'etcd', 'kubelet', 'kube-controller-manager', 'kube-scheduler', 'coredns'] as const) {
    for (const template of byScope(scope)) addThreat(template, `component:${scope}`, COMPONENT_LABELS[scope] ?? scope, undefined);
  }
  // Flows: a missing TLS or authentication control is a threat against the flow itself.
  for (const entry of flows) {
    for (const control of entry.controls) {
      if (control.control !== 'tls' && control.control !== 'authentication') continue;
      const template: ThreatTemplate = { ...FLOW_TEMPLATES[control.control], primary: control.checks };
      const status: ThreatStatus = control.state === 'present' ? 'mitigated' : control.state === 'partial' ? 'partly' : control.state === 'absent' ? 'open' : 'unassessed';
      addThreat(template, entry.id, `${labelOf(elements, entry.from)} → ${labelOf(elements, entry.to)}`, undefined, { status, reason: control.evidence.join('; ') });
    }
  }
  const summary: Record<ThreatStatus, number> = { open: 0, partly: 0, mitigated: 0, unassessed: 0 };
  for (const threat of threats) summary[threat.status]++;
  const order: Record<ThreatStatus, number> = { open: 0, partly: 1, mitigated: 2, unassessed: 3 };
  threats.sort((a, b) => order[a.status] - order[b.status] || a.id.localeCompare(b.id));
  return { boundaries, elements, flows, threats, summary, assumptions };
}

/** Whether a message names the subject (`ServiceAccount shop/api`, not `ServiceAccount shop/api-v2`). */
export function namesSubject(message: string, marker: string): boolean {
  let at = message.indexOf(marker);
  while (at !== -1) {
    const next = message.charAt(at + marker.length);
    if (!/[a-z0-9.-]/.test(next)) return true;
    at = message.indexOf(marker, at + 1);
  }
  return false;
}

function labelOf(elements: readonly ThreatElement[], id: string): string {
  return elements.find((element) => element.id === id)?.label ?? id;
}
