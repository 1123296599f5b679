/** The webhook's Prometheus metrics, in a registry of their own (tests start several servers in one process). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NamespaceSource } from './namespaces.js';

/** Sub-millisecond resolution: the webhook's budget is a few milliseconds. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface AdmissionMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'endpoint' | 'code'>;
  readonly decisions: Counter<'endpoint' | 'decision'>;
  readonly latency: Histogram<'endpoint'>;
  readonly familyLatency: Histogram<'family'>;
  readonly errors: Counter<'endpoint' | 'kind'>;
  readonly configReloads: Counter<'result'>;
  readonly certificateReloads: Counter<'result'>;
  readonly namespaceStaleness: Gauge;
}

/** A counter whose value is read from the namespace source at scrape time. */
function sourceCounter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      this.reset();
      if (value !== undefined && value > 0) this.inc(value);
    },
  });
}

export function createMetrics(namespaces: NamespaceSource): AdmissionMetrics {
  const registry = new Registry();
  const prefix = 'rampart_admission_';
  const stats = (): ReturnType<NonNullable<NamespaceSource['stats']>> | undefined => namespaces.stats?.();
  // Only a watching source has a connection and lists to count; a static one exports staleness 0 alone.
  if (namespaces.stats !== undefined) {
    new Gauge({
      name: `${prefix}namespace_cache_connected`,
      help: '1 while the namespace cache has a watch stream open, 0 while it reconnects',
      registers: [registry],
      collect() {
        this.set(stats()?.connected === true ? 1 : 0);
      },
    });
    new Gauge({
      name: `${prefix}namespace_cache_namespaces`,
      help: 'Namespaces in the cache',
      registers: [registry],
      collect() {
        this.set(stats()?.namespaces ?? 0);
      },
    });
    new Gauge({
      name: `${prefix}namespace_cache_ready`,
      help: '1 once the first list of namespaces has completed',
      registers: [registry],
      collect() {
        this.set(namespaces.ready() ? 1 : 0);
      },
    });
    sourceCounter(registry, `${prefix}namespace_cache_lists_total`, 'Complete lists of namespaces (the first and every relist)', () => stats()?.lists);
    sourceCounter(registry, `${prefix}namespace_cache_relists_total`, 'Lists after the watch answered 410 Gone', () => stats()?.relists);
    sourceCounter(registry, `${prefix}namespace_cache_watches_total`, 'Namespace watch streams opened', () => stats()?.watches);
    sourceCounter(registry, `${prefix}namespace_cache_events_total`, 'Namespace watch events and bookmarks applied', () => stats()?.events);
    sourceCounter(registry, `${prefix}namespace_cache_lookups_total`, 'Namespaces missing from the cache and asked for one by one', () => stats()?.lookups);
    sourceCounter(registry, `${prefix}namespace_cache_failures_total`, 'Failed namespace lists or watches, each followed by a backoff', () => stats()?.failures);
  }
  return {
    registry,
    requests: new Counter({ name: `${prefix}requests_total`, help: 'HTTP requests by endpoint and status code', labelNames: ['endpoint', 'code'], registers: [registry] }),
    decisions: new Counter({
      name: `${prefix}decisions_total`,
      help: 'Admission decisions by endpoint: allowed, denied, skipped (nothing to evaluate) or patched; dry-run requests are not counted',
      labelNames: ['endpoint', 'decision'],
      registers: [registry],
    }),
    latency: new Histogram({ name: `${prefix}request_duration_seconds`, help: 'Time from request end to response, by endpoint', labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    familyLatency: new Histogram({
      name: `${prefix}check_family_duration_seconds`,
      help: 'Time spent per check family in one review (pss, catalogue, exceptions, mutation)',
      labelNames: ['family'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    errors: new Counter({ name: `${prefix}errors_total`, help: 'Requests answered with an error, by kind (bad-request, internal, not-ready: the namespace cache is not filled yet)', labelNames: ['endpoint', 'kind'], registers: [registry] }),
    configReloads: new Counter({ name: `${prefix}config_reloads_total`, help: 'Config file reloads by result (success, failure)', labelNames: ['result'], registers: [registry] }),
    certificateReloads: new Counter({ name: `${prefix}certificate_reloads_total`, help: 'Serving certificate reloads by result', labelNames: ['result'], registers: [registry] }),
    namespaceStaleness: new Gauge({
      name: `${prefix}namespace_cache_staleness_seconds`,
      help: 'Seconds since the namespace source last confirmed its view (a list, a watch event or a bookmark); 0 for a --namespaces file',
      registers: [registry],
      collect() {
        this.set(namespaces.stalenessSeconds());
      },
    }),
  };
}
