/**
 * Reads the discovered resources page by page and hands the pages on as they
 * arrive, so nothing here holds more than a few pages: a bounded number of
 * lists run at once, and a list waits while the consumer is behind.
 *
 * - `limit`/`continue` paging; a 410 Gone on a continue token restarts that
 *   list and skips the objects already handed on.
 * - 403 on a type: the type is recorded as forbidden and skipped.
 * - Items arrive without apiVersion and kind (as the API server sends them);
 *   they are set from the list, and `sanitize` runs before anything else.
 */
import { isJsonObject, type JsonObject } from '../model/types.js';
import { ClusterError, statusMessage, type ClusterConnection } from './connection.js';
import { apiVersionOf, resourceName, type ClusterResource } from './discovery.js';
import { sanitize } from './sanitize.js';

export interface ReadOptions {
  /** Read namespaced types in this namespace only (cluster-scoped types are still read). */
  readonly namespace?: string;
  readonly pageSize?: number;
  /** Lists in flight at once. */
  readonly concurrency?: number;
}

export interface ListedPage {
  readonly resource: ClusterResource;
  readonly objects: JsonObject[];
}

/** What a read met besides objects; filled while it runs. */
export interface ReadReport {
  /** Resources the credentials may not list (`secrets`, `roles.rbac.authorization.k8s.io`). */
  readonly forbidden: string[];
  /** Types that failed for another reason, with the reason. */
  readonly failed: Array<{ resource: string; reason: string }>;
  /** Lists restarted after 410 Gone. */
  restarts: number;
  objects: number;
  /** The collection resourceVersion each list ended at (for watches that follow). */
  readonly resourceVersions: Map<string, string>;
}

export function newReadReport(): ReadReport {
  return { forbidden: [], failed: [], restarts: 0, objects: 0, resourceVersions: new Map() };
}

const MAX_RESTARTS = 3;

export function collectionPath(resource: ClusterResource, namespace: string | undefined): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  return resource.namespaced && namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.plural}` : `${base}/${resource.plural}`;
}

/** Every object of the resources, page by page. */
export async function* readResources(connection: ClusterConnection, resources: readonly ClusterResource[], report: ReadReport, options: ReadOptions = {}): AsyncGenerator<ListedPage> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const queue: ListedPage[] = [];
  const maxQueued = concurrency * 2;
  let wakeConsumer: (() => void) | undefined;
  const producersWaiting: Array<() => void> = [];
  let failure: unknown;
  let running = 0;
  let next = 0;

  const push = async (page: ListedPage): Promise<void> => {
    while (queue.length >= maxQueued) await new Promise<void>((resolve) => producersWaiting.push(resolve));
    queue.push(page);
    wakeConsumer?.();
  };
  const startNext = (): void => {
    while (running < concurrency && next < resources.length && failure === undefined) {
      const resource = resources[next++] as ClusterResource;
      running++;
      listResource(connection, resource, report, options, push)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          running--;
          startNext();
          wakeConsumer?.();
        });
    }
  };
  startNext();
  while (true) {
    const page = queue.shift();
    if (page !== undefined) {
      producersWaiting.shift()?.();
      yield page;
      continue;
    }
    if (failure !== undefined) throw failure;
    if (running === 0 && next >= resources.length) return;
    await new Promise<void>((resolve) => (wakeConsumer = resolve));
    wakeConsumer = undefined;
  }
}

async function listResource(connection: ClusterConnection, resource: ClusterResource, report: ReadReport, options: ReadOptions, push: (page: ListedPage) => Promise<void>): Promise<void> {
  const name = resourceName(resource);
  const base = collectionPath(resource, options.namespace);
  const apiVersion = apiVersionOf(resource);
  // Under -n, the Namespace type means that one namespace.
  if (resource.group === '' && resource.plural === 'namespaces' && options.namespace !== undefined) {
    const reply = await connection.request(`${base}/${encodeURIComponent(options.namespace)}`);
    if (reply.status === 403) report.forbidden.push(name);
    else if (reply.status === 404) report.failed.push({ resource: name, reason: `namespace ${options.namespace} does not exist` });
    else if (reply.status !== 200) report.failed.push({ resource: name, reason: statusMessage(reply) });
    else {
      const object = parseObject(reply.body);
      if (object !== undefined) {
        report.objects++;
        await push({ resource, objects: [sanitize({ apiVersion, kind: resource.kind, ...object })] });
      }
    }
    return;
  }
  const limit = options.pageSize ?? 500;
  let token = '';
  let restarts = 0;
  // Keys handed on so far: after a restart the list begins again, and these are skipped (a few MB for 100k objects).
  const handedOn = new Set<string>();
  while (true) {
    const reply = await connection.request(`${base}?limit=${limit}${token !== '' ? `&continue=${encodeURIComponent(token)}` : ''}`);
    if (reply.status === 403) {
      report.forbidden.push(name);
      return;
    }
    if (reply.status === 410 && token !== '' && restarts < MAX_RESTARTS) {
      restarts++;
      report.restarts++;
      token = '';
      continue;
    }
    if (reply.status === 404) return; // the type went away between discovery and list
    if (reply.status !== 200) {
      report.failed.push({ resource: name, reason: statusMessage(reply) });
      return;
    }
    const list = parseObject(reply.body);
    if (list === undefined || !Array.isArray(list.items)) throw new ClusterError(`GET ${base} on context "${connection.context}" did not answer a list`);
    const objects: JsonObject[] = [];
    for (const item of list.items) {
      if (!isJsonObject(item)) continue;
      const key = identity(item);
      if (handedOn.has(key)) continue;
      handedOn.add(key);
      objects.push(sanitize({ apiVersion, kind: resource.kind, ...item }));
    }
    report.objects += objects.length;
    if (objects.length > 0) await push({ resource, objects });
    const metadata = isJsonObject(list.metadata) ? list.metadata : {};
    token = typeof metadata.continue === 'string' ? metadata.continue : '';
    if (token === '') {
      if (typeof metadata.resourceVersion === 'string') report.resourceVersions.set(name, metadata.resourceVersion);
      return;
    }
  }
}

function identity(item: JsonObject): string {
  const metadata = isJsonObject(item.metadata) ? item.metadata : {};
  return `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Every object of a namespace has been handed on: nothing of it comes later in this read. */
export interface NamespaceComplete {
  readonly complete: string;
}

/** One namespaced type's list, read ahead by at most one page. */
class ListCursor {
  private readonly pages: JsonObject[][] = [];
  private page: JsonObject[] = [];
  private index = 0;
  private done = false;
  private failure: unknown;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(readonly resource: ClusterResource, connection: ClusterConnection, report: ReadReport, options: ReadOptions) {
    listResource(connection, resource, report, options, async (listed) => {
      while (this.pages.length > 0) await new Promise<void>((resolve) => (this.wakeProducer = resolve));
      this.pages.push(listed.objects);
      this.wakeConsumer?.();
    })
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.done = true;
        this.wakeConsumer?.();
      });
  }

  /** The next object, without taking it; undefined at the end of the list. */
  async peek(): Promise<JsonObject | undefined> {
    while (this.index >= this.page.length) {
      const next = this.pages.shift();
      if (next !== undefined) {
        this.page = next;
        this.index = 0;
        this.wakeProducer?.();
        this.wakeProducer = undefined;
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.done) {
        this.page = [];
        return undefined;
      }
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
      this.wakeConsumer = undefined;
    }
    return this.page[this.index];
  }

  take(): void {
    this.index++;
  }
}

/**
 * The key a list is ordered by: the API server hands list pages on in the
 * order of its storage keys (`…/<namespace>/<name>`; a continue token is the
 * last key handed on), so one namespace is a contiguous run of every
 * namespaced list. The trailing slash makes the order that of the keys
 * (`a-b/` sorts before `a/`).
 */
function namespaceKey(object: JsonObject): string {
  const metadata = isJsonObject(object.metadata) ? object.metadata : {};
  return `${typeof metadata.namespace === 'string' ? metadata.namespace : ''}/`;
}

/**
 * Every object of the resources, namespace by namespace: cluster-scoped types
 * first (Namespaces, RBAC, webhooks), then all namespaced lists at once (one
 * list per type, each read ahead by a page), merged on the storage key, with
 * a `{ complete: namespace }` after the last object of each namespace. The
 * requests are the same as `readResources`; what is held at once is a page
 * or two per type. Should a server hand a list on out of key order, a
 * namespace would be completed twice; the Scanner reports objects that arrive
 * after their namespace was judged.
 */
export async function* readInNamespaceOrder(
  connection: ClusterConnection,
  resources: readonly ClusterResource[],
  report: ReadReport,
  options: ReadOptions = {},
): AsyncGenerator<ListedPage | NamespaceComplete> {
  yield* readResources(
    connection,
    resources.filter((resource) => !resource.namespaced),
    report,
    options,
  );
  const cursors = resources.filter((resource) => resource.namespaced).map((resource) => new ListCursor(resource, connection, report, options));
  const chunk = Math.max(1, options.pageSize ?? 500);
  while (true) {
    let current: string | undefined;
    for (const next of await Promise.all(cursors.map((cursor) => cursor.peek()))) {
      if (next === undefined) continue;
      const key = namespaceKey(next);
      if (current === undefined || key < current) current = key;
    }
    if (current === undefined) return;
    for (const cursor of cursors) {
      let objects: JsonObject[] = [];
      for (let next = await cursor.peek(); next !== undefined && namespaceKey(next) === current; next = await cursor.peek()) {
        objects.push(next);
        cursor.take();
        if (objects.length >= chunk) {
          yield { resource: cursor.resource, objects };
          objects = [];
        }
      }
      if (objects.length > 0) yield { resource: cursor.resource, objects };
    }
    yield { complete: current.slice(0, -1) };
  }
}
