/**
 * Prometheus metrics of `rampart watch` (prom-client), served on /metrics:
 * findings by check, severity and namespace, and how fresh the verdict is.
 */
import http from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Finding } from '../model/types.js';

export interface EventCounts {
  readonly ADDED: number;
  readonly MODIFIED: number;
  readonly DELETED: number;
  /** MODIFIED events that changed nothing a check reads (status, resourceVersion): not evaluated. */
  readonly unchanged: number;
  /** Types listed again because their watch's resourceVersion had expired (410). */
  readonly restarts: number;
}

export class WatchMetrics {
  readonly registry = new Registry();
  private readonly findings = new Gauge({
    name: 'rampart_findings',
    help: 'Findings of the latest evaluation, by check, severity and namespace (empty for cluster-scoped objects)',
    labelNames: ['check', 'severity', 'namespace'] as const,
    registers: [this.registry],
  });
  private readonly objects = new Gauge({ name: 'rampart_objects', help: 'Objects kept from the watch streams and judged by the latest evaluation', registers: [this.registry] });
  private readonly lastEvaluation = new Gauge({ name: 'rampart_last_evaluation_timestamp_seconds', help: 'When the latest evaluation finished (Unix time)', registers: [this.registry] });
  private readonly lastChange = new Gauge({ name: 'rampart_last_change_timestamp_seconds', help: 'When the latest change from a watch stream was evaluated (Unix time)', registers: [this.registry] });
  private readonly duration = new Gauge({ name: 'rampart_evaluation_duration_seconds', help: 'How long the latest evaluation took', registers: [this.registry] });
  private readonly evaluations = new Counter({ name: 'rampart_evaluations_total', help: 'Evaluations since start', registers: [this.registry] });
  private eventSource: (() => EventCounts) | undefined;
  private reportedEvents: EventCounts = { ADDED: 0, MODIFIED: 0, DELETED: 0, unchanged: 0, restarts: 0 };
  private readonly relists = new Counter({
    name: 'rampart_watch_relists_total',
    help: 'Types listed again after their watch expired (410 Gone)',
    registers: [this.registry],
    collect: () => this.collectEvents(),
  });
  private readonly events = new Counter({
    name: 'rampart_watch_events_total',
    help: 'Watch events, by type (unchanged: a MODIFIED event that changed nothing a check reads, not evaluated)',
    labelNames: ['type'] as const,
    registers: [this.registry],
    // Read at every scrape, so events that caused no evaluation are counted too.
    collect: () => this.collectEvents(),
  });
  private readonly partial = new Gauge({ name: 'rampart_partial', help: '1 when some types could not be read (see the log), else 0', registers: [this.registry] });

  private readonly judged = new Counter({
    name: 'rampart_objects_judged_total',
    help: 'Objects whose findings were computed again, summed over evaluations (a change judges only the objects it can affect)',
    registers: [this.registry],
  });
  private readonly lastJudged = new Gauge({ name: 'rampart_last_evaluation_objects_judged', help: 'Objects the latest evaluation judged again', registers: [this.registry] });

  record(findings: readonly Finding[], objects: number, changes: number, seconds: number, partial: boolean, judged = objects, now = Date.now()): void {
    const counts = new Map<string, { check: string; severity: string; namespace: string; count: number }>();
    for (const finding of findings) {
      const namespace = finding.object.namespace ?? '';
      const key = `${finding.checkId}\u0000${finding.severity}\u0000${namespace}`;
      const entry = counts.get(key);
      if (entry !== undefined) entry.count++;
      else counts.set(key, { check: finding.checkId, severity: finding.severity, namespace, count: 1 });
    }
    this.findings.reset();
    for (const entry of counts.values()) this.findings.set({ check: entry.check, severity: entry.severity, namespace: entry.namespace }, entry.count);
    this.objects.set(objects);
    this.lastEvaluation.set(now / 1000);
    if (changes > 0) this.lastChange.set(now / 1000);
    this.duration.set(seconds);
    this.partial.set(partial ? 1 : 0);
    this.evaluations.inc();
    this.judged.inc(judged);
    this.lastJudged.set(judged);
  }

  /** Where the event counts come from (the watcher's running totals). */
  countEventsFrom(source: () => EventCounts): void {
    this.eventSource = source;
  }

  private collectEvents(): void {
    const counts = this.eventSource?.();
    if (counts === undefined) return;
    for (const type of ['ADDED', 'MODIFIED', 'DELETED', 'unchanged'] as const) {
      const delta = counts[type] - this.reportedEvents[type];
      if (delta > 0) this.events.inc({ type }, delta);
    }
    if (counts.restarts > this.reportedEvents.restarts) this.relists.inc(counts.restarts - this.reportedEvents.restarts);
    this.reportedEvents = { ...counts };
  }

  /** Serves /metrics (and /healthz for probes); resolves with the bound port. */
  async serve(port: number, address: string): Promise<{ server: http.Server; port: number }> {
    const server = http.createServer((request, response) => {
      const url = request.url ?? '/';
      if (request.method === 'GET' && url.split('?')[0] === '/metrics') {
        this.registry.metrics().then(
          (text) => {
            response.writeHead(200, { 'content-type': this.registry.contentType });
            response.end(text);
          },
          () => {
            response.writeHead(500);
            response.end();
          },
        );
      } else if (request.method === 'GET' && url === '/healthz') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok\n');
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found; metrics are at /metrics\n');
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => resolve());
    });
    const bound = server.address();
    return { server, port: typeof bound === 'object' && bound !== null ? bound.port : port };
  }
}
