/**
 * The attack graph: from entry points (the internet through exposed Services
 * and Ingresses, a compromised workload, a stolen identity) through the RBAC
 * engine's escalation steps and host access to crown jewels (Secrets, etcd,
 * nodes, cluster-admin). Lists one shortest path per start and jewel, and
 * recommends the changes that cut them: greedy set cover (take the change
 * that disconnects most start–jewel pairs, remove it, recompute), which is
 * not guaranteed minimal but is within a logarithmic factor of it.
 */
import { whoCan } from '../rbac/authorize.js';
import type { RbacPolicy } from '../rbac/policy.js';
import { buildPathGraph, resolveWitness, subjectVertexId, targetId, workloadId, type Edge, type PathInput, type WitnessJson } from '../rbac/paths.js';
import { ingressBackends, selectedWorkloads, serviceExposure } from './build.js';
import type { ThreatInput } from './input.js';
import type { ThreatModel } from './model.js';

export type AttackVertexKind = 'entry' | 'identity' | 'workload' | 'hub' | 'jewel';

export interface AttackVertex {
  readonly id: string;
  readonly label: string;
  readonly kind: AttackVertexKind;
  readonly start: boolean;
}

export interface AttackStep {
  readonly from: string;
  readonly to: string;
  readonly kind: string;
  readonly text: string;
  readonly witnesses: readonly WitnessJson[];
  /** The change that removes this step, when a change in the manifests can. */
  readonly change?: string;
}

export interface AttackPath {
  readonly id: string;
  readonly start: string;
  readonly startLabel: string;
  readonly jewel: string;
  readonly jewelLabel: string;
  readonly steps: readonly AttackStep[];
}

export interface Recommendation {
  readonly change: string;
  /** Start–jewel pairs that no longer connect once this change (and the ones ranked before it) is made. */
  readonly pathsCut: number;
  readonly paths: readonly string[];
}

export interface AttackGraph {
  readonly vertices: readonly AttackVertex[];
  /** One shortest path per start and jewel, shortest first. */
  readonly paths: readonly AttackPath[];
  readonly totalPaths: number;
  readonly recommendations: readonly Recommendation[];
  /** Paths no change in the manifests cuts (every step follows from Kubernetes itself). */
  readonly uncut: number;
  readonly notes: readonly string[];
}

export interface AttackGraphInput {
  readonly input: ThreatInput;
  readonly policy: RbacPolicy;
  readonly paths: PathInput;
  readonly model: ThreatModel;
  /** Paths kept in the result (all are counted). */
  readonly limit?: number;
}

interface GraphEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: string;
  readonly text: string;
  readonly witnesses: () => readonly WitnessJson[];
  readonly change: string | undefined;
}

const GRANT_KINDS = new Set(['create-pods', 'read-secrets', 'token-request', 'impersonate', 'bind', 'escalate', 'nodes-proxy', 'exec-into-pods', 'csr-approve', 'mutating-webhook', 'wildcard-admin', 'system-masters']);
const MAX_RECOMMENDATIONS = 25;

/** What to change to remove an RBAC-engine step, or undefined when the step follows from Kubernetes itself. */
function changeFor(edge: Edge, labelOf: (id: string) => string): string | undefined {
  if (edge.kind === 'host-access' || edge.kind === 'host-pid') return `${labelOf(edge.from).replace(/^compromised /, '')}: remove host access (${edge.witnesses.map((witness) => witness.what).join('; ')})`;
  if (edge.kind === 'acts-as-service-account') return `${labelOf(edge.from).replace(/^compromised /, '')}: set automountServiceAccountToken: false (if it does not call the API)`;
  if (edge.kind === 'token-secret') return `delete the long-lived token ${edge.witnesses[0]?.what ?? 'Secret'}`;
  if (edge.kind === 'privileged-namespace') return `${edge.witnesses[0]?.what ?? 'the namespace'}: enforce baseline or restricted Pod Security`;
  if (GRANT_KINDS.has(edge.kind)) {
    const binding = edge.witnesses.find((witness) => witness.object !== undefined && /Binding$/.test(witness.object.kind));
    if (binding?.object !== undefined) return `narrow ${binding.object.kind} ${binding.object.namespace === undefined ? '' : `${binding.object.namespace}/`}${binding.object.name} (${edge.text})`;
  }
  return undefined;
}

export function buildAttackGraph(source: AttackGraphInput): AttackGraph {
  const rbac = buildPathGraph(source.policy, source.paths);
  const vertices: AttackVertex[] = [];
  const index = new Map<string, number>();
  const incoming: GraphEdge[][] = [];
  const vertex = (id: string, label: string, kind: AttackVertexKind, start = false): number => {
    const existing = index.get(id);
    if (existing !== undefined) {
      if (start && !vertices[existing]!.start) vertices[existing] = { ...vertices[existing]!, start: true };
      return existing;
    }
    index.set(id, vertices.length);
    vertices.push({ id, label, kind, start });
    incoming.push([]);
    return vertices.length - 1;
  };
  const kindOf = (id: string): AttackVertexKind =>
    id.startsWith('target:') ? 'jewel' : id.startsWith('Workload:') ? 'workload' : id.startsWith('hub:') ? 'hub' : 'identity';
  const rbacLabel = (id: string): string => rbac.vertices.get(id)?.label ?? id;
  for (const entry of rbac.vertices.values()) vertex(entry.id, entry.label, kindOf(entry.id), entry.start);
  for (const list of rbac.incoming) {
    for (const edge of list) {
      incoming[index.get(edge.to)!]!.push({
        from: index.get(edge.from)!,
        to: index.get(edge.to)!,
        kind: edge.kind,
        text: edge.text,
        witnesses: () => edge.witnesses.map(resolveWitness),
        change: changeFor(edge, rbacLabel),
      });
    }
  }
  const addEdge = (from: number, to: number, kind: string, text: string, witnesses: readonly WitnessJson[] = [], change?: string): void => {
    incoming[to]!.push({ from, to, kind, text, witnesses: () => witnesses, change });
  };

  // Entry points: the internet reaches exposed Services and Ingresses, which forward to workloads.
  const external = vertex('entry:external', 'external attacker (the internet)', 'entry', true);
  const { input } = source;
  const serviceVertex = new Map<string, number>();
  for (const service of input.services) {
    const key = `${service.namespace ?? 'default'}/${service.name}`;
    const exposure = serviceExposure(service);
    const id = vertex(`entry:Service/${key}`, `Service ${key} (${exposure.type})`, 'entry');
    serviceVertex.set(key, id);
    const at = { what: `Service ${key}`, file: service.source.file };
    if (exposure.external) addEdge(external, id, 'exposed', `reaches the ${exposure.type} Service from outside`, [at], `Service ${key}: expose it through an Ingress with TLS, or restrict loadBalancerSourceRanges`);
    for (const workload of selectedWorkloads(service, input.workloads)) {
      const target = index.get(workloadId(workload.ref.kind, workload.namespace, workload.ref.name));
      if (target !== undefined) addEdge(id, target, 'forwards', `exploits the application behind Service ${key} (${workload.ref.kind} ${workload.ref.name})`);
    }
  }
  for (const ingress of input.ingresses) {
    const key = `${ingress.namespace ?? 'default'}/${ingress.name}`;
    const id = vertex(`entry:Ingress/${key}`, `Ingress ${key}`, 'entry');
    addEdge(external, id, 'exposed', `sends requests to Ingress ${key}`, [{ what: `Ingress ${key}`, file: ingress.source.file }]);
    for (const backend of ingressBackends(ingress)) {
      const service = serviceVertex.get(backend);
      if (service !== undefined) addEdge(id, service, 'routes', `routed to Service ${backend}`);
    }
  }

  // Crown jewels beyond the RBAC engine's targets: etcd, and the Secrets of each namespace.
  const nodes = index.get(targetId('nodes'))!;
  const etcd = vertex('jewel:etcd', 'etcd (every object and Secret, unencrypted unless encryption at rest is on)', 'jewel');
  addEdge(nodes, etcd, 'node-etcd', "root on a control-plane node reads etcd's data and client keys (where pods can be scheduled on it)");
  const namespacesWithSecrets = new Set<string>();
  for (const element of source.model.elements) if (element.kind === 'secret') namespacesWithSecrets.add(element.id.slice('secret:'.length).split('/')[0]!);
  for (const namespace of [...namespacesWithSecrets].sort()) {
    const jewel = vertex(`jewel:secrets:${namespace}`, `the Secrets of namespace ${namespace}`, 'jewel');
    for (const verb of ['list', 'get']) {
      const who = whoCan(source.policy, { kind: 'resource', verb, apiGroup: '', resource: 'secrets', subresource: '', name: '', namespace });
      for (const entry of who.entries) {
        // system:masters and the bootstrap policy's own bindings (controllers) are the cluster's machinery, not starts.
        if (entry.systemMasters || entry.grants.every((grant) => grant.binding.isDefault)) continue;
        const subject = entry.subject;
        const id = subjectVertexId(subject.kind, subject.name, subject.namespace);
        const from = vertex(id, `${subject.kind} ${subject.namespace === undefined ? '' : `${subject.namespace}/`}${subject.name}`, 'identity', true);
        if (incoming[jewel]!.some((edge) => edge.from === from)) continue;
        const grant = entry.grants.find((candidate) => !candidate.binding.isDefault)!;
        const binding = grant.binding;
        const bindingName = `${binding.kind} ${binding.namespace === undefined || binding.namespace === '' ? '' : `${binding.namespace}/`}${binding.name}`;
        const witnesses: WitnessJson[] = [{ what: bindingName, file: binding.object.source.file }, { what: `${grant.role.kind} ${grant.role.name} allows ${verb} on secrets`, file: grant.role.object.source.file }];
        addEdge(from, jewel, 'read-secrets', `can ${verb} Secrets in namespace ${namespace}`, witnesses, `narrow ${bindingName} (can ${verb} Secrets in namespace ${namespace})`);
      }
    }
  }

  const jewels = vertices.map((entry, at) => (entry.kind === 'jewel' ? at : -1)).filter((at) => at >= 0);
  const starts = vertices.map((entry, at) => (entry.start ? at : -1)).filter((at) => at >= 0);
  const removed = new Set<GraphEdge>();

  /** Shortest paths from every start to every jewel, skipping removed edges. */
  const search = (): Array<{ start: number; jewel: number; steps: GraphEdge[] }> => {
    const found: Array<{ start: number; jewel: number; steps: GraphEdge[] }> = [];
    for (const jewel of jewels) {
      const distance = new Int32Array(vertices.length).fill(-1);
      const next = new Array<GraphEdge | undefined>(vertices.length);
      distance[jewel] = 0;
      const queue = [jewel];
      for (let head = 0; head < queue.length; head++) {
        const at = queue[head]!;
        for (const edge of incoming[at]!) {
          if (removed.has(edge) || distance[edge.from] !== -1) continue;
          distance[edge.from] = distance[at]! + 1;
          next[edge.from] = edge;
          queue.push(edge.from);
        }
      }
      for (const start of starts) {
        if (start === jewel || distance[start]! <= 0) continue;
        const steps: GraphEdge[] = [];
        for (let at = start; at !== jewel; ) {
          const edge = next[at]!;
          steps.push(edge);
          at = edge.to;
        }
        found.push({ start, jewel, steps });
      }
    }
    return found.sort((a, b) => a.steps.length - b.steps.length || vertices[a.start]!.label.localeCompare(vertices[b.start]!.label) || vertices[a.jewel]!.label.localeCompare(vertices[b.jewel]!.label));
  };

  const pathId = (start: number, jewel: number): string => `${vertices[start]!.id} → ${vertices[jewel]!.id}`;
  const initial = search();
  const toPath = (found: { start: number; jewel: number; steps: GraphEdge[] }): AttackPath => ({
    id: pathId(found.start, found.jewel),
    start: vertices[found.start]!.id,
    startLabel: vertices[found.start]!.label,
    jewel: vertices[found.jewel]!.id,
    jewelLabel: vertices[found.jewel]!.label,
    steps: found.steps.map((edge) => ({ from: vertices[edge.from]!.id, to: vertices[edge.to]!.id, kind: edge.kind, text: edge.text, witnesses: edge.witnesses(), ...(edge.change === undefined ? {} : { change: edge.change }) })),
  });

  // Greedy cover: the change used by most current shortest paths, then recompute (other paths may take over).
  const recommendations: Recommendation[] = [];
  let current = initial;
  const edgesByChange = new Map<string, GraphEdge[]>();
  for (const list of incoming) for (const edge of list) if (edge.change !== undefined) (edgesByChange.get(edge.change) ?? edgesByChange.set(edge.change, []).get(edge.change)!).push(edge);
  while (current.length > 0 && recommendations.length < MAX_RECOMMENDATIONS) {
    const uses = new Map<string, number>();
    for (const found of current) for (const change of new Set(found.steps.flatMap((edge) => (edge.change === undefined ? [] : [edge.change])))) uses.set(change, (uses.get(change) ?? 0) + 1);
    if (uses.size === 0) break;
    const [best] = [...uses].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    for (const edge of edgesByChange.get(best) ?? []) removed.add(edge);
    const before = new Set(current.map((found) => pathId(found.start, found.jewel)));
    current = search();
    const after = new Set(current.map((found) => pathId(found.start, found.jewel)));
    const cut = [...before].filter((id) => !after.has(id));
    recommendations.push({ change: best, pathsCut: cut.length, paths: cut });
  }
  recommendations.sort((a, b) => b.pathsCut - a.pathsCut);
  const limit = source.limit ?? 500;
  const notes = [
    'Every workload is a possible start (a compromised pod), as are the subjects of bindings (stolen credentials) and the internet through exposed Services and Ingresses.',
    'Recommendations are a greedy set cover: each takes the change that most remaining shortest paths share, and counts the start–jewel pairs it disconnects; the set is small, not guaranteed minimal.',
  ];
  if (current.length > 0) notes.push(`${current.length} path(s) remain after the recommendations: their steps follow from Kubernetes itself or exceed ${MAX_RECOMMENDATIONS} changes.`);
  return { vertices, paths: initial.slice(0, limit).map(toPath), totalPaths: initial.length, recommendations, uncut: current.length, notes };
}
