/**
 * Where the webhook learns a namespace's labels. The decision core only sees
 * this interface; a file of Namespace objects (offline runs and tests) is one
 * implementation, a watched cache of the cluster's Namespaces is another
 * (plugged in by the live-cluster client).
 */
import { ClusterIndex } from '../model/clusterIndex.js';
import { loadFiles } from '../load/load.js';
import type { InputLimits } from '../load/limits.js';
import type { Diagnostic } from '../model/types.js';

export interface NamespaceSource {
  /** The namespace's labels, or undefined when the source does not know the namespace. */
  labels(name: string): Readonly<Record<string, string>> | undefined;
  /** False until the source has its first complete view (the server's /readyz follows it). */
  ready(): boolean;
  /** Seconds since the source last confirmed its view was current (0 for a static source). */
  stalenessSeconds(): number;
  /**
   * Asks the cluster for a namespace the source does not know yet (created a
   * moment ago, its watch event still on the way), as the API server's own Pod
   * Security admission does; undefined when it does not exist or cannot be read in time.
   */
  lookup?(name: string): Promise<Readonly<Record<string, string>> | undefined>;
  /** Stops watching, if the source watches anything. */
  close?(): void;
  /** The state of a watching source, for the metrics. */
  stats?(): NamespaceSourceStats;
}

export interface NamespaceSourceStats {
  /** A watch stream is open right now. */
  readonly connected: boolean;
  readonly namespaces: number;
  /** Complete lists (the first one and every relist). */
  readonly lists: number;
  /** Lists after 410 Gone. */
  readonly relists: number;
  /** Watch streams opened. */
  readonly watches: number;
  /** Watch events and bookmarks applied. */
  readonly events: number;
  /** Failed lists or watches (each followed by a backoff). */
  readonly failures: number;
  /** Namespaces asked for one by one because the cache did not know them. */
  readonly lookups: number;
}

/** A fixed set of namespaces, from memory. */
export class StaticNamespaceSource implements NamespaceSource {
  private readonly byName: ReadonlyMap<string, Readonly<Record<string, string>>>;

  constructor(namespaces: Readonly<Record<string, Readonly<Record<string, string>>>> = {}) {
    this.byName = new Map(Object.entries(namespaces));
  }

  labels(name: string): Readonly<Record<string, string>> | undefined {
    return this.byName.get(name);
  }

  ready(): boolean {
    return true;
  }

  stalenessSeconds(): number {
    return 0;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

/**
 * Namespaces read from YAML files with the project's loader (Namespace
 * objects, Lists of them; other kinds are ignored). Problems in the files
 * come back as diagnostics for the caller to report.
 */
export async function loadNamespaceFiles(paths: readonly string[], limits: InputLimits): Promise<{ source: StaticNamespaceSource; diagnostics: Diagnostic[] }> {
  const index = new ClusterIndex();
  const diagnostics: Diagnostic[] = [];
  for await (const batch of loadFiles(paths, limits)) {
    diagnostics.push(...batch.diagnostics);
    for (const object of batch.objects) if (object.kind === 'Namespace' && object.apiVersion === 'v1') index.addObject(object);
  }
  const namespaces: Record<string, Readonly<Record<string, string>>> = {};
  for (const info of index.allNamespaces()) namespaces[info.name] = info.labels;
  return { source: new StaticNamespaceSource(namespaces), diagnostics };
}
