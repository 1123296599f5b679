/**
 * The one place that knows where pod templates live in each workload kind.
 * Checks receive the template already found; none of them looks for it.
 */
import { isJsonObject, type FieldPath, type JsonObject, type KubeObject } from './types.js';

/** Where a kind keeps its pod template: the paths of the pod's metadata and spec inside the object. */
export interface PodTemplateLocation {
  /** API group (`''` for the core group); `*` matches any group. */
  readonly group: string;
  readonly kind: string;
  readonly metadataPath: FieldPath;
  readonly specPath: FieldPath;
}

export interface PodTemplate {
  readonly metadataPath: FieldPath;
  readonly specPath: FieldPath;
  /** The pod template's metadata, or an empty object when absent. */
  readonly metadata: JsonObject;
  readonly spec: JsonObject;
}

export type PodTemplateResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'template'; readonly template: PodTemplate }
  | { readonly kind: 'invalid'; readonly path: FieldPath; readonly message: string };

const TEMPLATE = ['spec', 'template'] as const;

function at(group: string, kind: string, templatePath: FieldPath): PodTemplateLocation {
  return { group, kind, metadataPath: [...templatePath, 'metadata'], specPath: [...templatePath, 'spec'] };
}

export const BUILTIN_POD_TEMPLATE_LOCATIONS: readonly PodTemplateLocation[] = [
  { group: '', kind: 'Pod', metadataPath: ['metadata'], specPath: ['spec'] },
  at('', 'PodTemplate', ['template']),
  at('', 'ReplicationController', TEMPLATE),
  // extensions/v1beta1 served Deployments, ReplicaSets and DaemonSets before apps/v1.
  at('apps', 'Deployment', TEMPLATE),
  at('extensions', 'Deployment', TEMPLATE),
  at('apps', 'ReplicaSet', TEMPLATE),
  at('extensions', 'ReplicaSet', TEMPLATE),
  at('apps', 'DaemonSet', TEMPLATE),
  at('extensions', 'DaemonSet', TEMPLATE),
  at('apps', 'StatefulSet', TEMPLATE),
  at('batch', 'Job', TEMPLATE),
  // batch/v1 and batch/v1beta1 (removed in 1.25, still common in manifests).
  at('batch', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template']),
];

/** Custom resources with pod templates that Rampart knows out of the box; users add their own in the config file. */
export const DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS: readonly PodTemplateLocation[] = [
  at('argoproj.io', 'Rollout', TEMPLATE),
  at('apps.openshift.io', 'DeploymentConfig', TEMPLATE),
  at('apps.kruise.io', 'CloneSet', TEMPLATE),
  at('apps.kruise.io', 'StatefulSet', TEMPLATE),
  at('apps.kruise.io', 'DaemonSet', TEMPLATE),
];

/** Parses `spec.template` or `spec.jobTemplate.spec.template` into a path. */
export function parseTemplatePath(dotted: string): FieldPath {
  return dotted
    .split('.')
    .filter((segment) => segment !== '')
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

export class PodTemplateFinder {
  private readonly byKind = new Map<string, PodTemplateLocation[]>();

  constructor(locations: readonly PodTemplateLocation[] = [...BUILTIN_POD_TEMPLATE_LOCATIONS, ...DEFAULT_CUSTOM_POD_TEMPLATE_LOCATIONS]) {
    for (const location of locations) {
      const list = this.byKind.get(location.kind) ?? [];
      list.push(location);
      this.byKind.set(location.kind, list);
    }
  }

  locationFor(apiVersion: string, kind: string): PodTemplateLocation | undefined {
    const group = apiGroup(apiVersion);
    return this.byKind.get(kind)?.find((location) => location.group === group || location.group === '*');
  }

  /** Whether objects of this kind carry a pod template. */
  bearsPods(object: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
    return this.locationFor(object.apiVersion, object.kind) !== undefined;
  }

  find(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'raw'>): PodTemplateResult {
    const location = this.locationFor(object.apiVersion, object.kind);
    if (location === undefined) return { kind: 'none' };
    const spec = walk(object.raw, location.specPath);
    if (spec.problem !== undefined) return { kind: 'invalid', path: spec.problem.path, message: spec.problem.message };
    if (spec.value === undefined || spec.value === null) {
      return { kind: 'invalid', path: location.specPath.slice(0, spec.reached), message: `${object.kind} has no pod spec at ${location.specPath.join('.')}` };
    }
    if (!isJsonObject(spec.value)) {
      return { kind: 'invalid', path: location.specPath, message: `${location.specPath.join('.')} must be a mapping` };
    }
    const metadata = walk(object.raw, location.metadataPath).value;
    return {
      kind: 'template',
      template: {
        metadataPath: location.metadataPath,
        specPath: location.specPath,
        metadata: isJsonObject(metadata) ? metadata : {},
        spec: spec.value,
      },
    };
  }
}

interface WalkResult {
  value: unknown;
  reached: number;
  problem?: { path: FieldPath; message: string };
}

function walk(root: unknown, path: FieldPath): WalkResult {
  let node: unknown = root;
  for (let index = 0; index < path.length; index++) {
    if (node === undefined || node === null) return { value: undefined, reached: index };
    if (!isJsonObject(node)) {
      const where = path.slice(0, index);
      return { value: undefined, reached: index, problem: { path: where, message: `${where.join('.')} must be a mapping` } };
    }
    node = node[path[index] as string];
  }
  return { value: node, reached: path.length };
}
