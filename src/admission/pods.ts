/**
 * Where the webhook reads the pods of one namespace, when a Namespace update
 * tightens its Pod Security enforce level and Rampart (as Pod Security
 * Admission does) warns about the existing pods the new level would reject.
 *
 * Two sources, beside the two namespace sources: pods listed on demand from
 * the cluster (one namespace, page by page, at most `limit` pods, within a
 * deadline), and pods read from files for offline runs and tests. Pages are
 * handed on as they arrive, so a namespace with thousands of pods never sits
 * in memory whole.
 */
import type { ClusterConnection } from '../cluster/connection.js';
import { describe as describeError, statusMessage } from '../cluster/connection.js';
import type { InputLimits } from '../load/limits.js';
import { loadFiles } from '../load/load.js';
import { isJsonObject, type Diagnostic, type JsonObject } from '../model/types.js';

export interface PodListOptions {
  /** Pods wanted at most; the source may stop after this many. */
  readonly limit: number;
  /** Wall-clock time (`Date.now()` ms) after which the listing fails with `PodListTimeout`. */
  readonly deadline: number;
}

export interface PodPage {
  readonly pods: readonly JsonObject[];
  /** Pods in the namespace in all, when the source knows it (the API server's remainingItemCount). */
  readonly total?: number;
}

export interface PodSource {
  /** The namespace's pods, page by page (a source may stop at `limit`, or hand on more); throws `PodListTimeout` past the deadline and `PodListError` when the pods cannot be read. */
  pods(namespace: string, options: PodListOptions): AsyncIterable<PodPage>;
}

export class PodListError extends Error {}
export class PodListTimeout extends PodListError {}

/** Pods from memory, grouped by namespace (files, tests). */
export class StaticPodSource implements PodSource {
  private readonly byNamespace = new Map<string, JsonObject[]>();

  constructor(pods: Iterable<JsonObject> = []) {
    for (const pod of pods) {
      const metadata = isJsonObject(pod.metadata) ? pod.metadata : {};
      const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
      const list = this.byNamespace.get(namespace) ?? [];
      list.push(pod);
      this.byNamespace.set(namespace, list);
    }
  }

  count(): number {
    let total = 0;
    for (const list of this.byNamespace.values()) total += list.length;
    return total;
  }

  /** Every pod of the namespace in one page (they are in memory anyway): the caller prioritises and cuts. */
  async *pods(namespace: string): AsyncIterable<PodPage> {
    const all = this.byNamespace.get(namespace) ?? [];
    yield { pods: all, total: all.length };
  }
}

/** The Pods (v1) of YAML/JSON files, read with the scanner's loader; other kinds are ignored. */
export async function loadPodFiles(paths: readonly string[], limits: InputLimits): Promise<{ source: StaticPodSource; diagnostics: Diagnostic[] }> {
  const pods: JsonObject[] = [];
  const diagnostics: Diagnostic[] = [];
  for await (const batch of loadFiles(paths, limits)) {
    diagnostics.push(...batch.diagnostics);
    for (const object of batch.objects) if (object.kind === 'Pod' && object.apiVersion === 'v1') pods.push(object.raw);
  }
  return { source: new StaticPodSource(pods), diagnostics };
}

export interface ClusterPodSourceOptions {
  /** Pods per list request (default 500). */
  readonly pageSize?: number;
}

/**
 * Lists one namespace's pods through the cluster connection (the credentials
 * need `list` on `pods`). Each page is awaited against the deadline; a page
 * that arrives late is dropped (the request itself ends with the connection's
 * own timeout).
 */
export class ClusterPodSource implements PodSource {
  constructor(
    private readonly connection: ClusterConnection,
    private readonly options: ClusterPodSourceOptions = {},
  ) {}

  async *pods(namespace: string, options: PodListOptions): AsyncIterable<PodPage> {
    const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
    const pageSize = Math.max(1, this.options.pageSize ?? 500);
    let token = '';
    let listed = 0;
    do {
      const limit = Math.min(pageSize, options.limit - listed);
      const query = `limit=${limit}${token === '' ? '' : `&continue=${encodeURIComponent(token)}`}`;
      const reply = await withDeadline(this.connection.request(`${base}?${query}`), options.deadline, namespace);
      if (reply.status === 403) throw new PodListError(`the credentials may not list pods in namespace "${namespace}" (403); the webhook's ClusterRole needs list on pods`);
      if (reply.status !== 200) throw new PodListError(`listing the pods of namespace "${namespace}" answered ${statusMessage(reply)}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(reply.body);
      } catch {
        throw new PodListError(`listing the pods of namespace "${namespace}" answered something that is not JSON`);
      }
      const metadata = isJsonObject(parsed) && isJsonObject(parsed.metadata) ? parsed.metadata : {};
      const items = isJsonObject(parsed) && Array.isArray(parsed.items) ? parsed.items.filter(isJsonObject) : [];
      listed += items.length;
      token = typeof metadata.continue === 'string' ? metadata.continue : '';
      const remaining = typeof metadata.remainingItemCount === 'number' ? metadata.remainingItemCount : undefined;
      yield { pods: items, ...(remaining !== undefined ? { total: listed + remaining } : token === '' ? { total: listed } : {}) };
    } while (token !== '' && listed < options.limit);
  }
}

async function withDeadline<T>(work: Promise<T>, deadline: number, namespace: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PodListTimeout(`listing the pods of namespace "${namespace}" took longer than the time allowed`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([
      work.catch((error: unknown) => {
        throw error instanceof PodListError ? error : new PodListError(`listing the pods of namespace "${namespace}" failed: ${describeError(error)}`);
      }),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
