/**
 * HTTP webhook alert sink: POSTs each alert as JSON (or as a Slack-compatible
 * message), one request at a time in order, retrying failures (network
 * errors, 429 and 5xx) with exponential backoff and honouring Retry-After.
 * The queue is bounded; when it is full the oldest alert is dropped and
 * counted, so a dead receiver cannot take the process's memory.
 */
import http from 'node:http';
import https from 'node:https';
import type { AggregatedAlert } from './aggregate.js';

export type SinkFormat = 'json' | 'slack';

export interface WebhookSinkOptions {
  readonly url: string;
  readonly format: SinkFormat;
  readonly maxQueue?: number;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly timeoutMs?: number;
  /** Trusted CA for an https receiver (PEM), besides the system ones. */
  readonly ca?: string | Buffer;
}

const SEVERITY_EMOJI: Record<string, string> = { critical: ':rotating_light:', high: ':red_circle:', medium: ':large_orange_circle:', low: ':large_yellow_circle:', info: ':information_source:' };

/** A Slack incoming-webhook message: `text` for notifications, blocks for the detail. */
export function slackPayload(alert: AggregatedAlert): Record<string, unknown> {
  const repeats = alert.aggregate !== undefined ? ` (×${alert.aggregate.count} between ${alert.aggregate.firstTime} and ${alert.aggregate.lastTime})` : '';
  const text = `${SEVERITY_EMOJI[alert.severity] ?? ''} [${alert.severity}] ${alert.title}: ${alert.message}${repeats}`.trim();
  const techniques = [...alert.mitre, ...alert.msThreatMatrix].join(', ');
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${alert.title}* (\`${alert.ruleId}\`, ${alert.severity})\n${alert.message}${repeats}` } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `user \`${alert.user}\` · ${alert.verb} ${alert.target.resource}${alert.target.subresource !== '' ? `/${alert.target.subresource}` : ''} · ${alert.time}${techniques !== '' ? ` · ${techniques}` : ''}` }],
      },
    ],
  };
}

export interface SinkCounters {
  sent: number;
  failedAttempts: number;
  dropped: number;
}

export class WebhookSink {
  readonly counters: SinkCounters = { sent: 0, failedAttempts: 0, dropped: 0 };
  private readonly queue: AggregatedAlert[] = [];
  private running = false;
  private closed = false;
  private idleResolvers: (() => void)[] = [];
  private readonly url: URL;

  constructor(private readonly options: WebhookSinkOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new Error(`alert webhook must be an http or https URL, got ${options.url}`);
  }

  send(alert: AggregatedAlert): void {
    if (this.closed) return;
    if (this.queue.length >= (this.options.maxQueue ?? 10_000)) {
      this.queue.shift();
      this.counters.dropped++;
    }
    this.queue.push(alert);
    void this.run();
  }

  /** Resolves when the queue is empty (or after `timeoutMs`). */
  async drain(timeoutMs = 10_000): Promise<void> {
    if (this.queue.length === 0 && !this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleResolvers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.queue.length > 0 && !this.closed) {
      const alert = this.queue[0]!;
      const body = JSON.stringify(this.options.format === 'slack' ? slackPayload(alert) : alert);
      const maxAttempts = this.options.maxAttempts ?? 8;
      for (let attempt = 1; ; attempt++) {
        const result = await this.post(body);
        if (result.ok) {
          this.counters.sent++;
          break;
        }
        this.counters.failedAttempts++;
        if (!result.retry || attempt >= maxAttempts || this.closed) {
          this.counters.dropped++;
          break;
        }
        const backoff = Math.min(this.options.maxDelayMs ?? 30_000, (this.options.baseDelayMs ?? 250) * 2 ** (attempt - 1));
        const jitter = backoff * 0.2 * Math.random();
        await new Promise((resolve) => setTimeout(resolve, Math.max(result.retryAfterMs ?? 0, backoff + jitter)));
      }
      this.queue.shift();
    }
    this.running = false;
    const resolvers = this.idleResolvers;
    this.idleResolvers = [];
    for (const resolve of resolvers) resolve();
  }

  private post(body: string): Promise<{ ok: boolean; retry: boolean; retryAfterMs?: number }> {
    const client = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const request = client.request(
        this.url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: this.options.timeoutMs ?? 10_000, ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}) },
        (response) => {
          response.resume();
          const status = response.statusCode ?? 0;
          const retryAfter = Number(response.headers['retry-after']);
          response.on('end', () =>
            resolve({ ok: status >= 200 && status < 300, retry: status === 429 || status >= 500, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: Math.min(retryAfter * 1000, 60_000) } : {}) }),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', () => resolve({ ok: false, retry: true }));
      request.end(body);
    });
  }
}
