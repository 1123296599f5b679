/**
 * The one door to a live API server. `@kubernetes/client-node`'s KubeConfig
 * reads the kubeconfig (or the in-cluster service-account credentials) and
 * applies every authentication method it knows (tokens, token files, client
 * certificates, exec plugins, auth providers) to each request; Rampart sends
 * the requests itself so that it sees status codes and headers (429 with
 * Retry-After, 410 Gone) and can read list pages and watch streams as they come.
 */
import { existsSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { homedir } from 'node:os';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { UsageError } from '../cli/common.js';

export interface ClusterOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** Use the pod's service-account credentials even when a kubeconfig exists. */
  readonly inCluster?: boolean;
}

/**
 * The cluster cannot be used at all (no config, unreachable, credentials
 * refused). A UsageError, so the command line prints the message without a
 * stack trace and exits 2 wherever it is thrown.
 */
export class ClusterError extends UsageError {}

export interface ApiReply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_THROTTLE_RETRIES = 8;
/** A Retry-After longer than this is capped: a scan should not sleep for minutes on one header. */
const MAX_RETRY_AFTER_MS = 30_000;

export class ClusterConnection {
  private readonly agents = new Set<http.Agent>();

  private constructor(
    private readonly config: KubeConfig,
    /** The context's name, for messages. */
    readonly context: string,
    /** The API server's URL. */
    readonly server: string,
    /** The context's default namespace, if it names one. */
    readonly defaultNamespace: string | undefined,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** Reads the kubeconfig (--kubeconfig, else $KUBECONFIG, else ~/.kube/config, else in-cluster credentials) and picks the context. */
  static async open(options: ClusterOptions, sleep: (ms: number) => Promise<void> = delay): Promise<ClusterConnection> {
    // Only the KubeConfig module: the package index also loads every generated API client (more startup time, none used).
    const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
    const config = new KubeConfig();
    const source = options.kubeconfig ?? process.env.KUBECONFIG ?? path.join(homedir(), '.kube', 'config');
    try {
      if (options.inCluster === true) {
        if (process.env.KUBERNETES_SERVICE_HOST === undefined) throw new ClusterError('in-cluster credentials asked for, but KUBERNETES_SERVICE_HOST is not set (not running in a pod)');
        config.loadFromCluster(process.env.RAMPART_IN_CLUSTER_ROOT ?? '');
      } else if (options.kubeconfig !== undefined || (process.env.KUBECONFIG ?? '') !== '' || existsSync(source)) {
        if (options.kubeconfig !== undefined && !existsSync(options.kubeconfig)) throw new ClusterError(`kubeconfig ${options.kubeconfig} does not exist`);
        if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
        else config.loadFromDefault();
      } else if (process.env.KUBERNETES_SERVICE_HOST !== undefined) {
        // RAMPART_IN_CLUSTER_ROOT prefixes /var/run/secrets/kubernetes.io/serviceaccount (tests, or a non-standard mount).
        config.loadFromCluster(process.env.RAMPART_IN_CLUSTER_ROOT ?? '');
      } else {
        throw new ClusterError('no kubeconfig found (give --kubeconfig, set KUBECONFIG, or create ~/.kube/config) and not running in a cluster');
      }
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      throw new ClusterError(`cannot read kubeconfig ${source}: ${describe(error)}`);
    }
    if (options.context !== undefined) {
      if (config.getContextObject(options.context) === null) {
        const known = config.getContexts().map((context) => context.name);
        throw new ClusterError(`context "${options.context}" is not in the kubeconfig (it has ${known.length === 0 ? 'no contexts' : known.map((name) => `"${name}"`).join(', ')})`);
      }
      config.setCurrentContext(options.context);
    }
    const contextName = config.getCurrentContext();
    const cluster = config.getCurrentCluster();
    if (cluster === null || cluster.server === '') throw new ClusterError(`context "${contextName}" names no cluster with a server URL`);
    return new ClusterConnection(config, contextName, cluster.server, config.getContextObject(contextName)?.namespace ?? undefined, sleep);
  }

  /** Closes kept-alive connections, so a finished command lets the process exit. */
  close(): void {
    for (const agent of this.agents) agent.destroy();
    this.agents.clear();
  }

  /** One request; 429 is retried after Retry-After (or a growing delay); network failures become ClusterError. */
  async request(urlPath: string, init: { method?: string; body?: string } = {}): Promise<ApiReply> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(urlPath, init);
      const body = await readBody(response);
      if (response.statusCode === 429 && attempt < MAX_THROTTLE_RETRIES) {
        await this.sleep(retryDelay(response.headers['retry-after'], attempt));
        continue;
      }
      if (response.statusCode === 401) throw new ClusterError(`the API server of context "${this.context}" (${this.server}) refused the credentials: 401 Unauthorized`);
      return { status: response.statusCode ?? 0, headers: response.headers, body };
    }
  }

  /** A streaming GET (watch): the response is handed over unread; 429 is retried like `request`. */
  async stream(urlPath: string): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(urlPath, {}, 0);
      if (response.statusCode === 429 && attempt < MAX_THROTTLE_RETRIES) {
        response.resume();
        await this.sleep(retryDelay(response.headers['retry-after'], attempt));
        continue;
      }
      return response;
    }
  }

  private async send(urlPath: string, init: { method?: string; body?: string }, timeout = REQUEST_TIMEOUT_MS): Promise<IncomingMessage> {
    const url = new URL(this.server.replace(/\/+$/, '') + urlPath);
    const options: https.RequestOptions = {
      method: init.method ?? 'GET',
      headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), 'user-agent': 'rampart' },
    };
    try {
      await this.config.applyToHTTPSOptions(options);
    } catch (error) {
      throw new ClusterError(`cannot get credentials for context "${this.context}": ${describe(error)}`);
    }
    if (options.agent instanceof http.Agent) this.agents.add(options.agent);
    const transport = url.protocol === 'http:' ? http : https;
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const request = transport.request(url, options, resolve);
      if (timeout > 0) {
        request.setTimeout(timeout, () => request.destroy(new Error(`no answer within ${timeout / 1000} s`)));
      }
      request.on('error', (error) => reject(new ClusterError(`cannot reach the API server of context "${this.context}" (${this.server}): ${describe(error)}`)));
      request.end(init.body);
    });
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

/** Retry-After in seconds (or an HTTP date); without one, 0.5 s doubling per attempt. */
export function retryDelay(header: string | undefined, attempt: number): number {
  if (header !== undefined) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.min(Math.max(date - Date.now(), 0), MAX_RETRY_AFTER_MS);
  }
  return Math.min(500 * 2 ** attempt, MAX_RETRY_AFTER_MS);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The message of an error without its stack; node's network errors keep their code (ECONNREFUSED). */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}${cause}` : `${error.message}${cause}`;
  }
  return String(error);
}

/** The Status message of an error reply, or its status code. */
export function statusMessage(reply: ApiReply): string {
  try {
    const parsed = JSON.parse(reply.body) as { message?: unknown };
    if (typeof parsed.message === 'string') return `${reply.status}: ${parsed.message}`;
  } catch {
    // not JSON: fall through
  }
  return `HTTP ${reply.status}`;
}
