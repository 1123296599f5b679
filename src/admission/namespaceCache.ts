/**
 * The webhook's watched cache of Namespaces: list every Namespace once (paged,
 * through the same ClusterConnection and list reader as `rampart scan
 * --cluster`), then follow one watch stream from the list's resourceVersion.
 *
 * - A watch that ends (the server's timeout, a restart, a load balancer) is
 *   reopened from the last resourceVersion seen; bookmarks move it forward.
 * - 410 Gone (as a status or as an ERROR event) means the history is
 *   compacted: the Namespaces are listed again and the new list replaces the
 *   old one in one step, so lookups never see a half-filled cache.
 * - Failures (unreachable server, 5xx, 403) are retried with exponential
 *   backoff; the last good view keeps answering meanwhile.
 * - `ready()` is false until the first list has completed (the server's
 *   /readyz follows it); `stalenessSeconds()` is the time since the last
 *   successful list, watch event or bookmark.
 */
import type { IncomingMessage } from 'node:http';
import { isJsonObject, type JsonObject } from '../model/types.js';
import type { ClusterConnection } from '../cluster/connection.js';
import { describe as describeError, statusMessage } from '../cluster/connection.js';
import type { ClusterResource } from '../cluster/discovery.js';
import { newReadReport, readResources } from '../cluster/read.js';
import type { NamespaceSource, NamespaceSourceStats } from './namespaces.js';

const NAMESPACES: ClusterResource = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
const WATCH_PATH = '/api/v1/namespaces';

export interface NamespaceCacheOptions {
  /** Seconds a watch request asks to stay open before it is renewed (default 300; the server may end it sooner). */
  readonly watchTimeoutSeconds?: number;
  /** First retry delay after a failure (default 500 ms); it doubles per consecutive failure up to `maxBackoffMs`. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How long a lookup of a namespace missing from the cache may take (default 2,000 ms). */
  readonly lookupTimeoutMs?: number;
  /** List page size (default 500). */
  readonly pageSize?: number;
  /** Where problems and reconnects are reported (the server's logger). */
  readonly log?: (level: 'info' | 'warn', message: string) => void;
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

type Labels = Readonly<Record<string, string>>;

export class WatchedNamespaceSource implements NamespaceSource {
  private byName = new Map<string, Labels>();
  private resourceVersion = '';
  private listed = false;
  private connected = false;
  private confirmedAt: number | undefined;
  private stopped = false;
  private stream: IncomingMessage | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly lookups = new Map<string, Promise<Labels | undefined>>();
  private readonly counts = { lists: 0, relists: 0, watches: 0, events: 0, failures: 0, lookups: 0 };
  private readonly firstList: Promise<void>;
  private resolveFirstList: () => void = () => undefined;
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(
    private readonly connection: ClusterConnection,
    private readonly options: NamespaceCacheOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.firstList = new Promise((resolve) => (this.resolveFirstList = resolve));
  }

  /** Starts listing and watching in the background; returns at once (`ready()` turns true after the first list). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves when the first list has completed (or at once after `close`). */
  whenReady(): Promise<void> {
    return this.firstList;
  }

  labels(name: string): Labels | undefined {
    return this.byName.get(name);
  }

  ready(): boolean {
    return this.listed;
  }

  stalenessSeconds(): number {
    // Before the first list the cache has never been current: report the time since start-up.
    return Math.max(0, (this.now() - (this.confirmedAt ?? this.startedAt)) / 1000);
  }

  /**
   * One GET of a namespace missing from the cache, bounded by `lookupTimeoutMs`; the answer fills the
   * cache until the watch says otherwise. Concurrent lookups of one name share one request.
   */
  lookup(name: string): Promise<Labels | undefined> {
    if (!this.listed || this.stopped) return Promise.resolve(undefined);
    const pending = this.lookups.get(name);
    if (pending !== undefined) return pending;
    const started = this.fetchOne(name).finally(() => this.lookups.delete(name));
    this.lookups.set(name, started);
    return started;
  }

  private async fetchOne(name: string): Promise<Labels | undefined> {
    this.counts.lookups++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.options.lookupTimeoutMs ?? 2000)));
    const fetch = (async (): Promise<Labels | undefined> => {
      const reply = await this.connection.request(`${WATCH_PATH}/${encodeURIComponent(name)}`);
      if (reply.status !== 200) return undefined;
      const parsed: unknown = JSON.parse(reply.body);
      const entry = isJsonObject(parsed) ? namespaceEntry(parsed) : undefined;
      if (entry === undefined || entry.name !== name) return undefined;
      // The watch may have delivered it meanwhile: its view wins.
      const known = this.byName.get(name);
      if (known !== undefined) return known;
      this.byName.set(name, entry.labels);
      return entry.labels;
    })().catch((error: unknown) => {
      this.log('warn', `looking up namespace ${name} failed: ${describeError(error)}`);
      return undefined;
    });
    try {
      return await Promise.race([fetch, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  stats(): NamespaceSourceStats {
    return { connected: this.connected, namespaces: this.byName.size, ...this.counts };
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  close(): void {
    this.stopped = true;
    this.connected = false;
    this.stream?.destroy();
    this.wake?.();
    this.resolveFirstList();
    this.connection.close();
  }

  /** Waits for the loop to end after `close` (tests). */
  async closed(): Promise<void> {
    this.close();
    await this.loop;
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.options.log?.(level, message);
  }

  private confirm(): void {
    this.confirmedAt = this.now();
  }

  private async run(): Promise<void> {
    let needList = true;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.list();
          needList = false;
        }
        const outcome = await this.watch();
        failures = 0;
        if (outcome === 'expired') {
          this.counts.relists++;
          this.log('info', `the namespace watch's resourceVersion ${this.resourceVersion} is too old (410 Gone); listing namespaces again`);
          needList = true;
        }
      } catch (error) {
        if (this.stopped) return;
        this.connected = false;
        failures++;
        this.counts.failures++;
        const wait = Math.min((this.options.initialBackoffMs ?? 500) * 2 ** Math.min(failures - 1, 16), this.options.maxBackoffMs ?? 30_000);
        this.log('warn', `namespace cache on context "${this.connection.context}": ${describeError(error)}; retrying in ${wait} ms`);
        await this.sleep(wait);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = undefined;
    });
  }

  /** Lists every Namespace and replaces the cache with the result in one step. */
  private async list(): Promise<void> {
    const report = newReadReport();
    const fresh = new Map<string, Labels>();
    for await (const page of readResources(this.connection, [NAMESPACES], report, { pageSize: this.options.pageSize ?? 500, concurrency: 1 })) {
      for (const object of page.objects) {
        const entry = namespaceEntry(object);
        if (entry !== undefined) fresh.set(entry.name, entry.labels);
      }
    }
    if (report.forbidden.length > 0) throw new Error(`the credentials may not list namespaces (403); the webhook's ClusterRole needs get, list and watch on namespaces`);
    const failed = report.failed[0];
    if (failed !== undefined) throw new Error(`listing namespaces failed: ${failed.reason}`);
    const version = report.resourceVersions.get('namespaces');
    if (version === undefined) throw new Error('the namespace list carried no resourceVersion to watch from');
    if (this.stopped) return;
    this.byName = fresh;
    this.resourceVersion = version;
    this.counts.lists++;
    this.confirm();
    if (!this.listed) {
      this.listed = true;
      this.log('info', `namespace cache filled: ${fresh.size} namespaces at resourceVersion ${version}`);
      this.resolveFirstList();
    }
  }

  /** One watch request, followed until it ends; 'expired' when the server answered 410 Gone. */
  private async watch(): Promise<'ended' | 'expired'> {
    const query = `watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.resourceVersion)}&timeoutSeconds=${this.options.watchTimeoutSeconds ?? 300}`;
    const response = await this.connection.stream(`${WATCH_PATH}?${query}`);
    if (response.statusCode === 410) {
      response.resume();
      return 'expired';
    }
    if (response.statusCode !== 200) {
      const body = await new Promise<string>((resolve) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text = (text + chunk).slice(0, 4096)));
        response.on('end', () => resolve(text));
        response.on('error', () => resolve(text));
      });
      throw new Error(`watching namespaces answered ${statusMessage({ status: response.statusCode ?? 0, headers: response.headers, body })}`);
    }
    if (this.stopped) {
      response.destroy();
      return 'ended';
    }
    this.counts.watches++;
    this.connected = true;
    this.stream = response;
    try {
      return await this.consume(response);
    } finally {
      this.stream = undefined;
      this.connected = false;
    }
  }

  private consume(response: IncomingMessage): Promise<'ended' | 'expired'> {
    // A stream that says nothing for longer than its own timeout is a dead connection (a silent network partition).
    const silenceMs = ((this.options.watchTimeoutSeconds ?? 300) + 60) * 1000;
    return new Promise((resolve, reject) => {
      let buffer = '';
      let outcome: 'ended' | 'expired' = 'ended';
      let settled = false;
      let silence = setTimeout(() => finish(new Error(`the namespace watch was silent for ${silenceMs / 1000} s`)), silenceMs);
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(silence);
        if (error !== undefined) response.destroy();
        if (error !== undefined && !this.stopped) reject(error);
        else resolve(outcome);
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        clearTimeout(silence);
        silence = setTimeout(() => finish(new Error(`the namespace watch was silent for ${silenceMs / 1000} s`)), silenceMs);
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line !== '' && this.apply(line) === 'expired') {
            outcome = 'expired';
            response.destroy();
          }
        }
        // A line this long is not a Namespace event: drop the stream rather than grow without bound.
        if (buffer.length > 4 * 1024 * 1024) finish(new Error('a namespace watch event longer than 4 MiB'));
      });
      response.on('end', () => finish());
      response.on('close', () => finish());
      response.on('error', (error) => finish(outcome === 'expired' ? undefined : error));
    });
  }

  private apply(line: string): 'expired' | 'ok' {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      this.log('warn', 'a namespace watch line that is not JSON was ignored');
      return 'ok';
    }
    if (!isJsonObject(event) || !isJsonObject(event.object)) return 'ok';
    const { type, object } = event;
    if (type === 'ERROR') {
      if (object.code === 410) return 'expired';
      this.log('warn', `the namespace watch reported an error: ${typeof object.message === 'string' ? object.message : JSON.stringify(object)}`);
      return 'ok';
    }
    const metadata = isJsonObject(object.metadata) ? object.metadata : {};
    if (typeof metadata.resourceVersion === 'string' && metadata.resourceVersion !== '') this.resourceVersion = metadata.resourceVersion;
    this.counts.events++;
    this.confirm();
    if (type === 'BOOKMARK') return 'ok';
    const entry = namespaceEntry(object);
    if (entry === undefined) return 'ok';
    if (type === 'DELETED') this.byName.delete(entry.name);
    else if (type === 'ADDED' || type === 'MODIFIED') this.byName.set(entry.name, entry.labels);
    return 'ok';
  }
}

/** A Namespace's name and string labels; undefined for anything without a name. */
function namespaceEntry(object: JsonObject): { name: string; labels: Labels } | undefined {
  const metadata = isJsonObject(object.metadata) ? object.metadata : undefined;
  if (metadata === undefined || typeof metadata.name !== 'string' || metadata.name === '') return undefined;
  const labels: Record<string, string> = {};
  if (isJsonObject(metadata.labels)) for (const [key, value] of Object.entries(metadata.labels)) if (typeof value === 'string') labels[key] = value;
  return { name: metadata.name, labels: Object.freeze(labels) };
}
