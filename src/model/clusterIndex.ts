/**
 * What checks may know about the rest of the input beyond the object at hand.
 * Kept small on purpose: it grows one index at a time as checks need it.
 */
import { isJsonObject, type KubeObject } from './types.js';

export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly object: KubeObject;
}

export class ClusterIndex {
  private readonly namespaces = new Map<string, NamespaceInfo>();

  addObject(object: KubeObject): void {
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
}
