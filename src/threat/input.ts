/**
 * What the threat model and the attack graph need from the input, collected
 * while objects stream by (only the kinds they use are kept), plus node
 * benchmark results read from `rampart bench --format json`.
 */
import { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView } from '../model/podView.js';
import { isJsonObject, objectRef, type KubeObject, type ObjectRef } from '../model/types.js';
import { summariseWorkload, type WorkloadInfo } from '../rbac/paths.js';

export interface WorkloadFacts {
  readonly object: KubeObject;
  readonly ref: ObjectRef;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly tokenMounted: boolean;
  /** The pod template's labels, for Service selectors. */
  readonly labels: Readonly<Record<string, string>>;
  readonly images: readonly string[];
  readonly containers: readonly string[];
  /** Secrets the pod reads (env, envFrom, volumes, image pull secrets). */
  readonly secrets: readonly string[];
  readonly info: WorkloadInfo;
}

export interface BenchControl {
  readonly id: string;
  readonly title: string;
  readonly status: 'PASS' | 'FAIL' | 'WARN' | 'INFO';
  readonly details: readonly string[];
  /** The node file that is the evidence (a manifest, a kubelet config), when the benchmark names one. */
  readonly file?: string;
  readonly line?: number;
}

export interface BenchData {
  readonly file: string;
  readonly benchmark: string;
  /** Components the benchmark found on the node (kube-apiserver, etcd, kubelet, …). */
  readonly components: readonly string[];
  readonly controls: ReadonlyMap<string, BenchControl>;
}

export interface ThreatInput {
  readonly namespaces: readonly KubeObject[];
  readonly workloads: readonly WorkloadFacts[];
  readonly services: readonly KubeObject[];
  readonly ingresses: readonly KubeObject[];
  readonly secrets: readonly KubeObject[];
  readonly serviceAccounts: readonly KubeObject[];
}

export class ThreatInputCollector {
  private readonly namespaces: KubeObject[] = [];
  private readonly workloadObjects: Array<{ object: KubeObject; pod: ReturnType<typeof buildPodView> }> = [];
  private readonly services: KubeObject[] = [];
  private readonly ingresses: KubeObject[] = [];
  private readonly secrets: KubeObject[] = [];
  private readonly serviceAccounts = new Map<string, KubeObject>();

  constructor(private readonly podTemplates: PodTemplateFinder = new PodTemplateFinder()) {}

  observe(object: KubeObject): void {
    if (object.apiVersion === 'v1') {
      if (object.kind === 'Namespace') return void this.namespaces.push(object);
      if (object.kind === 'Service') return void this.services.push(object);
      if (object.kind === 'Secret') return void this.secrets.push(object);
      if (object.kind === 'ServiceAccount') return void this.serviceAccounts.set(`${object.namespace ?? 'default'}/${object.name}`, object);
    }
    if (object.kind === 'Ingress' && object.apiVersion.startsWith('networking.k8s.io/')) return void this.ingresses.push(object);
    const template = this.podTemplates.find(object);
    if (template.kind === 'template') this.workloadObjects.push({ object, pod: buildPodView(template.template) });
  }

  finish(): ThreatInput {
    const workloads = this.workloadObjects.map(({ object, pod }): WorkloadFacts => {
      const info = summariseWorkload(object, pod, this.serviceAccounts);
      const images = pod.containers.map((container) => (typeof container.raw.image === 'string' ? container.raw.image : '')).filter((image) => image !== '');
      return {
        object,
        ref: objectRef(object),
        namespace: info.namespace,
        serviceAccount: info.serviceAccount,
        tokenMounted: info.tokenNotMounted === undefined,
        labels: stringMap(pod.metadata.labels),
        images: [...new Set(images)],
        containers: pod.containers.map((container) => container.name),
        secrets: secretsOf(pod.spec),
        info,
      };
    });
    return { namespaces: this.namespaces, workloads, services: this.services, ingresses: this.ingresses, secrets: this.secrets, serviceAccounts: [...this.serviceAccounts.values()] };
  }
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isJsonObject(value)) for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') out[key] = entry;
  return out;
}

/** Names of the Secrets a pod spec reads. */
function secretsOf(spec: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') names.add(value);
  };
  for (const key of ['containers', 'initContainers']) {
    const containers = spec[key];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isJsonObject(container)) continue;
      if (Array.isArray(container.env)) {
        for (const variable of container.env) {
          if (isJsonObject(variable) && isJsonObject(variable.valueFrom) && isJsonObject(variable.valueFrom.secretKeyRef)) add(variable.valueFrom.secretKeyRef.name);
        }
      }
      if (Array.isArray(container.envFrom)) {
        for (const source of container.envFrom) if (isJsonObject(source) && isJsonObject(source.secretRef)) add(source.secretRef.name);
      }
    }
  }
  if (Array.isArray(spec.volumes)) {
    for (const volume of spec.volumes) {
      if (!isJsonObject(volume)) continue;
      if (isJsonObject(volume.secret)) add(volume.secret.secretName);
      if (isJsonObject(volume.projected) && Array.isArray(volume.projected.sources)) {
        for (const source of volume.projected.sources) if (isJsonObject(source) && isJsonObject(source.secret)) add(source.secret.name);
      }
    }
  }
  if (Array.isArray(spec.imagePullSecrets)) for (const entry of spec.imagePullSecrets) if (isJsonObject(entry)) add(entry.name);
  return [...names].sort();
}

/** The registry host of an image reference (`docker.io` when the reference names none). */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash === -1) return 'docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

export class BenchFileError extends Error {}

/** Reads `rampart bench --format json` output; a file of another shape is a clear error. */
export function parseBenchJson(text: string, file: string): BenchData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BenchFileError(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isJsonObject(data) || !Array.isArray(data.sections) || !Array.isArray(data.components)) {
    throw new BenchFileError(`${file} is not a \`rampart bench --format json\` report (no sections and components)`);
  }
  const controls = new Map<string, BenchControl>();
  for (const section of data.sections) {
    if (!isJsonObject(section) || !Array.isArray(section.results)) continue;
    for (const result of section.results) {
      if (!isJsonObject(result) || typeof result.id !== 'string') continue;
      const status = result.status;
      if (status !== 'PASS' && status !== 'FAIL' && status !== 'WARN' && status !== 'INFO') continue;
      controls.set(result.id, {
        id: result.id,
        title: typeof result.title === 'string' ? result.title : result.id,
        status,
        details: Array.isArray(result.details) ? result.details.filter((detail): detail is string => typeof detail === 'string') : [],
        ...(typeof result.file === 'string' ? { file: result.file } : {}),
        ...(typeof result.line === 'number' ? { line: result.line } : {}),
      });
    }
  }
  const components = data.components.flatMap((component) => (isJsonObject(component) && typeof component.name === 'string' ? [component.name] : []));
  const benchmark = isJsonObject(data.benchmark) && typeof data.benchmark.id === 'string' ? data.benchmark.id : 'cis';
  return { file, benchmark, components: [...new Set(components)], controls };
}
