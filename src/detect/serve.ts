/**
 * `rampart detect serve`: the API server's audit webhook backend.
 *
 * POST (any path but /metrics and /healthz) takes an `audit.k8s.io/v1`
 * EventList or a single Event. The client must authenticate, by a client
 * certificate signed by --client-ca or by a bearer token from --token-file.
 * The events are appended to the spool and synced before the answer (200);
 * a full queue answers 429 with Retry-After, a body over --max-body 413, a
 * body that is not an Event or EventList 400, a spool failure 503. Malformed
 * events inside a list are counted and logged with their position; the
 * others are accepted. Processing runs behind the spool, in batches; see
 * spool.ts for exactly-once processing across restarts.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, ftruncateSync, writeSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { timingSafeEqual } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Severity } from '../model/types.js';
import type { AggregatedAlert } from './aggregate.js';
import { parseAuditEvent, type AuditEvent } from './event.js';
import { DetectPipeline } from './pipeline.js';
import type { RuleSet } from './rules.js';
import { WebhookSink, type SinkFormat } from './sink.js';
import { readRequest } from './eventList.js';
import { CountingHistogram, WindowedQuantiles } from './lagMetrics.js';
import { Spool, type SpooledEvent } from './spool.js';

export interface ServeFlags {
  spool: string;
  tlsCert: string;
  tlsKey: string;
  clientCa?: string;
  tokenFile?: string;
  listen: string;
  metricsListen?: string;
  output?: string;
  alertWebhook?: string;
  alertWebhookFormat: SinkFormat;
  maxQueue: number;
  maxBody: number;
  aggregate: number;
  minSeverity: Severity;
  spoolSegmentSize: number;
  spoolSegmentAge: number;
  spoolKeep: number;
  checkpointInterval: number;
}

export interface ServerOptions {
  readonly spoolDirectory: string;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  readonly clientCa?: string | Buffer;
  readonly tokens?: readonly string[];
  readonly host?: string;
  readonly port?: number;
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  readonly maxQueue?: number;
  readonly maxBodyBytes?: number;
  readonly aggregateSeconds?: number;
  readonly minSeverity?: Severity;
  /** Called with every alert after its batch is recorded as processed. */
  readonly onAlert?: (alert: AggregatedAlert) => void;
  readonly onLog?: (line: string) => void;
  readonly alertWebhook?: { readonly url: string; readonly format: SinkFormat; readonly ca?: string | Buffer };
  /** Spool rotation: segment size (bytes) and age (ms) thresholds, rotated generations kept (see spool.ts). */
  readonly spoolMaxSegmentBytes?: number;
  readonly spoolMaxSegmentAgeMs?: number;
  readonly spoolKeepGenerations?: number;
  /** How often the correlation state is checkpointed into the journal (ms); default 10 s. */
  readonly checkpointIntervalMs?: number;
  /** Tests only: accept and spool but do not process until `resume()`. */
  readonly holdProcessing?: boolean;
}

export interface DetectServer {
  readonly port: number;
  readonly metricsPort: number | undefined;
  readonly registry: Registry;
  readonly pipeline: DetectPipeline;
  resume(): void;
  /** Stops accepting, processes what was accepted, flushes the sinks, closes the spool. */
  close(): Promise<void>;
}

interface QueuedEvent {
  readonly key: string;
  readonly receivedAt: number;
  /** When it entered the processing queue (ms). */
  readonly queuedAt: number;
  readonly event: AuditEvent;
  /** The spool write of its request while it is in flight (undefined once on disk, or replayed from the spool). */
  write?: SpoolWrite;
}

/** One request's spool write, shared by its events. */
interface SpoolWrite {
  readonly written: Promise<void>;
  settled: boolean;
}

/**
 * Events processed per turn of the event loop: small enough that requests are
 * not kept waiting long behind a batch, large enough that processing keeps its
 * share of the CPU against request parsing (a time budget of 4 ms per turn
 * was tried: under load the queue then grew without bound, see BENCHMARKS.md).
 */
const PROCESS_BATCH = 500;

function tokenMatches(given: string, tokens: readonly Buffer[]): boolean {
  const candidate = Buffer.from(given);
  let found = false;
  for (const token of tokens) if (token.length === candidate.length && timingSafeEqual(token, candidate)) found = true;
  return found;
}

export async function startDetectServer(ruleSet: RuleSet, options: ServerOptions): Promise<DetectServer> {
  if (options.clientCa === undefined && (options.tokens === undefined || options.tokens.length === 0)) throw new Error('client authentication is required: a client CA (mTLS) or bearer tokens');
  const log = options.onLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxQueue = options.maxQueue ?? 100_000;
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const tokens = (options.tokens ?? []).map((token) => Buffer.from(token));

  const registry = new Registry();
  const received = new Counter({ name: 'rampart_detect_events_received_total', help: 'Audit events accepted into the spool', registers: [registry] });
  const processedCounter = new Counter({ name: 'rampart_detect_events_processed_total', help: 'Audit events run through the rules', registers: [registry] });
  const dropped = new Counter({ name: 'rampart_detect_events_dropped_total', help: 'Audit events refused (queue full or body too large); the API server may retry them', registers: [registry] });
  const malformedCounter = new Counter({ name: 'rampart_detect_events_malformed_total', help: 'Malformed audit events and request bodies', registers: [registry] });
  const duplicates = new Counter({ name: 'rampart_detect_events_duplicate_total', help: 'Events received again (the same bytes: a retry) and not processed twice', registers: [registry] });
  const alertsCounter = new Counter({ name: 'rampart_detect_alerts_total', help: 'Alerts raised, per rule', labelNames: ['rule', 'severity'], registers: [registry] });
  const unauthorized = new Counter({ name: 'rampart_detect_requests_unauthorized_total', help: 'Requests refused for missing or wrong credentials', registers: [registry] });
  // Observed a batch at a time, with a count: the events of a request share their lag (see lagMetrics.ts).
  const lag = new CountingHistogram('rampart_detect_lag_seconds', 'Time from receipt of an event to the end of its processing (alerts sent)', [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30], registry);
  const lagSummary = new WindowedQuantiles('rampart_detect_lag_summary_seconds', 'Receipt-to-processed time over the last 10 minutes, as quantiles', [0.5, 0.9, 0.99], 600, 5, registry);
  const eventAge = new CountingHistogram('rampart_detect_event_age_seconds', 'Time from the event stage timestamp to the end of its processing (end-to-end lag)', [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600], registry);
  const queueDepth = new Gauge({ name: 'rampart_detect_queue_depth', help: 'Events accepted and not yet processed', registers: [registry] });
  // Where an event waits between receipt and alert, stage by stage (see docs/detect.md, "Latency").
  const stage = new Histogram({ name: 'rampart_detect_stage_seconds', help: 'Time per stage: read (receipt to whole body), spool (append until synced), wait (queued until its batch starts), process (one batch through the rules, while its spool write may still be in flight), durable (a processed batch waiting for its spool write), recorded (batch start to journal written and alerts sent), journal_sync, checkpoint, rotate and rotate_journal (the spool maintenance)', labelNames: ['stage'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  new Gauge({
    name: 'rampart_detect_event_loop_delay_seconds',
    help: 'Event loop delay since start (how long ready work waited for the loop), as quantiles',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      for (const q of [50, 99]) this.set({ quantile: String(q / 100) }, loopDelay.percentile(q) / 1e9);
      this.set({ quantile: 'max' }, loopDelay.max / 1e9);
    },
  });

  const sink = options.alertWebhook !== undefined ? new WebhookSink({ url: options.alertWebhook.url, format: options.alertWebhook.format, ...(options.alertWebhook.ca !== undefined ? { ca: options.alertWebhook.ca } : {}) }) : undefined;
  let batchAlerts: AggregatedAlert[] = [];
  const pipeline = new DetectPipeline(ruleSet, {
    minSeverity: options.minSeverity ?? 'info',
    aggregateSeconds: options.aggregateSeconds ?? 60,
    onAlert: (alert) => batchAlerts.push(alert),
  });

  const spool = new Spool(options.spoolDirectory, {
    ...(options.spoolMaxSegmentBytes !== undefined ? { maxSegmentBytes: options.spoolMaxSegmentBytes } : {}),
    ...(options.spoolMaxSegmentAgeMs !== undefined ? { maxSegmentAgeMs: options.spoolMaxSegmentAgeMs } : {}),
    ...(options.spoolKeepGenerations !== undefined ? { keepGenerations: options.spoolKeepGenerations } : {}),
  });
  const queue: QueuedEvent[] = [];
  let queueHead = 0;
  const queued = (): number => queue.length - queueHead;
  // The correlation state as it was: the last checkpoint, then the events processed after it, run again with their alerts discarded.
  const pending = await spool.open((restored, since) => {
    if (restored === undefined && since.length === 0) return undefined;
    const entries = restored !== undefined ? pipeline.engine.restore(restored) : 0;
    let replayed = 0;
    for (const item of since) {
      const parsed = parseAuditEvent(item.event);
      if (!parsed.ok) continue;
      pipeline.engine.process(parsed.event);
      replayed++;
    }
    log(`rampart detect serve: correlation state restored (${entries} entries from the checkpoint, ${replayed} events processed after it applied again)`);
    return pipeline.engine.snapshot();
  });
  for (const item of pending) {
    const parsed = parseAuditEvent(item.event);
    if (parsed.ok) queue.push({ key: item.key, receivedAt: item.receivedAt, queuedAt: Date.now(), event: parsed.event });
    else spool.markProcessed([item.key], []);
  }
  if (queue.length > 0) log(`rampart detect serve: replaying ${queue.length} spooled events not yet processed`);
  new Gauge({ name: 'rampart_detect_spool_rotations', help: 'Spool rotations while running (fully processed segments renamed; old generations deleted)', registers: [registry], collect() { this.set(spool.rotations); } });
  queueDepth.set(queued());

  let held = options.holdProcessing === true;
  let scheduled = false;
  let closing = false;
  let drainResolvers: (() => void)[] = [];

  /**
   * Records a processed batch, then delivers its alerts. If the journal cannot
   * be written (disk full), processing pauses and the write is retried every
   * second: the events were already run through the rules, so they are not run
   * again, and nothing is delivered before it is recorded.
   */
  let journalBlocked = false;
  const record = (keys: string[], alerts: AggregatedAlert[], done: () => void): void => {
    try {
      spool.markProcessed(keys, alerts);
    } catch (error) {
      if (!journalBlocked) log(`rampart detect serve: cannot write the processed journal (${error instanceof Error ? error.message : String(error)}); processing paused, retrying every second`);
      journalBlocked = true;
      setTimeout(() => record(keys, alerts, done), 1000).unref();
      return;
    }
    if (journalBlocked) log('rampart detect serve: processed journal writable again; processing resumed');
    journalBlocked = false;
    done();
  };

  /**
   * Runs the next events of the queue through the rules, at most
   * PROCESS_BATCH, as soon as they are queued: their spool write may still be
   * in flight, so the rules run while the disk writes. The batch is recorded
   * as processed, and its alerts delivered, only once every event in it is
   * on disk; the next batch waits for that, so batches are recorded in the
   * order they were processed and a checkpoint never holds the effect of an
   * unrecorded batch. A kill before the record leaves nothing recorded: the
   * events are replayed from the spool, or (not acknowledged) sent again.
   * An event whose write failed was answered 503; it is recorded as processed
   * all the same (its alerts are real) and remembered, so that when the API
   * server sends it again it is spooled and acknowledged but not run again.
   */
  let recording = false;
  const processBatch = (): void => {
    scheduled = false;
    if (held || journalBlocked || recording) return;
    // A batch waits for the writes of its events: it takes in the events of at most one write still in flight,
    // so the events of a request already on disk are not held back by the write of a later one.
    const limit = Math.min(queue.length, queueHead + PROCESS_BATCH);
    let end = queueHead;
    let inFlight: SpoolWrite | undefined;
    for (; end < limit; end++) {
      const write = queue[end]!.write;
      if (write === undefined || write.settled || write === inFlight) continue;
      if (inFlight !== undefined) break;
      inFlight = write;
    }
    if (queueHead >= end) return;
    const started = performance.now();
    stage.observe({ stage: 'wait' }, Math.max(0, Date.now() - queue[queueHead]!.queuedAt) / 1000);
    batchAlerts = [];
    const batch = queue.slice(queueHead, end);
    for (const item of batch) pipeline.processEvent(item.event);
    const procDone = performance.now();
    stage.observe({ stage: 'process' }, (procDone - started) / 1000);
    queueHead = end;
    // Processed events leave the queue soon: they hold their whole request and response objects. With events of a
    // later request queued behind them, the array is compacted once the processed part is half of it, so a short
    // queue lets go at once and a long backlog (a replay after a restart) is not moved batch by batch.
    if (queueHead === queue.length) {
      queue.length = 0;
      queueHead = 0;
    } else if (queueHead * 2 >= queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
    const alerts = batchAlerts;
    const finish = (): void => {
      const keys = batch.map((item) => item.key);
      record(keys, alerts, () => {
        recording = false;
        for (const alert of alerts) {
          alertsCounter.inc({ rule: alert.ruleId, severity: alert.severity });
          options.onAlert?.(alert);
          sink?.send(alert);
        }
        const now = Date.now();
        // The events of one request are next to each other in the queue and share their receipt time: one observation each run.
        let runStart = NaN;
        let runLength = 0;
        const observeRun = (): void => {
          if (runLength === 0) return;
          lag.observe((now - runStart) / 1000, runLength);
          lagSummary.observe(now - runStart, runLength);
        };
        for (const item of batch) {
          if (item.receivedAt !== runStart) {
            observeRun();
            runStart = item.receivedAt;
            runLength = 0;
          }
          runLength++;
          if (item.event.time > 0) eventAge.observe(Math.max(0, now - item.event.time) / 1000);
        }
        observeRun();
        processedCounter.inc(batch.length);
        sinceCheckpoint += batch.length;
        stage.observe({ stage: 'recorded' }, (performance.now() - started) / 1000);
        queueDepth.set(queued());
        if (queued() > 0) schedule();
        else {
          maybeRotate();
          const resolvers = drainResolvers;
          drainResolvers = [];
          for (const resolve of resolvers) resolve();
        }
      });
    };
    recording = true;
    const writes = new Set<Promise<void>>();
    for (const item of batch) if (item.write !== undefined && !item.write.settled) writes.add(item.write.written);
    // A rotation writing the new journal's head line: the record waits for it too.
    if (spool.journalReady !== undefined) writes.add(spool.journalReady);
    if (writes.size === 0) finish();
    else {
      const durableStarted = performance.now();
      void Promise.allSettled(writes).then(() => {
        stage.observe({ stage: 'durable' }, (performance.now() - durableStarted) / 1000);
        finish();
      });
    }
  };
  /** Keys processed whose spool write failed (bounded; see processBatch). */
  const unspooled = new Set<string>();
  const rememberUnspooled = (key: string): void => {
    unspooled.add(key);
    if (unspooled.size > maxQueue) unspooled.delete(unspooled.values().next().value!);
  };
  const schedule = (): void => {
    if (scheduled || held) return;
    scheduled = true;
    setImmediate(processBatch);
  };
  /** Rotates the spool when it is due; only with the queue empty, so every spooled event is processed. */
  let sinceCheckpoint = 0;
  const maybeRotate = (): void => {
    if (queued() > 0 || held || journalBlocked || recording || spool.rotating !== undefined) return;
    const failed = (error: unknown): void => log(`rampart detect serve: spool rotation failed: ${error instanceof Error ? error.message : String(error)}`);
    try {
      const started = performance.now();
      const rotation = spool.rotateIfDue(() => pipeline.engine.snapshot());
      if (rotation === undefined) return;
      stage.observe({ stage: 'rotate' }, (performance.now() - started) / 1000);
      sinceCheckpoint = 0;
      lastCheckpoint = Date.now();
      // Neither appends nor processing wait for the new journal to be synced; see Spool.rotateIfDue.
      rotation.then(() => stage.observe({ stage: 'rotate_journal' }, (performance.now() - started) / 1000), failed).finally(schedule);
    } catch (error) {
      failed(error);
    }
  };
  const checkpointEvery = options.checkpointIntervalMs ?? 10_000;
  let lastCheckpoint = Date.now();
  const checkpoint = (force = false): void => {
    if (journalBlocked || recording || spool.rotating !== undefined || (sinceCheckpoint === 0 && !force)) return;
    try {
      const started = performance.now();
      spool.checkpoint(pipeline.engine.snapshot());
      stage.observe({ stage: 'checkpoint' }, (performance.now() - started) / 1000);
      sinceCheckpoint = 0;
      lastCheckpoint = Date.now();
    } catch (error) {
      log(`rampart detect serve: cannot write a state checkpoint: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const syncTimer = setInterval(() => {
    if (Date.now() - lastCheckpoint >= checkpointEvery) checkpoint();
    maybeRotate();
    const syncStarted = performance.now();
    void spool.syncProcessed().then(() => stage.observe({ stage: 'journal_sync' }, (performance.now() - syncStarted) / 1000));
    // Summaries of aggregation windows that closed, recorded and delivered like a batch's alerts (not while one waits for its write).
    if (!recording && !journalBlocked && !held && spool.journalReady === undefined) {
      batchAlerts = [];
      pipeline.tick(Date.now());
      const summaries = batchAlerts;
      batchAlerts = [];
      if (summaries.length > 0)
        record([], summaries, () => {
          for (const alert of summaries) {
            alertsCounter.inc({ rule: alert.ruleId, severity: alert.severity });
            options.onAlert?.(alert);
            sink?.send(alert);
          }
        });
    }
  }, 1000);
  syncTimer.unref();
  schedule();

  let requestNumber = 0;
  const authorized = (request: http.IncomingMessage): boolean => {
    if (options.clientCa !== undefined && (request.socket as TLSSocket).authorized === true) return true;
    const header = request.headers.authorization;
    if (tokens.length > 0 && typeof header === 'string' && header.startsWith('Bearer ')) return tokenMatches(header.slice(7).trim(), tokens);
    return false;
  };
  const answer = (response: http.ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    response.end(text);
  };
  const metricsHandler = async (response: http.ServerResponse): Promise<void> => {
    const text = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType });
    response.end(text);
  };

  const handleEvents = async (request: http.IncomingMessage, response: http.ServerResponse, number: number, receivedAt: number): Promise<void> => {
    if (closing) return answer(response, 503, { error: 'shutting down' }, { 'retry-after': '1' });
    if (queued() >= maxQueue) {
      request.resume();
      dropped.inc();
      return answer(response, 429, { error: 'queue full' }, { 'retry-after': '1' });
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      request.resume();
      return answer(response, 413, { error: `body larger than ${maxBody} bytes` });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(chunk as Buffer);
    }
    stage.observe({ stage: 'read' }, Math.max(0, Date.now() - receivedAt) / 1000);
    if (tooLarge) return answer(response, 413, { error: `body larger than ${maxBody} bytes` });
    const bodyBytes = Buffer.concat(chunks);
    // An EventList is parsed item by item, and each event keyed by the digest of its bytes (see eventList.ts).
    const events = readRequest(bodyBytes);
    if (!events.ok) {
      malformedCounter.inc();
      if (events.error === 'json') {
        log(`rampart detect serve: request ${number}: body is not JSON (${events.message})`);
        return answer(response, 400, { error: 'body is not JSON' });
      }
      log(`rampart detect serve: request ${number}: expected an audit.k8s.io EventList or Event`);
      return answer(response, 400, { error: 'expected an audit.k8s.io EventList or Event' });
    }
    const { items, keys } = events;
    if (queued() + items.length > maxQueue) {
      dropped.inc(items.length);
      return answer(response, 429, { error: 'queue full' }, { 'retry-after': '1' });
    }
    const now = receivedAt;
    const accepted: { key: string; receivedAt: number; event: unknown; parsed: AuditEvent }[] = [];
    items.forEach((item, index) => {
      const parsed = parseAuditEvent(item);
      if (!parsed.ok) {
        malformedCounter.inc();
        log(`rampart detect serve: request ${number}, item ${index}: malformed audit event: ${parsed.reason}`);
        return;
      }
      accepted.push({ key: keys[index]!, receivedAt: now, event: item, parsed: parsed.event });
    });
    let fresh;
    // The new events are queued, and processing may start, while their write is in flight (see processBatch).
    const queueFresh = (events: readonly SpooledEvent[], written: Promise<void>): void => {
      const write: SpoolWrite = { written, settled: false };
      written.then(
        () => {
          write.settled = true;
        },
        () => {
          write.settled = true;
          // Queued, so processed and recorded all the same: a retry must not run them again.
          for (const item of events) rememberUnspooled(item.key);
        },
      );
      const queuedAt = Date.now();
      for (const item of events) {
        // Processed already, when an earlier write of it failed: spooled now, not run again.
        if (unspooled.has(item.key)) continue;
        queue.push({ key: item.key, receivedAt: item.receivedAt, queuedAt, event: (item as (typeof accepted)[number]).parsed, write });
      }
      queueDepth.set(queued());
      schedule();
    };
    try {
      const appendStarted = performance.now();
      fresh = await spool.append(accepted, bodyBytes, receivedAt, queueFresh);
      stage.observe({ stage: 'spool' }, (performance.now() - appendStarted) / 1000);
    } catch (error) {
      log(`rampart detect serve: spool write failed: ${error instanceof Error ? error.message : String(error)}`);
      return answer(response, 503, { error: 'spool unavailable' }, { 'retry-after': '5' });
    }
    for (const item of fresh) unspooled.delete(item.key);
    duplicates.inc(accepted.length - fresh.length);
    received.inc(fresh.length);
    return answer(response, 200, {});
  };

  const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const number = ++requestNumber;
    const receivedAt = Date.now();
    const url = request.url ?? '/';
    const done = (error: unknown): void => {
      log(`rampart detect serve: request ${number}: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) answer(response, 500, { error: 'internal error' });
      else response.destroy();
    };
    if (url === '/healthz') return answer(response, 200, { ok: true });
    if (!authorized(request)) {
      unauthorized.inc();
      request.resume();
      return answer(response, 401, { error: 'client certificate or bearer token required' }, { 'www-authenticate': 'Bearer' });
    }
    if (url === '/metrics' && request.method === 'GET') return void metricsHandler(response).catch(done);
    if (request.method !== 'POST') return answer(response, 405, { error: 'POST audit events' }, { allow: 'POST' });
    handleEvents(request, response, number, receivedAt).catch(done);
  };

  const server = https.createServer(
    { cert: options.cert, key: options.key, ...(options.clientCa !== undefined ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: false } : {}), requestTimeout: 60_000 },
    handler,
  );
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8443, options.host ?? '127.0.0.1', () => resolve());
  });
  let metricsServer: http.Server | undefined;
  if (options.metricsPort !== undefined) {
    metricsServer = http.createServer((request, response) => {
      if (request.url === '/metrics') void metricsHandler(response).catch(() => response.destroy());
      else answer(response, 404, { error: 'only /metrics here' });
    });
    await new Promise<void>((resolve, reject) => {
      metricsServer!.once('error', reject);
      metricsServer!.listen(options.metricsPort, options.metricsHost ?? '127.0.0.1', () => resolve());
    });
  }

  return {
    port: (server.address() as { port: number }).port,
    metricsPort: metricsServer !== undefined ? (metricsServer.address() as { port: number }).port : undefined,
    registry,
    pipeline,
    resume() {
      held = false;
      schedule();
    },
    async close() {
      closing = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      if (metricsServer !== undefined) await new Promise<void>((resolve) => metricsServer!.close(() => resolve()));
      held = false;
      if (queued() > 0 || recording) {
        await new Promise<void>((resolve) => {
          drainResolvers.push(resolve);
          schedule();
        });
      }
      clearInterval(syncTimer);
      loopDelay.disable();
      // The summaries below go into the journal a rotation may be switching to.
      await spool.rotating?.catch(() => undefined);
      batchAlerts = [];
      pipeline.finish();
      const summaries = batchAlerts;
      if (summaries.length > 0) spool.markProcessed([], summaries);
      checkpoint(true);
      for (const alert of summaries) {
        options.onAlert?.(alert);
        sink?.send(alert);
      }
      await sink?.drain();
      sink?.close();
      await spool.close();
    },
  };
}

function parseListen(text: string, flag: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (match === null) throw new Error(`${flag} must be host:port, got ${text}`);
  return { host: match[1] ?? (match[2] !== '' ? match[2]! : '127.0.0.1'), port: Number(match[3]) };
}

function readOrFail(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new Error(`cannot read ${what} ${file}`);
  }
}

/**
 * Cuts a last line without its newline off the alerts file (a kill in the
 * middle of a write), so the next alert starts on a line of its own and the
 * file stays one JSON document per line. Returns the bytes removed.
 */
export function cutPartialLine(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const newline = chunk.subarray(0, read).lastIndexOf(10);
    if (newline >= 0) {
      const keep = start + newline + 1;
      if (keep < size) ftruncateSync(fd, keep);
      return size - keep;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
  return size;
}

/** The CLI: starts the server from flags and runs until SIGINT or SIGTERM. */
export async function runServe(ruleSet: RuleSet, flags: ServeFlags): Promise<void> {
  const { UsageError } = await import('../cli/common.js');
  let options: ServerOptions;
  try {
    const listen = parseListen(flags.listen, '--listen');
    const tokens = flags.tokenFile !== undefined ? readOrFail(flags.tokenFile, 'token file').toString('utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')) : undefined;
    if (flags.clientCa === undefined && (tokens === undefined || tokens.length === 0)) throw new Error('give --client-ca (mTLS) or --token-file (bearer tokens): the webhook does not accept unauthenticated clients');
    let outputFd: number | undefined;
    if (flags.output !== undefined && flags.output !== '-') {
      outputFd = openSync(flags.output, 'a+');
      const cut = cutPartialLine(outputFd);
      if (cut > 0) process.stderr.write(`rampart detect serve: ${flags.output} ended in a partial line (a crash while writing it); removed its ${cut} bytes\n`);
    }
    let pendingOutput = '';
    const writeOutput = (): void => {
      const text = pendingOutput;
      pendingOutput = '';
      if (outputFd === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        writeSync(outputFd, text);
      } catch (error) {
        // The alerts are in the processed journal; the server keeps running.
        process.stderr.write(`rampart detect serve: cannot write alerts to ${flags.output ?? ''}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    };
    options = {
      spoolDirectory: flags.spool,
      cert: readOrFail(flags.tlsCert, 'certificate'),
      key: readOrFail(flags.tlsKey, 'private key'),
      ...(flags.clientCa !== undefined ? { clientCa: readOrFail(flags.clientCa, 'client CA') } : {}),
      ...(tokens !== undefined ? { tokens } : {}),
      host: listen.host,
      port: listen.port,
      ...(flags.metricsListen !== undefined ? { metricsPort: parseListen(flags.metricsListen, '--metrics-listen').port, metricsHost: parseListen(flags.metricsListen, '--metrics-listen').host } : {}),
      maxQueue: flags.maxQueue,
      maxBodyBytes: flags.maxBody,
      aggregateSeconds: flags.aggregate,
      minSeverity: flags.minSeverity,
      spoolMaxSegmentBytes: flags.spoolSegmentSize,
      spoolMaxSegmentAgeMs: flags.spoolSegmentAge * 1000,
      spoolKeepGenerations: flags.spoolKeep,
      checkpointIntervalMs: flags.checkpointInterval * 1000,
      onAlert: (alert) => {
        // The alerts of one batch arrive in one synchronous run: written together, in one write, right after it.
        if (pendingOutput === '') queueMicrotask(writeOutput);
        pendingOutput += `${JSON.stringify(alert)}\n`;
      },
      ...(flags.alertWebhook !== undefined ? { alertWebhook: { url: flags.alertWebhook, format: flags.alertWebhookFormat } } : {}),
    };
    const server = await startDetectServer(ruleSet, options);
    // The handlers are installed before "listening" is announced: a supervisor may send SIGTERM as soon as it reads the line.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stderr.write(`rampart detect serve: listening on https://${listen.host}:${server.port}\n`);
    await stopped;
    await server.close();
    if (outputFd !== undefined) closeSync(outputFd);
  } catch (error) {
    if (error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError)) throw new UsageError(error.message);
    throw error;
  }
}
