/**
 * The webhook's HTTPS server: a thin edge around the pure decision core.
 * It bounds and parses request bodies, routes /validate, /mutate, /healthz,
 * /readyz and /metrics, reloads the config and the serving certificate when
 * their files change (open connections keep working), logs one JSON line per
 * decision, and drains in-flight requests on close. One bad request costs
 * only itself: every failure becomes a response with a status code.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Check } from '../checks/types.js';
import { loadWebhookConfig, type WebhookConfig } from './config.js';
import { Decider, type CheckFamily } from './decide.js';
import type { ImageLookup } from './images.js';
import { createMetrics, type AdmissionMetrics } from './metrics.js';
import { secureDefaultsPatch } from './mutate.js';
import type { NamespaceSource } from './namespaces.js';
import { existingPodWarnings, namespacePodCheck } from './existingPods.js';
import type { PodSource } from './pods.js';
import { isReviewProblem, parseReview, reviewResponse, type AdmissionRequest, type AdmissionResponse } from './review.js';
import { readKeyPair } from './tls.js';
import type { VapPolicies } from './vap.js';
import { warmUp } from './warmUp.js';

export interface TlsSource {
  readonly cert: string;
  readonly key: string;
  /** When set, the files are watched and the certificate is reloaded when they change. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface AdmissionServerOptions {
  readonly config: WebhookConfig;
  /** Custom checks (CEL, from `--policies`) run beside the catalogue. */
  readonly customChecks?: readonly Check[];
  /** ValidatingAdmissionPolicies enforced beside the checks. */
  readonly vap?: VapPolicies;
  /** Watched and reloaded when it changes; a broken new version is refused and the old one kept. */
  readonly configFile?: string;
  readonly namespaces: NamespaceSource;
  /** Where the pods of a namespace come from when a Namespace update tightens its enforce level (src/admission/pods.ts). */
  readonly pods?: PodSource;
  readonly tls: TlsSource;
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
  /** Review sample objects for this long before listening, so the first real requests meet optimised code (default 0). */
  readonly warmUpMs?: number;
  /** How often watched files are polled (ms). */
  readonly watchIntervalMs?: number;
  /** The image result cache for the image gate (src/admission/images.ts), reread every `imageCacheRefreshMs` (default 30 s). */
  readonly imageCache?: ImageLookup & { refresh(): Promise<void>; readonly problems: readonly string[] };
  readonly imageCacheRefreshMs?: number;
}

export interface AdmissionServer {
  readonly port: number;
  readonly metrics: AdmissionMetrics;
  /** Stops accepting, lets in-flight requests finish (at most `graceMs`), then closes every connection. */
  close(graceMs?: number): Promise<void>;
  /** The current decider (swapped on config reload). */
  decider(): Decider;
}

type Endpoint = 'validate' | 'mutate';

/** Its argument, which must name every check family (a family added to CheckFamily and not here does not compile). */
function everyFamily<T extends readonly CheckFamily[]>(families: T & ([Exclude<CheckFamily, T[number]>] extends [never] ? unknown : never)): T {
  return families;
}

/** The check families a decision times, in the order `Decider.decide` records them. */
const TIMED_FAMILIES = everyFamily(['catalogue', 'pss', 'images', 'exceptions', 'vap'] as const);

class BadRequest extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BadRequest(`the body is ${declared} bytes, larger than the limit of ${limit} bytes`));
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BadRequest(`the body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

const DURATION_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, 'µs': 0.001, ns: 0.000001 };

/** The `timeout` the API server puts in a webhook's URL (a Go duration: `3s`, `1m0s`, `500ms`), in milliseconds. */
export function requestTimeoutMs(url: string | undefined): number | undefined {
  const query = url?.split('?')[1];
  if (query === undefined) return undefined;
  const text = new URLSearchParams(query).get('timeout');
  if (text === null || !/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(match[1]) * (DURATION_UNITS[match[2] as string] ?? 0);
  return total > 0 ? total : undefined;
}

export async function startAdmissionServer(options: AdmissionServerOptions): Promise<AdmissionServer> {
  const { logger, namespaces } = options;
  const interval = options.watchIntervalMs ?? 1000;
  let decider = new Decider(options.config, options.customChecks, options.vap, options.imageCache);
  let draining = false;
  let inFlight = 0;
  const metrics = createMetrics(namespaces);
  // Label sets bound once: the request path only observes.
  const bound = {
    latency: { validate: metrics.latency.labels({ endpoint: 'validate' }), mutate: metrics.latency.labels({ endpoint: 'mutate' }) },
    ok: { validate: metrics.requests.labels({ endpoint: 'validate', code: '200' }), mutate: metrics.requests.labels({ endpoint: 'mutate', code: '200' }) },
    family: new Map<string, ReturnType<typeof metrics.familyLatency.labels>>(),
  };
  const observeFamily = (family: string, seconds: number): void => {
    let child = bound.family.get(family);
    if (child === undefined) bound.family.set(family, (child = metrics.familyLatency.labels({ family })));
    child.observe(seconds);
  };

  const send = (response: ServerResponse, code: number, body: string, type = 'application/json'): void => {
    response.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...(draining ? { connection: 'close' } : {}) });
    response.end(body);
  };

  const review = (endpoint: Endpoint, request: AdmissionRequest, labels: Readonly<Record<string, string>> | undefined, leadingWarnings: readonly string[]): { response: AdmissionResponse; decision: string } => {
    const current = decider;
    if (endpoint === 'mutate') {
      const started = performance.now();
      const mutable =
        request.operation === 'CREATE' && request.subResource === undefined && request.object !== null && current.mutates(request.namespace, labels);
      const operations = mutable && request.object !== null ? secureDefaultsPatch(request.object, current.podTemplates(), { requests: current.config.admission.mutation.requests }) : [];
      observeFamily('mutation', (performance.now() - started) / 1000);
      if (operations.length === 0) return { response: { uid: request.uid, allowed: true }, decision: mutable ? 'allowed' : 'skipped' };
      return {
        response: { uid: request.uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(operations)).toString('base64') },
        decision: 'patched',
      };
    }
    const decision = current.decide(request, labels, new Date(), leadingWarnings);
    const timings = decision.timings;
    // A fixed list rather than for-in over the timings (an enumeration per review); in the order decide() fills them.
    for (const family of TIMED_FAMILIES) {
      const seconds = timings[family];
      if (seconds !== undefined) observeFamily(family, seconds);
    }
    return { response: decision.response, decision: decision.skipped !== undefined ? 'skipped' : decision.response.allowed ? 'allowed' : 'denied' };
  };

  const handleReview = async (endpoint: Endpoint, request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const finish = (code: number, body: string): void => {
      send(response, code, body);
      if (code === 200) bound.ok[endpoint].inc();
      else metrics.requests.inc({ endpoint, code: String(code) });
      bound.latency[endpoint].observe((performance.now() - started) / 1000);
    };
    if (request.method !== 'POST') {
      metrics.errors.inc({ endpoint, kind: 'bad-request' });
      logger.warn({ endpoint, method: request.method }, 'admission request with a method other than POST');
      finish(405, JSON.stringify({ error: `${endpoint} takes POST with an AdmissionReview` }));
      return;
    }
    const limits = decider.config.admission.limits;
    let body: string;
    try {
      body = await readBody(request, limits.maxBodyBytes);
    } catch (error) {
      const message = error instanceof BadRequest ? error.message : 'the request body could not be read';
      metrics.errors.inc({ endpoint, kind: 'bad-request' });
      logger.warn({ endpoint, problem: message }, 'bad admission request');
      finish(400, JSON.stringify({ error: message }));
      return;
    }
    const parsed = parseReview(body, limits);
    if (isReviewProblem(parsed)) {
      metrics.errors.inc({ endpoint, kind: 'bad-request' });
      logger.warn({ endpoint, uid: parsed.uid, problem: parsed.problem }, 'bad admission request');
      finish(400, JSON.stringify({ error: parsed.problem }));
      return;
    }
    if (!namespaces.ready()) {
      // Without namespace labels there is no verdict to give: the API server applies the failure policy.
      metrics.errors.inc({ endpoint, kind: 'not-ready' });
      logger.warn({ endpoint, uid: parsed.uid }, 'admission request before the namespace cache is filled');
      finish(503, JSON.stringify({ error: 'the namespace cache is not filled yet; see /readyz' }));
      return;
    }
    let labels = parsed.namespace === undefined ? undefined : namespaces.labels(parsed.namespace);
    // A Namespace's own request names itself: it does not exist yet (CREATE) or its labels are in the object.
    const isNamespace = parsed.kind.group === '' && parsed.kind.kind === 'Namespace';
    if (labels === undefined && parsed.namespace !== undefined && !isNamespace && namespaces.lookup !== undefined) labels = await namespaces.lookup(parsed.namespace);
    // A Namespace update that tightens enforce: warn about the existing pods the new level rejects (as PSA does).
    let leadingWarnings: string[] = [];
    const podCheck = endpoint === 'validate' ? namespacePodCheck(parsed, decider.config.admission) : undefined;
    if (podCheck !== undefined) {
      const checkStarted = performance.now();
      try {
        const podOptions = decider.existingPodOptions();
        // As PSA: never more than half of what the API server waits for this webhook (its ?timeout=).
        const callerMs = requestTimeoutMs(request.url);
        const timeoutMs = callerMs === undefined ? podOptions.timeoutMs : Math.min(podOptions.timeoutMs ?? callerMs / 2, callerMs / 2);
        leadingWarnings = await existingPodWarnings(options.pods, podCheck, { ...podOptions, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
      } catch (error) {
        logger.error({ uid: parsed.uid, namespace: podCheck.namespace, err: error }, 'internal error while checking existing pods');
        leadingWarnings = [`existing pods in namespace ${JSON.stringify(podCheck.namespace)} were not checked against the new PodSecurity enforce level ${JSON.stringify(podCheck.policy)}: internal error in the webhook`];
      }
      observeFamily('existing-pods', (performance.now() - checkStarted) / 1000);
      logger.info({ uid: parsed.uid, namespace: podCheck.namespace, policy: podCheck.policy, warnings: leadingWarnings.length }, 'namespace enforce level tightened; existing pods checked');
    }
    let result: ReturnType<typeof review>;
    try {
      result = review(endpoint, parsed, labels, leadingWarnings);
    } catch (error) {
      // A bug in Rampart: answer 500 (the API server applies the failure policy) and keep serving.
      metrics.errors.inc({ endpoint, kind: 'internal' });
      logger.error({ endpoint, uid: parsed.uid, err: error }, 'internal error while reviewing');
      finish(500, JSON.stringify({ error: 'internal error in the admission webhook; see its log' }));
      return;
    }
    if (!parsed.dryRun) metrics.decisions.inc({ endpoint, decision: result.decision });
    // Denials are logged at info, everything else at debug: the line is only built when it will be written.
    const level = result.decision === 'denied' ? 'info' : 'debug';
    if (logger.isLevelEnabled(level)) logger[level](decisionLine(endpoint, parsed, result), result.decision);
    finish(200, JSON.stringify(reviewResponse(result.response)));
  };
  const decisionLine = (endpoint: Endpoint, parsed: AdmissionRequest, result: { response: AdmissionResponse; decision: string }): Record<string, unknown> => {
    return {
      endpoint,
      uid: parsed.uid,
      operation: parsed.operation,
      kind: parsed.kind.kind,
      namespace: parsed.namespace,
      name: parsed.name,
      user: parsed.userInfo.username,
      dryRun: parsed.dryRun,
      decision: result.decision,
      ...(result.response.allowed ? {} : { reasons: result.response.status?.details?.causes.map((cause) => cause.reason) }),
    };
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, (request, response) => {
    inFlight++;
    response.on('close', () => {
      inFlight--;
    });
    const path = (request.url ?? '/').split('?')[0];
    switch (path) {
      case '/validate':
      case '/mutate':
        handleReview(path === '/validate' ? 'validate' : 'mutate', request, response).catch((error: unknown) => {
          logger.error({ err: error }, 'unexpected failure');
          if (!response.headersSent) send(response, 500, JSON.stringify({ error: 'internal error' }));
        });
        return;
      case '/healthz':
        send(response, 200, 'ok\n', 'text/plain');
        return;
      case '/readyz': {
        const ready = !draining && namespaces.ready();
        send(response, ready ? 200 : 503, ready ? 'ready\n' : draining ? 'draining\n' : 'namespace source not ready\n', 'text/plain');
        return;
      }
      case '/metrics':
        metrics.registry
          .metrics()
          .then((text) => send(response, 200, text, metrics.registry.contentType))
          .catch(() => send(response, 500, 'metrics unavailable\n', 'text/plain'));
        return;
      default:
        send(response, 404, JSON.stringify({ error: `no such endpoint ${path}; use /validate, /mutate, /healthz, /readyz or /metrics` }));
    }
  });
  // Slow or silent clients must not hold sockets forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 30_000;
  server.on('tlsClientError', (error) => logger.debug({ err: error.message }, 'TLS handshake failed'));
  server.on('clientError', (error, socket) => {
    logger.debug({ err: error.message }, 'client error');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  const watched: string[] = [];
  const watch = (file: string, onChange: () => Promise<void>): void => {
    watched.push(file);
    watchFile(file, { interval, persistent: false }, (current, previous) => {
      if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
      onChange().catch((error: unknown) => logger.error({ err: error }, 'reload failed'));
    });
  };
  const { certFile, keyFile } = options.tls;
  if (certFile !== undefined && keyFile !== undefined) {
    const reloadCertificate = async (): Promise<void> => {
      try {
        const pair = await readKeyPair(certFile, keyFile);
        // Only new handshakes use the new certificate; open connections keep theirs.
        server.setSecureContext({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' });
        metrics.certificateReloads.inc({ result: 'success' });
        logger.info({ certFile }, 'serving certificate reloaded');
      } catch (error) {
        metrics.certificateReloads.inc({ result: 'failure' });
        logger.error({ certFile, err: error instanceof Error ? error.message : String(error) }, 'serving certificate reload failed; keeping the old one');
      }
    };
    watch(certFile, reloadCertificate);
    watch(keyFile, reloadCertificate);
  }
  const configFile = options.configFile;
  if (configFile !== undefined) {
    watch(configFile, async () => {
      try {
        decider = new Decider(await loadWebhookConfig(configFile), options.customChecks, options.vap, options.imageCache);
        metrics.configReloads.inc({ result: 'success' });
        logger.info({ configFile }, 'config reloaded');
      } catch (error) {
        metrics.configReloads.inc({ result: 'failure' });
        logger.error({ configFile, err: error instanceof Error ? error.message : String(error) }, 'config reload failed; keeping the previous config');
      }
    });
  }

  // The image cache is reread off the request path; a request only reads the in-memory copy.
  const imageCache = options.imageCache;
  let refreshing = false;
  const imageTimer =
    imageCache === undefined
      ? undefined
      : setInterval(() => {
          if (refreshing) return;
          refreshing = true;
          imageCache
            .refresh()
            .then(() => {
              if (imageCache.problems.length > 0) logger.warn({ directory: imageCache.directory, problems: imageCache.problems.slice(0, 10) }, 'image cache entries skipped');
            })
            .catch((error: unknown) => logger.error({ directory: imageCache.directory, err: error instanceof Error ? error.message : String(error) }, 'image cache refresh failed; keeping the previous copy'))
            .finally(() => {
              refreshing = false;
            });
        }, Math.max(100, options.imageCacheRefreshMs ?? 30_000));
  imageTimer?.unref();

  if ((options.warmUpMs ?? 0) > 0) {
    const started = performance.now();
    const reviews = warmUp(decider, options.warmUpMs ?? 0);
    logger.info({ reviews, ms: Math.round(performance.now() - started) }, 'decision core warmed up');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, checks: decider.checkIds().length }, 'admission webhook listening');

  return {
    port,
    metrics,
    decider: () => decider,
    close: async (graceMs = 10_000) => {
      if (draining) return;
      draining = true;
      for (const file of watched) unwatchFile(file);
      if (imageTimer !== undefined) clearInterval(imageTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      server.closeAllConnections();
      await closed;
      namespaces.close?.();
      logger.info({ port }, 'admission webhook stopped');
    },
  };
}
