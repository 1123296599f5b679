/**
 * `rampart watch`: list every type once, then keep one watch stream per type
 * open and apply ADDED/MODIFIED/DELETED events to an in-memory copy of the
 * objects (sanitized on arrival, like a scan). Changes are collected for a
 * short moment and handed to the evaluator with the list of objects that
 * changed: the first evaluation (and one after a relist) judges everything,
 * later ones judge only what the changes can affect (src/cluster/incremental.ts),
 * with the ordinary scan (the same Scanner, checks and exceptions as
 * `rampart scan`), so a watch says exactly what a scan would.
 */
import type { IncomingMessage } from 'node:http';
import type { FileBatch } from '../load/load.js';
import { isJsonObject, type JsonObject, type KubeObject } from '../model/types.js';
import { ClusterError, type ClusterConnection } from './connection.js';
import { resourceName, type ClusterResource } from './discovery.js';
import { readDiagnostics, toKubeObject } from './input.js';
import { collectionPath, newReadReport, readResources, type ReadOptions, type ReadReport } from './read.js';
import type { ObjectChange } from './incremental.js';
import { sanitize } from './sanitize.js';

export interface WatchEvaluation {
  readonly objects: number;
  /** Events applied since the previous evaluation. */
  readonly changes: number;
  /** True for the first evaluation and after a relist: judge everything (`batches` holds it all). */
  readonly full: boolean;
  /** The objects created, changed and deleted since the previous evaluation, one entry per object (first `before`, last `after`). */
  readonly changed: readonly ObjectChange[];
}

export interface WatcherOptions extends ReadOptions {
  /** How long changes are collected before an evaluation (default 150 ms). */
  readonly settleMs?: number;
  /** Seconds a watch request stays open before it is renewed (the server may end it sooner). */
  readonly watchTimeoutSeconds?: number;
}

export class ClusterWatcher {
  /** resource name → "namespace/name" → object. */
  private readonly store = new Map<string, Map<string, KubeObject>>();
  private readonly resourceVersions = new Map<string, string>();
  private readonly streams = new Set<IncomingMessage>();
  private report: ReadReport = newReadReport();
  private pending = 0;
  /** Changes since the previous evaluation, by resource and object key. */
  private changedObjects = new Map<string, { before: KubeObject | undefined; after: KubeObject | undefined }>();
  private relisted = true;
  private timer: NodeJS.Timeout | undefined;
  private evaluating: Promise<void> | undefined;
  private stopped = false;
  readonly file: string;
  /** Counts of watch events by type, for the metrics. */
  readonly eventCounts = { ADDED: 0, MODIFIED: 0, DELETED: 0, restarts: 0, unchanged: 0 };

  constructor(
    private readonly connection: ClusterConnection,
    private readonly resources: readonly ClusterResource[],
    private readonly options: WatcherOptions,
    /** Runs the scan over the batches; called once after the first list and after each settled burst of changes. */
    private readonly evaluate: (batches: AsyncIterable<FileBatch>, evaluation: WatchEvaluation) => Promise<void>,
    private readonly onError: (message: string) => void = () => undefined,
  ) {
    this.file = `cluster/${connection.context}`;
  }

  get objectCount(): number {
    let count = 0;
    for (const items of this.store.values()) count += items.size;
    return count;
  }

  /** Lists everything, evaluates once, then follows the watch streams until `stop`. */
  async start(): Promise<void> {
    for await (const page of readResources(this.connection, this.resources, this.report, this.options)) {
      const items = this.itemsOf(resourceName(page.resource));
      for (const raw of page.objects) items.set(keyOf(raw), toKubeObject(raw, this.file));
    }
    for (const [name, version] of this.report.resourceVersions) this.resourceVersions.set(name, version);
    await this.runEvaluation();
    for (const resource of this.resources) {
      const name = resourceName(resource);
      if (this.report.forbidden.includes(name) || !this.resourceVersions.has(name)) continue;
      void this.follow(resource);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
    await this.evaluating;
  }

  private itemsOf(name: string): Map<string, KubeObject> {
    let items = this.store.get(name);
    if (items === undefined) this.store.set(name, (items = new Map()));
    return items;
  }

  /** One watch stream after another for a type, each from the last resourceVersion seen; 410 relists the type. */
  private async follow(resource: ClusterResource): Promise<void> {
    const name = resourceName(resource);
    const base = collectionPath(resource, this.options.namespace);
    let failures = 0;
    while (!this.stopped) {
      const from = this.resourceVersions.get(name) ?? '';
      let expired = false;
      try {
        const response = await this.connection.stream(`${base}?watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(from)}&timeoutSeconds=${this.options.watchTimeoutSeconds ?? 300}`);
        if (response.statusCode === 410) expired = true;
        else if (response.statusCode !== 200) {
          response.resume();
          throw new ClusterError(`watch of ${name} answered HTTP ${response.statusCode}`);
        } else {
          failures = 0;
          expired = await this.consume(resource, response);
        }
      } catch (error) {
        if (this.stopped) return;
        failures++;
        this.onError(`watch of ${name} on context "${this.connection.context}" failed: ${error instanceof Error ? error.message : String(error)}; retrying`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** Math.min(failures, 5), 30_000)));
        continue;
      }
      if (expired && !this.stopped) await this.relist(resource);
    }
  }

  /** Applies a stream's events; true when the server said the resourceVersion is too old. */
  private consume(resource: ClusterResource, response: IncomingMessage): Promise<boolean> {
    const name = resourceName(resource);
    this.streams.add(response);
    return new Promise((resolve, reject) => {
      let buffer = '';
      let expired = false;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line === '') continue;
          if (this.applyEvent(resource, name, line) === 'expired') expired = true;
        }
      });
      response.on('end', () => {
        this.streams.delete(response);
        resolve(expired);
      });
      response.on('error', (error) => {
        this.streams.delete(response);
        reject(error);
      });
      response.on('close', () => {
        this.streams.delete(response);
        resolve(expired);
      });
    });
  }

  private applyEvent(resource: ClusterResource, name: string, line: string): 'expired' | 'ok' {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      this.onError(`watch of ${name}: a line that is not JSON was ignored`);
      return 'ok';
    }
    if (!isJsonObject(event) || !isJsonObject(event.object)) return 'ok';
    const type = event.type;
    const object = event.object;
    if (type === 'ERROR') return object.code === 410 ? 'expired' : 'ok';
    const metadata = isJsonObject(object.metadata) ? object.metadata : {};
    if (typeof metadata.resourceVersion === 'string') this.resourceVersions.set(name, metadata.resourceVersion);
    if (type === 'BOOKMARK') return 'ok';
    const raw = sanitize({ ...object, apiVersion: object.apiVersion ?? (resource.group === '' ? resource.version : `${resource.group}/${resource.version}`), kind: object.kind ?? resource.kind });
    const items = this.itemsOf(name);
    const previous = items.get(keyOf(raw));
    if (type === 'DELETED') {
      items.delete(keyOf(raw));
      this.noteChange(name, keyOf(raw), previous, undefined);
    } else if (type === 'ADDED' || type === 'MODIFIED') {
      // Most updates in a live cluster only touch status (dropped on arrival) or bookkeeping: nothing to judge again.
      if (type === 'MODIFIED' && previous !== undefined && sameContent(previous.raw, raw)) {
        items.set(keyOf(raw), toKubeObject(raw, this.file));
        this.eventCounts.unchanged++;
        return 'ok';
      }
      const next = toKubeObject(raw, this.file);
      items.set(keyOf(raw), next);
      this.noteChange(name, keyOf(raw), previous, next);
    } else return 'ok';
    if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.eventCounts[type]++;
    this.changed();
    return 'ok';
  }

  /** After 410 on a watch: list the type again and replace what is kept of it. */
  private async relist(resource: ClusterResource): Promise<void> {
    const name = resourceName(resource);
    this.eventCounts.restarts++;
    const report = newReadReport();
    const fresh = new Map<string, KubeObject>();
    try {
      for await (const page of readResources(this.connection, [resource], report, this.options)) {
        for (const raw of page.objects) fresh.set(keyOf(raw), toKubeObject(raw, this.file));
      }
    } catch (error) {
      this.onError(`relisting ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.store.set(name, fresh);
    this.relisted = true;
    const version = report.resourceVersions.get(name);
    if (version !== undefined) this.resourceVersions.set(name, version);
    this.changed();
  }

  private noteChange(resource: string, key: string, before: KubeObject | undefined, after: KubeObject | undefined): void {
    const id = `${resource}\u0000${key}`;
    const earlier = this.changedObjects.get(id);
    this.changedObjects.set(id, { before: earlier === undefined ? before : earlier.before, after });
  }

  private changed(): void {
    this.pending++;
    if (this.timer === undefined && !this.stopped) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.runEvaluation();
      }, this.options.settleMs ?? 150);
    }
  }

  private async runEvaluation(): Promise<void> {
    // One evaluation at a time; changes that arrive meanwhile schedule the next.
    while (this.evaluating !== undefined) await this.evaluating;
    const changes = this.pending;
    this.pending = 0;
    const full = this.relisted;
    this.relisted = false;
    const changed: ObjectChange[] = [];
    for (const { before, after } of this.changedObjects.values()) {
      if (before === undefined && after === undefined) continue;
      changed.push({ ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) });
    }
    this.changedObjects = new Map();
    const run = async (): Promise<void> => {
      const store = this.store;
      const file = this.file;
      const diagnostics = readDiagnostics(this.report, this.connection.context, file);
      async function* batches(): AsyncGenerator<FileBatch> {
        for (const items of store.values()) yield { file, objects: [...items.values()], diagnostics: [] };
        yield { file, objects: [], diagnostics };
      }
      try {
        await this.evaluate(batches(), { objects: this.objectCount, changes, full, changed });
      } catch (error) {
        // What the evaluator kept may now be behind the store: the next evaluation judges everything.
        this.relisted = true;
        this.onError(`evaluation failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    this.evaluating = run();
    await this.evaluating;
    this.evaluating = undefined;
  }
}

/** Equal once the fields that change on every write (resourceVersion, generation) are set aside. */
function sameContent(a: JsonObject, b: JsonObject): boolean {
  const strip = (object: JsonObject): string => {
    const metadata = isJsonObject(object.metadata) ? { ...object.metadata, resourceVersion: undefined, generation: undefined } : object.metadata;
    return JSON.stringify({ ...object, metadata });
  };
  return strip(a) === strip(b);
}

function keyOf(raw: JsonObject): string {
  const metadata = isJsonObject(raw.metadata) ? raw.metadata : {};
  return `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}

