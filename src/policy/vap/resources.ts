/**
 * What the API server knows about an object's kind that a manifest does not
 * say: its resource (plural) and whether it is namespaced. Built-in kinds come
 * from Rampart's resource table, custom kinds from CustomResourceDefinitions
 * in the input; otherwise the plural is guessed the way kubectl does and the
 * scope from the presence of a namespace.
 */
import { isJsonObject, type KubeObject } from '../../model/types.js';
import { BUILTIN_RESOURCES } from '../../rbac/builtinResources.js';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface ResourceInfo extends GroupVersionKind {
  readonly resource: string;
  readonly namespaced: boolean;
  /** How the resource was found: `builtin`, `crd` or `guessed`. */
  readonly source: 'builtin' | 'crd' | 'guessed';
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

interface CrdEntry {
  readonly plural: string;
  readonly namespaced: boolean;
}

export class ResourceCatalogue {
  private readonly crds = new Map<string, CrdEntry>();

  addCustomResourceDefinition(object: KubeObject): void {
    const spec = object.raw.spec;
    if (!isJsonObject(spec) || !isJsonObject(spec.names)) return;
    const { group } = spec;
    const { kind, plural } = spec.names;
    if (typeof group !== 'string' || typeof kind !== 'string' || typeof plural !== 'string') return;
    this.crds.set(`${group}/${kind}`, { plural, namespaced: spec.scope !== 'Cluster' });
  }

  /** True when the API server would know this kind: built in, or defined by a CRD in the input. */
  knows(apiVersion: string, kind: string): boolean {
    const { group } = splitApiVersion(apiVersion);
    return this.crds.has(`${group}/${kind}`) || BUILTIN_RESOURCES.some((entry) => entry.group === group && entry.kind === kind);
  }

  describe(object: KubeObject): ResourceInfo {
    const { group, version } = splitApiVersion(object.apiVersion);
    const kind = object.kind;
    const builtin = BUILTIN_RESOURCES.find((entry) => entry.group === group && entry.kind === kind);
    if (builtin !== undefined) return { group, version, kind, resource: builtin.resource, namespaced: builtin.namespaced, source: 'builtin' };
    const crd = this.crds.get(`${group}/${kind}`);
    if (crd !== undefined) return { group, version, kind, resource: crd.plural, namespaced: crd.namespaced, source: 'crd' };
    return { group, version, kind, resource: guessPlural(kind), namespaced: object.namespace !== undefined, source: 'guessed' };
  }
}

export function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
