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
 * Rotation: when a start finds everything processed, and while running
 * whenever everything spooled is processed and events.log has grown past
 * `maxSegmentBytes` or is older than `maxSegmentAgeMs`, both files are renamed
 * to `*.<generation>` and only the newest `keepGenerations` rotated
 * generations are kept, so disk use stays bounded in a long-running server.
 * The new journal begins with a `{"remembered": [keys], "state": …}` line:
 * the most recent keys (retries are still recognized after a restart) and
 * the checkpoint of the correlation state.
 *
 * Checkpoints: `checkpoint(state)` appends `{"state": …}` to the journal.
 * On start, `restoredState` is the last checkpoint and `processedSinceCheckpoint`
 * the events recorded as processed after it (from the current events.log, in
 * the order they were processed), which the caller runs through the rules
 * again, alerts discarded, to rebuild the state exactly as it was.
 *
 * `markProcessed` writes the keys of a processed batch together with the
 * alerts it raised in a single write(2), so a batch is either recorded as
 * processed with its alerts or not at all. On start, `recover` replays every
 * spooled event whose key (a digest of its bytes) is not recorded as processed,
 * and the processed keys are remembered so a retried batch from the API
 * server is not processed twice. A torn last record (a crash mid-write,
 * never acknowledged; SIGKILL can stop a write(2) at a page boundary) is
 * cut off before the files are opened for appending again, so the next
 * record does not run on from the torn bytes and get lost with them.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fdatasync, fdatasyncSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writev, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DigestSet } from './digestSet.js';
import { readRequest } from './eventList.js';

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
const EVENTS_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_DSYNC;
/** Keys remembered for de-duplication; beyond this the oldest are forgotten. */
const MAX_REMEMBERED_KEYS = 500_000;
/** Keys written at the head of a new journal after a rotation (the most recent). */
const CARRIED_KEYS = 20_000;

export interface SpoolOptions {
  /** Rotate once events.log is this large (bytes) and everything in it is processed; default 64 MiB. */
  readonly maxSegmentBytes?: number;
  /** …or this old (ms); default one hour. */
  readonly maxSegmentAgeMs?: number;
  /** Rotated generations kept beside the current files; default 5. */
  readonly keepGenerations?: number;
}

export class Spool {
  private eventsFd: number | undefined;
  private segmentBytes = 0;
  private segmentOpenedAt = 0;
  private lastGeneration = 0;
  private readonly maxSegmentBytes: number;
  private readonly maxSegmentAgeMs: number;
  private readonly keepGenerations: number;
  /** The last checkpointed state found on start (undefined when none). */
  restoredState: unknown = undefined;
  /** Events recorded as processed after that checkpoint, in processing order. */
  processedSinceCheckpoint: SpooledEvent[] = [];
  /** Rotations done while running (for /metrics and tests). */
  rotations = 0;
  private processedFd: number | undefined;
  private pending: PendingAppend[] = [];
  private flushing = false;
  /** Keys of events accepted into the spool or processed; a key seen again is a retry (16 bytes each, off the heap). */
  private readonly known = new DigestSet(MAX_REMEMBERED_KEYS);
  private readonly recent: string[] = new Array<string>(CARRIED_KEYS);
  private recentNext = 0;
  private recentCount = 0;
  private readonly inflight = new Map<string, Promise<void>>();
  private journalSync: Promise<void> | undefined;

  constructor(
    readonly directory: string,
    options: SpoolOptions = {},
  ) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? 64 * 1024 * 1024;
    this.maxSegmentAgeMs = options.maxSegmentAgeMs ?? 3_600_000;
    this.keepGenerations = options.keepGenerations ?? 5;
  }

  get eventsPath(): string {
    return path.join(this.directory, 'events.log');
  }

  get processedPath(): string {
    return path.join(this.directory, 'processed.jsonl');
  }

  /**
   * Opens the files and returns the spooled events not yet processed, in
   * order. `rebuild` receives the last checkpointed state and the events
   * processed after it and returns the state as of now. When every spooled
   * event was processed, the files are rotated and the new processed journal
   * starts with the most recent keys and that state, so retries are still
   * recognized and the spool does not grow across restarts.
   */
  async open(rebuild?: (restored: unknown, since: readonly SpooledEvent[]) => unknown): Promise<SpooledEvent[]> {
    mkdirSync(this.directory, { recursive: true });
    const pendingJournal = `${this.processedPath}.tmp`;
    if (existsSync(pendingJournal)) {
      // A crash between the two renames of a rotation, or inside a running rotation.
      if (!existsSync(this.processedPath)) renameSync(pendingJournal, this.processedPath);
      else this.finishInterruptedRotation(pendingJournal);
    }
    this.lastGeneration = Math.max(0, ...this.generations().map(Number));
    // The whole journal, uncapped: forgetting a processed key here would process its event again.
    const processed = new Set<string>();
    let sinceCheckpoint: string[] = [];
    const journal = readLines(this.processedPath);
    cutTornTail(this.processedPath, journal);
    for (const item of journal.records) {
      const record = item as { k?: unknown; remembered?: unknown; state?: unknown } | null;
      if (record !== undefined && record !== null && 'state' in record) {
        this.restoredState = record.state;
        sinceCheckpoint = [];
      }
      if (Array.isArray(record?.remembered)) for (const key of record.remembered) if (typeof key === 'string') processed.add(key);
      if (Array.isArray(record?.k))
        for (const key of record.k)
          if (typeof key === 'string') {
            processed.add(key);
            sinceCheckpoint.push(key);
          }
    }
    const replayKeys = new Set(sinceCheckpoint);
    const replayEvents = new Map<string, SpooledEvent>();
    const unprocessed: SpooledEvent[] = [];
    const spooled = new Set<string>();
    /** Legacy journal keys (audit ID and stage) of spooled events, and the digest key each has now. */
    const upgraded = new Map<string, string>();
    const bodies = readBodies(this.eventsPath);
    cutTornTail(this.eventsPath, bodies);
    for (const record of bodies.records) {
      // Malformed bodies were refused at receipt and are left out again here.
      const request = readRequest(record.body);
      if (!request.ok) continue;
      request.items.forEach((event, index) => {
        const key = request.keys[index]!;
        if (spooled.has(key)) return;
        spooled.add(key);
        // A journal written before keys were digests names the event by its audit ID and stage.
        const legacy = processed.has(key) ? undefined : legacyEventKey(event);
        const journalKey = legacy === undefined ? key : processed.has(legacy) ? legacy : undefined;
        if (journalKey !== undefined && journalKey !== key) upgraded.set(journalKey, key);
        if (journalKey === undefined) unprocessed.push({ key, receivedAt: record.receivedAt, event });
        else if (replayKeys.has(journalKey)) replayEvents.set(journalKey, { key, receivedAt: record.receivedAt, event });
      });
    }
    this.processedSinceCheckpoint = sinceCheckpoint.map((key) => replayEvents.get(key)).filter((item): item is SpooledEvent => item !== undefined);
    const recent = [...processed].slice(-MAX_REMEMBERED_KEYS).map((key) => upgraded.get(key) ?? key);
    for (const key of recent) {
      this.rememberProcessed(key);
      this.known.add(key);
    }
    for (const item of unprocessed) this.known.add(item.key);
    // The caller rebuilds its state from the checkpoint and the events after it before a rotation moves those events away.
    const state = rebuild !== undefined ? rebuild(this.restoredState, this.processedSinceCheckpoint) : this.restoredState;
    if (unprocessed.length === 0 && spooled.size > 0) this.rotateFiles(recent.slice(-CARRIED_KEYS), state);
    this.openFiles();
    return unprocessed;
  }

  private openFiles(): void {
    // O_DSYNC: a write returns once its data is on disk, so a group commit is one thread-pool round trip (not a write, then a sync).
    this.eventsFd = openSync(this.eventsPath, EVENTS_FLAGS);
    this.segmentBytes = fstatSync(this.eventsFd).size;
    this.segmentOpenedAt = Date.now();
    this.processedFd = openSync(this.processedPath, 'a');
  }

  /**
   * Renames events.log and processed.jsonl to a new generation, the new
   * journal (synced before the renames) starting with the carried keys and
   * state. A crash at any point leaves either the old journal or the new one
   * in place, and the events of the old generation were all processed.
   */
  private rotateFiles(carried: readonly string[], state: unknown): void {
    const pendingJournal = `${this.processedPath}.tmp`;
    const descriptor = openSync(pendingJournal, 'w');
    // Keys carried over from the previous generation: remembered for retries, not processed again.
    writeSync(descriptor, `${JSON.stringify(withState({ remembered: carried }, state))}\n`);
    fdatasyncSync(descriptor);
    closeSync(descriptor);
    const generation = Math.max(Date.now(), this.lastGeneration + 1);
    this.lastGeneration = generation;
    if (existsSync(this.eventsPath)) renameSync(this.eventsPath, `${this.eventsPath}.${generation}`);
    renameSync(this.processedPath, `${this.processedPath}.${generation}`);
    renameSync(pendingJournal, this.processedPath);
    this.pruneGenerations();
  }

  /** True when events.log is past its size or age threshold and nothing is being appended. */
  rotationDue(now = Date.now()): boolean {
    if (this.eventsFd === undefined || this.flushing || this.pending.length > 0 || this.inflight.size > 0) return false;
    return this.segmentBytes >= this.maxSegmentBytes || (this.segmentBytes > 0 && now - this.segmentOpenedAt >= this.maxSegmentAgeMs);
  }

  /**
   * Rotates while running, in two steps so that neither the event loop nor
   * the HTTP requests nor the processing wait for the disk. The caller
   * guarantees every spooled event is processed (its queue is empty).
   *
   * 1. At once: events.log is renamed to the new generation and a new one is
   *    opened; appends (and acknowledgements) go on into it. The new journal
   *    is created as `processed.jsonl.tmp`; its header (carried keys, `state`
   *    and the generation it follows) is written in the thread pool, and then
   *    it becomes the journal that `markProcessed` and `checkpoint` write to
   *    (`journalReady` is set until then), so processing goes on too.
   * 2. In the thread pool: the new journal is synced; then the old journal is
   *    renamed to the generation and the new one takes its place (the open
   *    descriptor follows the rename).
   *
   * A crash before the new journal's header is whole leaves the old journal
   * with the new events.log: its events are not recorded as processed, so
   * they are replayed, and the rotated generation was fully processed. A
   * crash after it leaves `processed.jsonl.tmp` with a whole header naming a
   * generation whose events.log was renamed and whose journal was not: `open`
   * finishes the rotation, so what was recorded in the new journal counts.
   * Returns undefined when not due.
   */
  rotateIfDue(state: () => unknown, now = Date.now()): Promise<void> | undefined {
    if (this.rotating !== undefined || !this.rotationDue(now)) return undefined;
    const generation = Math.max(Date.now(), this.lastGeneration + 1);
    this.lastGeneration = generation;
    closeSync(this.eventsFd!);
    renameSync(this.eventsPath, `${this.eventsPath}.${generation}`);
    this.eventsFd = openSync(this.eventsPath, EVENTS_FLAGS);
    this.segmentBytes = 0;
    this.segmentOpenedAt = now;
    const header = `${JSON.stringify(withState({ remembered: this.recentProcessed(), follows: generation }, state()))}\n`;
    const pendingJournal = `${this.processedPath}.tmp`;
    let next: number;
    try {
      next = openSync(pendingJournal, 'w');
    } catch (error) {
      // The old journal stays in use: the new events.log is replayed against it after a restart.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // The head line is written in the thread pool (megabytes with a large state); records wait for it (`journalReady`).
    const data = Buffer.from(header);
    const old = this.processedFd!;
    const ready = writeAll(next, [data]).then((written) => {
      if (written < data.length) throw new Error(`short write to ${pendingJournal}`);
      this.processedFd = next;
    });
    // Settles, never rejects (a failure rejects the rotation): the caller only waits for it.
    this.journalReady = ready.then(
      () => {
        this.journalReady = undefined;
      },
      () => {
        this.journalReady = undefined;
      },
    );
    const swap = async (): Promise<void> => {
      try {
        await ready;
      } catch (error) {
        // The old journal stays in use, as when the new one cannot be created.
        closeSync(next);
        rmSync(pendingJournal, { force: true });
        throw error;
      }
      // Records already go into the new journal, so it is renamed into place even if the sync failed (a failing
      // disk): left as processed.jsonl.tmp, the next rotation would create that file again over it.
      const synced = await new Promise<NodeJS.ErrnoException | null>((resolve) => fdatasync(next, resolve));
      closeSync(old);
      renameSync(this.processedPath, `${this.processedPath}.${generation}`);
      renameSync(pendingJournal, this.processedPath);
      await this.pruneGenerationsAsync();
      this.rotations++;
      if (synced !== null) throw synced;
    };
    this.rotating = swap().finally(() => {
      this.rotating = undefined;
    });
    return this.rotating;
  }

  /**
   * Set while a running rotation writes the new journal's head line: nothing
   * may be recorded meanwhile (`markProcessed`, `checkpoint`); once it
   * settles, records go into the new journal (or, if it failed, the old one).
   */
  journalReady: Promise<void> | undefined;

  /** Set while a rotation's second step runs (no other rotation or checkpoint starts meanwhile). */
  rotating: Promise<void> | undefined;

  /**
   * After a crash inside a running rotation (see `rotateIfDue`): finishes it
   * when the new journal's header is whole and names a generation whose
   * events.log was renamed and whose journal was not; otherwise the new
   * journal never took any record and is removed.
   */
  private finishInterruptedRotation(pendingJournal: string): void {
    let follows: unknown;
    try {
      const data = readFileSync(pendingJournal);
      const end = data.indexOf(10);
      if (end >= 0) follows = (parseJson(data.subarray(0, end).toString('utf8')) as { follows?: unknown } | undefined)?.follows;
    } catch {
      follows = undefined;
    }
    const rotated = typeof follows === 'number' && Number.isInteger(follows) && existsSync(`${this.eventsPath}.${follows}`) && !existsSync(`${this.processedPath}.${follows}`);
    if (!rotated) {
      rmSync(pendingJournal, { recursive: true, force: true });
      return;
    }
    renameSync(this.processedPath, `${this.processedPath}.${follows}`);
    renameSync(pendingJournal, this.processedPath);
  }

  /** The most recently processed keys, oldest first (a rotation carries them into the new journal). */
  private recentProcessed(): string[] {
    const keys: string[] = [];
    const start = (this.recentNext - this.recentCount + CARRIED_KEYS) % CARRIED_KEYS;
    for (let index = 0; index < this.recentCount; index++) keys.push(this.recent[(start + index) % CARRIED_KEYS]!);
    return keys;
  }

  /**
   * Remembers a processed key, and keeps the last CARRIED_KEYS of them in a
   * ring: a rotation on the event loop then copies 20,000 keys instead of
   * walking up to 500,000 to find them.
   */
  private rememberProcessed(key: string): void {
    this.recent[this.recentNext] = key;
    this.recentNext = (this.recentNext + 1) % CARRIED_KEYS;
    if (this.recentCount < CARRIED_KEYS) this.recentCount++;
  }

  /** Appends a checkpoint of the correlation state to the journal (bounded by the caller). */
  checkpoint(state: unknown): void {
    if (this.processedFd === undefined) return;
    writeSync(this.processedFd, `${JSON.stringify({ state })}\n`);
  }

  /**
   * Appends events and resolves, with the events that were new, once they are
   * synced to disk. Keys already spooled are skipped; a key whose append is
   * still in flight (a concurrent retry) waits for that append, so nothing is
   * acknowledged before it is on disk.
   *
   * `onWrite`, when given, is called at once (before the write is done) with
   * the new events and the promise of their write, so the caller can start
   * work that needs no durability meanwhile.
   */
  async append(events: readonly SpooledEvent[], body: Buffer, receivedAt: number, onWrite?: (fresh: readonly SpooledEvent[], written: Promise<void>) => void): Promise<SpooledEvent[]> {
    const fresh: SpooledEvent[] = [];
    const waits = new Set<Promise<void>>();
    for (const item of events) {
      const inflight = this.inflight.get(item.key);
      if (inflight !== undefined) waits.add(inflight);
      else if (!this.known.has(item.key)) fresh.push(item);
    }
    if (fresh.length > 0) {
      for (const item of fresh) this.known.add(item.key);
      const data = [Buffer.from(`${JSON.stringify({ t: receivedAt, n: body.length })}\n`), body, NEWLINE];
      const written = new Promise<void>((resolve, reject) => {
        this.pending.push({ data, resolve, reject });
        void this.flush();
      });
      for (const item of fresh) this.inflight.set(item.key, written);
      onWrite?.(fresh, written);
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
          let written = await writeAll(this.eventsFd!, buffers);
          // A short write (rare: disk full, signals) is finished before anyone is acknowledged.
          if (written < total) written += await writeAll(this.eventsFd!, [Buffer.concat(buffers).subarray(written)]);
          if (written < total) throw new Error(`short write to ${this.eventsPath}`);
          this.segmentBytes += total;
          for (const item of batch) item.resolve();
        } catch (error) {
          for (const item of batch) item.reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private generations(): string[] {
    return readdirSync(this.directory)
      .map((name) => /^(?:events\.log|processed\.jsonl)\.(\d+)$/.exec(name)?.[1])
      .filter((value): value is string => value !== undefined)
      .filter((value, index, all) => all.indexOf(value) === index)
      .sort((a, b) => Number(b) - Number(a));
  }

  /** Keeps the newest `keepGenerations` rotated generations. */
  /** The files of the rotated generations beyond the newest `keepGenerations`. */
  private prunable(): string[] {
    return this.generations()
      .slice(this.keepGenerations)
      .flatMap((old) => [path.join(this.directory, `events.log.${old}`), path.join(this.directory, `processed.jsonl.${old}`)]);
  }

  private pruneGenerations(): void {
    for (const file of this.prunable()) rmSync(file, { force: true });
  }

  /** The same, in the thread pool: unlinking a 64 MiB segment can hold the event loop for milliseconds. */
  private async pruneGenerationsAsync(): Promise<void> {
    await Promise.all(this.prunable().map((file) => rm(file, { force: true })));
  }

  /** Records a processed batch and its alerts in one write. */
  markProcessed(keys: readonly string[], alerts: readonly unknown[]): void {
    if (keys.length === 0 && alerts.length === 0) return;
    writeSync(this.processedFd!, `${JSON.stringify({ k: keys, a: alerts })}\n`);
    for (const key of keys) this.rememberProcessed(key);
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
    await this.rotating?.catch(() => undefined);
    await this.flush();
    if (this.eventsFd !== undefined) closeSync(this.eventsFd);
    this.eventsFd = undefined;
    await this.journalSync;
    if (this.processedFd !== undefined) {
      fdatasyncSync(this.processedFd);
      closeSync(this.processedFd);
      this.processedFd = undefined;
    }
  }
}

function withState(record: Record<string, unknown>, state: unknown): Record<string, unknown> {
  return state === undefined ? record : { ...record, state };
}

function writeAll(fd: number, buffers: Buffer[]): Promise<number> {
  return new Promise((resolve, reject) => writev(fd, buffers, (error, written) => (error !== null ? reject(error) : resolve(written))));
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

interface FileContents {
  /** Bytes up to the end of the last complete record; anything after it was torn. */
  readonly validBytes: number;
  /** The file's size as read. */
  readonly size: number;
}

/**
 * The records of a journal. A last line without its newline was torn by a
 * crash mid-write (never recorded). A line that does not parse is a torn
 * record that an older version appended after: the records that start
 * inside it are recovered.
 */
function readLines(file: string): FileContents & { records: unknown[] } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return { records: [], validBytes: 0, size: 0 };
  }
  const validBytes = data.lastIndexOf(10) + 1;
  const records: unknown[] = [];
  for (const line of data.subarray(0, validBytes).toString('utf8').split('\n')) {
    if (line === '') continue;
    const record = parseJson(line);
    if (record !== undefined) records.push(record);
    else for (const start of recordStarts(line)) {
      const inner = parseJson(line.slice(start));
      if (inner !== undefined) {
        records.push(inner);
        break;
      }
    }
  }
  return { records, validBytes, size: data.length };
}

/** Where a journal record can start inside a damaged line (a quote inside a JSON string is escaped, so these appear only at a record's start). */
function recordStarts(line: string): number[] {
  const starts: number[] = [];
  for (const match of line.matchAll(/\{"(?:k|state|remembered)":/g)) if (match.index > 0) starts.push(match.index);
  return starts;
}

/** Cuts a torn record off the end of a spool file, so an append starts on a record boundary. */
function cutTornTail(file: string, contents: FileContents): void {
  if (contents.size > contents.validBytes) truncateSync(file, contents.validBytes);
}

/**
 * The de-duplication key of an event before keys were digests of its bytes
 * (eventList.ts): auditID and stage, or for an event without auditID a hash
 * of its content. Read in journals written by those versions.
 */
export function legacyEventKey(event: unknown): string {
  const record = event as { auditID?: unknown; stage?: unknown } | null;
  const auditID = typeof record?.auditID === 'string' && record.auditID !== '' ? record.auditID : undefined;
  const stage = typeof record?.stage === 'string' ? record.stage : '';
  return auditID !== undefined ? `${auditID}/${stage}` : `sha1:${createHash('sha1').update(JSON.stringify(event)).digest('hex')}`;
}

interface BodyRecord {
  readonly receivedAt: number;
  readonly body: Buffer;
  /** Offset of the body's closing newline. */
  readonly end: number;
}

/** How a frame header starts; after a torn body (no closing newline) the next header follows without one. */
const FRAME_START = Buffer.from('{"t":');

/** The frame (header line, body, newline) at `offset`, if one is there whole. */
function frameAt(data: Buffer, offset: number): BodyRecord | undefined {
  const newline = data.indexOf(10, offset);
  if (newline < 0) return undefined;
  const header = parseJson(data.subarray(offset, newline).toString('utf8')) as { t?: unknown; n?: unknown } | undefined;
  if (header === undefined || header === null || typeof header.n !== 'number' || typeof header.t !== 'number' || !Number.isInteger(header.n) || header.n < 0) return undefined;
  const start = newline + 1;
  const end = start + header.n;
  if (end + 1 > data.length || data[end] !== 10) return undefined;
  return { receivedAt: header.t, body: data.subarray(start, end), end };
}

/** The framed request bodies of events.log; a torn last record (a crash mid-write, never acknowledged) is left out. */
function readBodies(file: string): FileContents & { records: BodyRecord[] } {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return { records: [], validBytes: 0, size: 0 };
  }
  const records: BodyRecord[] = [];
  let offset = 0;
  let validBytes = 0;
  while (offset < data.length) {
    const record = frameAt(data, offset);
    if (record !== undefined) {
      records.push(record);
      offset = record.end + 1;
      validBytes = offset;
      continue;
    }
    // Not a whole frame: a torn tail, or a torn record that an older version appended after; the next frame header is looked for.
    const next = data.indexOf(FRAME_START, offset + 1);
    if (next < 0) break;
    offset = next;
  }
  return { records, validBytes, size: data.length };
}

