/**
 * The on-disk spool of `detect serve`. Two append-only files in one
 * directory:
 *
 *   events.jsonl     one accepted event per line: {"k": key, "t": receipt ms, "e": event}
 *   processed.jsonl  one line per processed batch: {"k": [keys], "a": [alerts]}
 *
 * `append` resolves only after the lines are written and fdatasync'd; many
 * requests share one sync (group commit). A request is acknowledged after its
 * append resolves, so every acknowledged event is on disk.
 *
 * `markProcessed` writes the keys of a processed batch together with the
 * alerts it raised in a single write(2), so a batch is either recorded as
 * processed with its alerts or not at all. On start, `recover` replays every
 * spooled event whose key (auditID and stage) is not recorded as processed,
 * and the processed keys are remembered so a retried batch from the API
 * server is not processed twice. A torn last line (a crash mid-write, never
 * acknowledged) is ignored.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface SpooledEvent {
  readonly key: string;
  readonly receivedAt: number;
  readonly event: unknown;
}

interface PendingAppend {
  readonly data: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Keys remembered for de-duplication; beyond this the oldest are forgotten. */
const MAX_REMEMBERED_KEYS = 2_000_000;

export class Spool {
  private eventsFile: FileHandle | undefined;
  private processedFd: number | undefined;
  private pending: PendingAppend[] = [];
  private flushing = false;
  /** Keys of events accepted into the spool or processed; a key seen again is a retry. */
  private readonly known = new Set<string>();
  private readonly processed = new Set<string>();
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(readonly directory: string) {}

  get eventsPath(): string {
    return path.join(this.directory, 'events.jsonl');
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

  /** Opens the files and returns the spooled events not yet processed, in order. */
  async open(): Promise<SpooledEvent[]> {
    mkdirSync(this.directory, { recursive: true });
    for (const line of readLines(this.processedPath)) {
      const record = parseJson(line) as { k?: unknown } | undefined;
      if (record !== undefined && Array.isArray(record.k)) for (const key of record.k) if (typeof key === 'string') this.remember(this.processed, key);
    }
    const unprocessed: SpooledEvent[] = [];
    for (const line of readLines(this.eventsPath)) {
      const record = parseJson(line) as { k?: unknown; t?: unknown; e?: unknown } | undefined;
      if (record === undefined || typeof record.k !== 'string') continue;
      if (this.known.has(record.k)) continue;
      this.remember(this.known, record.k);
      if (!this.processed.has(record.k)) unprocessed.push({ key: record.k, receivedAt: typeof record.t === 'number' ? record.t : Date.now(), event: record.e });
    }
    for (const key of this.processed) this.remember(this.known, key);
    this.eventsFile = await open(this.eventsPath, 'a');
    this.processedFd = openSync(this.processedPath, 'a');
    return unprocessed;
  }

  /**
   * Appends events and resolves, with the events that were new, once they are
   * synced to disk. Keys already spooled are skipped; a key whose append is
   * still in flight (a concurrent retry) waits for that append, so nothing is
   * acknowledged before it is on disk.
   */
  async append(events: readonly SpooledEvent[]): Promise<SpooledEvent[]> {
    const fresh: SpooledEvent[] = [];
    const waits = new Set<Promise<void>>();
    for (const item of events) {
      const inflight = this.inflight.get(item.key);
      if (inflight !== undefined) waits.add(inflight);
      else if (!this.known.has(item.key)) fresh.push(item);
    }
    if (fresh.length > 0) {
      for (const item of fresh) this.remember(this.known, item.key);
      const data = fresh.map((item) => `${JSON.stringify({ k: item.key, t: item.receivedAt, e: item.event })}\n`).join('');
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
          await this.eventsFile!.write(batch.map((item) => item.data).join(''));
          await this.eventsFile!.datasync();
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Records a processed batch and its alerts in one write. */
  markProcessed(keys: readonly string[], alerts: readonly unknown[]): void {
    if (keys.length === 0) return;
    writeSync(this.processedFd!, `${JSON.stringify({ k: keys, a: alerts })}\n`);
    for (const key of keys) this.remember(this.processed, key);
  }

  /** Syncs the processed journal (called periodically and at shutdown; a lost tail is replayed, never skipped). */
  syncProcessed(): void {
    if (this.processedFd !== undefined) fdatasyncSync(this.processedFd);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.eventsFile?.close();
    this.eventsFile = undefined;
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

/** The de-duplication key of an event: auditID and stage (the same request is logged once per stage). */
export function eventKey(event: unknown, fallback: () => string): string {
  const record = event as { auditID?: unknown; stage?: unknown } | null;
  const auditID = typeof record?.auditID === 'string' && record.auditID !== '' ? record.auditID : undefined;
  const stage = typeof record?.stage === 'string' ? record.stage : '';
  return auditID !== undefined ? `${auditID}/${stage}` : fallback();
}
