/** The webhook's Prometheus metrics, in a registry of their own (tests start several servers in one process). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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

export function createMetrics(stalenessSeconds: () => number): AdmissionMetrics {
  const registry = new Registry();
  const prefix = 'rampart_admission_';
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
    errors: new Counter({ name: `${prefix}errors_total`, help: 'Requests answered with an error, by kind (bad-request, internal)', labelNames: ['endpoint', 'kind'], registers: [registry] }),
    configReloads: new Counter({ name: `${prefix}config_reloads_total`, help: 'Config file reloads by result (success, failure)', labelNames: ['result'], registers: [registry] }),
    certificateReloads: new Counter({ name: `${prefix}certificate_reloads_total`, help: 'Serving certificate reloads by result', labelNames: ['result'], registers: [registry] }),
    namespaceStaleness: new Gauge({
      name: `${prefix}namespace_cache_staleness_seconds`,
      help: 'Seconds since the namespace source last confirmed its view',
      registers: [registry],
      collect() {
        this.set(stalenessSeconds());
      },
    }),
  };
}
