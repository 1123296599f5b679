/**
 * The on-disk spool of `detect serve`. Two append-only files in one
 * directory:
 *
 *   events.log       accepted request bodies, each framed as a header line
 *                    {"t": receipt ms, "n": byte length} and the body's bytes
 *                    (written as received: no re-serialization), then "\n"
 *   processed.jsonl  one line per processed batch: {"k": [keys], "a": [alerts]}
 *
 * `append` resolves only after the lines are on disk (events.log is opened
 * with O_DSYNC, so the write returns when its data is durable); many requests
 * share one write (group commit). A request is acknowledged after its
 * append resolves, so every acknowledged event is on disk.
 *
 * When a start finds everything processed, both files are rotated to
 * `*.<ms>` (the newest five generations are kept) and the new journal begins
 * with a `{"remembered": [keys]}` line: the most recent keys, for retries.
 *
 * `markProcessed` writes the keys of a processed batch together with the
 * alerts it raised in a single write(2), so a batch is either recorded as
 * processed with its alerts or not at all. On start, `recover` replays every
 * spooled event whose key (auditID and stage) is not recorded as processed,
 * and the processed keys are remembered so a retried batch from the API
 * server is not processed twice. A torn last line (a crash mid-write, never
 * acknowledged) is ignored.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fdatasync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface SpooledEvent {
  readonly key: string;
  readonly receivedAt: number;
  readonly event: unknown;
}

interface PendingAppend {
  readonly data: readonly Buffer[];
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const NEWLINE = Buffer.from('\n');
/** Keys remembered for de-duplication; beyond this the oldest are forgotten. */
const MAX_REMEMBERED_KEYS = 500_000;
/** Rotated generations kept beside the current files. */
const KEPT_GENERATIONS = 5;

export class Spool {
  private eventsFile: FileHandle | undefined;
  private processedFd: number | undefined;
  private pending: PendingAppend[] = [];
  private flushing = false;
  /** Keys of events accepted into the spool or processed; a key seen again is a retry. */
  private readonly known = new Set<string>();
  private readonly processed = new Set<string>();
  private readonly inflight = new Map<string, Promise<void>>();
  private journalSync: Promise<void> | undefined;

  constructor(readonly directory: string) {}

  get eventsPath(): string {
    return path.join(this.directory, 'events.log');
  }

  get processedPath(): string {
    return path.join(this.directory, 'processed.jsonl');
  }

  private remember(set: Set<string>, key: string): void {
    set.add(key);
    if (set.size > MAX_REMEMBERED_KEYS) {
      const oldest = set.values().next();
      if (oldest.done !== true) set.delete(oldest.value);
    }
  }

  /**
   * Opens the files and returns the spooled events not yet processed, in
   * order. When every spooled event was processed, the files are rotated
   * (one previous generation is kept as `*.1`) and the new processed journal
   * starts with the most recent keys, so retries are still recognized and the
   * spool does not grow across restarts.
   */
  async open(): Promise<SpooledEvent[]> {
    mkdirSync(this.directory, { recursive: true });
    const pendingJournal = `${this.processedPath}.tmp`;
    if (!existsSync(this.processedPath) && existsSync(pendingJournal)) renameSync(pendingJournal, this.processedPath);
    // The whole journal, uncapped: forgetting a processed key here would process its event again.
    const processed = new Set<string>();
    for (const line of readLines(this.processedPath)) {
      const record = parseJson(line) as { k?: unknown; remembered?: unknown } | undefined;
      for (const keys of [record?.k, record?.remembered]) if (Array.isArray(keys)) for (const key of keys) if (typeof key === 'string') processed.add(key);
    }
    const unprocessed: SpooledEvent[] = [];
    const spooled = new Set<string>();
    for (const record of readBodies(this.eventsPath)) {
      for (const event of eventsOfBody(record.body)) {
        const key = eventKey(event);
        if (spooled.has(key)) continue;
        spooled.add(key);
        if (!processed.has(key)) unprocessed.push({ key, receivedAt: record.receivedAt, event });
      }
    }
    const recent = [...processed].slice(-MAX_REMEMBERED_KEYS);
    for (const key of recent) {
      this.remember(this.processed, key);
      this.remember(this.known, key);
    }
    for (const item of unprocessed) this.remember(this.known, item.key);
    if (unprocessed.length === 0 && spooled.size > 0) {
      const descriptor = openSync(pendingJournal, 'w');
      // Keys carried over from the previous generation: remembered for retries, not processed again.
      writeSync(descriptor, `${JSON.stringify({ remembered: recent })}\n`);
      fdatasyncSync(descriptor);
      closeSync(descriptor);
      const generation = Date.now();
      renameSync(this.eventsPath, `${this.eventsPath}.${generation}`);
      renameSync(this.processedPath, `${this.processedPath}.${generation}`);
      renameSync(pendingJournal, this.processedPath);
      this.pruneGenerations();
    }
    // O_DSYNC: a write returns once its data is on disk, so a group commit is one thread-pool round trip (not a write, then a sync).
    this.eventsFile = await open(this.eventsPath, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC);
    this.processedFd = openSync(this.processedPath, 'a');
    return unprocessed;
  }

  /**
   * Appends events and resolves, with the events that were new, once they are
   * synced to disk. Keys already spooled are skipped; a key whose append is
   * still in flight (a concurrent retry) waits for that append, so nothing is
   * acknowledged before it is on disk.
   */
  async append(events: readonly SpooledEvent[], body: Buffer, receivedAt: number): Promise<SpooledEvent[]> {
    const fresh: SpooledEvent[] = [];
    const waits = new Set<Promise<void>>();
    for (const item of events) {
      const inflight = this.inflight.get(item.key);
      if (inflight !== undefined) waits.add(inflight);
      else if (!this.known.has(item.key)) fresh.push(item);
    }
    if (fresh.length > 0) {
      for (const item of fresh) this.remember(this.known, item.key);
      const data = [Buffer.from(`${JSON.stringify({ t: receivedAt, n: body.length })}\n`), body, NEWLINE];
      const written = new Promise<void>((resolve, reject) => {
        this.pending.push({ data, resolve, reject });
        void this.flush();
      });
      for (const item of fresh) this.inflight.set(item.key, written);
      try {
        await written;
      } catch (error) {
        for (const item of fresh) this.known.delete(item.key);
        throw error;
      } finally {
        for (const item of fresh) this.inflight.delete(item.key);
      }
    }
    await Promise.all(waits);
    return fresh;
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        try {
          const buffers = batch.flatMap((item) => item.data);
          const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
          const { bytesWritten } = await this.eventsFile!.writev(buffers);
          // A short write (rare: disk full, signals) is finished before anyone is acknowledged.
          if (bytesWritten < total) await this.eventsFile!.write(Buffer.concat(buffers).subarray(bytesWritten));
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Keeps the newest KEPT_GENERATIONS rotated generations. */
  private pruneGenerations(): void {
    const generations = readdirSync(this.directory)
      .map((name) => /^events\.log\.(\d+)$/.exec(name)?.[1])
      .filter((value): value is string => value !== undefined)
      .sort((a, b) => Number(b) - Number(a));
    for (const old of generations.slice(KEPT_GENERATIONS)) {
      rmSync(path.join(this.directory, `events.log.${old}`), { force: true });
      rmSync(path.join(this.directory, `processed.jsonl.${old}`), { force: true });
    }
  }

  /** Records a processed batch and its alerts in one write. */
  markProcessed(keys: readonly string[], alerts: readonly unknown[]): void {
    if (keys.length === 0) return;
    writeSync(this.processedFd!, `${JSON.stringify({ k: keys, a: alerts })}\n`);
    for (const key of keys) this.remember(this.processed, key);
  }

  /**
   * Syncs the processed journal in the thread pool (called periodically; a
   * lost tail is replayed, never skipped), so the event loop does not wait for
   * the disk. At most one sync is in flight; resolves when it is done.
   */
  syncProcessed(): Promise<void> {
    if (this.processedFd === undefined) return Promise.resolve();
    this.journalSync ??= new Promise<void>((resolve) => {
      fdatasync(this.processedFd!, () => {
        this.journalSync = undefined;
        resolve();
      });
    });
    return this.journalSync;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.eventsFile?.close();
    this.eventsFile = undefined;
    await this.journalSync;
    if (this.processedFd !== undefined) {
      fdatasyncSync(this.processedFd);
      closeSync(this.processedFd);
      this.processedFd = undefined;
    }
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n');
  // A last line without its newline was torn by a crash mid-write; it was never acknowledged or recorded.
  lines.pop();
  return lines.filter((line) => line !== '');
}

/**
 * The de-duplication key of an event: auditID and stage (the same request is
 * logged once per stage); an event without auditID is keyed by a hash of its
 * content, which receipt and recovery compute alike.
 */
export function eventKey(event: unknown): string {
  const record = event as { auditID?: unknown; stage?: unknown } | null;
  const auditID = typeof record?.auditID === 'string' && record.auditID !== '' ? record.auditID : undefined;
  const stage = typeof record?.stage === 'string' ? record.stage : '';
  return auditID !== undefined ? `${auditID}/${stage}` : `sha1:${createHash('sha1').update(JSON.stringify(event)).digest('hex')}`;
}

interface BodyRecord {
  readonly receivedAt: number;
  readonly body: Buffer;
}

/** The framed request bodies of events.log; a torn last record (a crash mid-write, never acknowledged) is ignored. */
function readBodies(file: string): BodyRecord[] {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return [];
  }
  const records: BodyRecord[] = [];
  let offset = 0;
  while (offset < data.length) {
    const newline = data.indexOf(10, offset);
    if (newline < 0) break;
    const header = parseJson(data.subarray(offset, newline).toString('utf8')) as { t?: unknown; n?: unknown } | undefined;
    if (header === undefined || typeof header.n !== 'number' || typeof header.t !== 'number') break;
    const start = newline + 1;
    const end = start + header.n;
    if (end + 1 > data.length || data[end] !== 10) break;
    records.push({ receivedAt: header.t, body: data.subarray(start, end) });
    offset = end + 1;
  }
  return records;
}

/** The events of a spooled body (an EventList or one Event); malformed ones were refused at receipt and are left out again here. */
export function eventsOfBody(body: Buffer): unknown[] {
  const value = parseJson(body.toString('utf8')) as { kind?: unknown; items?: unknown } | undefined;
  if (value === undefined || value === null || typeof value !== 'object') return [];
  if (value.kind === 'EventList' && Array.isArray(value.items)) return value.items;
  return value.kind === 'Event' ? [value] : [];
}
