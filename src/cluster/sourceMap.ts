/**
 * `--source-map DIR`: the manifests a cluster was deployed from. A live object
 * with the same group, kind, namespace and name as a manifest takes that
 * manifest's provenance, so its findings name file:line (a field the API
 * server added, a default say, points at the nearest field the manifest has).
 */
import type { InputLimits } from '../load/limits.js';
import { loadFiles } from '../load/load.js';
import { apiGroup } from '../model/podTemplates.js';
import type { Diagnostic, ObjectSource } from '../model/types.js';

export class SourceMap {
  private readonly sources = new Map<string, ObjectSource>();
  readonly diagnostics: Diagnostic[] = [];

  static async load(paths: readonly string[], limits?: InputLimits): Promise<SourceMap> {
    const map = new SourceMap();
    for await (const batch of loadFiles(paths, limits)) {
      // Problems in the manifests are the offline scan's business; only missing paths are worth saying here.
      map.diagnostics.push(...batch.diagnostics.filter((diagnostic) => diagnostic.code === 'path-not-found'));
      for (const object of batch.objects) {
        for (const key of [SourceMap.key(object.apiVersion, object.kind, object.namespace ?? '', object.name), SourceMap.key(undefined, object.kind, object.namespace ?? '', object.name)]) {
          if (!map.sources.has(key)) map.sources.set(key, object.source);
        }
      }
    }
    return map;
  }

  /** Without apiVersion: any group (a manifest of extensions/v1beta1 Deployment is the cluster's apps/v1 one). */
  private static key(apiVersion: string | undefined, kind: string, namespace: string, name: string): string {
    return JSON.stringify([apiVersion === undefined ? '*' : apiGroup(apiVersion), kind, namespace, name]);
  }

  /** A manifest without a namespace matches the live object in `default` (where kubectl apply put it). */
  find(apiVersion: string, kind: string, namespace: string | undefined, name: string): ObjectSource | undefined {
    const namespaces = namespace === 'default' ? ['default', ''] : [namespace ?? ''];
    for (const group of [apiVersion, undefined]) {
      for (const candidate of namespaces) {
        const source = this.sources.get(SourceMap.key(group, kind, candidate, name));
        if (source !== undefined) return source;
      }
    }
    return undefined;
  }
}
