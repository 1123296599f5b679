/** The audit webhook: authentication, spool before acknowledgement, 429, 413, malformed events, metrics; the alert webhook sink. */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AggregatedAlert } from './aggregate.js';
import { buildRuleSet, builtinRuleTexts, type RuleSet } from './rules.js';
import { readRequest } from './eventList.js';
import { startDetectServer, type DetectServer } from './serve.js';
import { slackPayload, WebhookSink } from './sink.js';
import { makeCertificates, type TestCertificates } from './testCerts.js';
import { deployment, podSpec, rawEvent } from './testSupport.js';

let certs: TestCertificates;
let ruleSet: RuleSet;
const directories: string[] = [];
before(() => {
  certs = makeCertificates();
  ruleSet = buildRuleSet(builtinRuleTexts());
});
after(() => {
  for (const directory of [certs.directory, ...directories]) rmSync(directory, { recursive: true, force: true });
});

function spoolDirectory(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-spool-'));
  directories.push(directory);
  return directory;
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function post(port: number, body: string, options: { token?: string; clientCert?: boolean; method?: string; path?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/audit',
        method: options.method ?? 'POST',
        ca: certs.ca,
        ...(options.clientCert === true ? { cert: certs.clientCert, key: certs.clientKey } : {}),
        headers: { 'content-type': 'application/json', ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}) },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const eventList = (items: unknown[]): string => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items });
const privilegedDeployment = (auditID: string) => rawEvent({ verb: 'create', resource: 'deployments', namespace: 'default', name: 'web', auditID, requestObject: deployment(podSpec({ securityContext: { privileged: true } })) });

async function withServer(options: Partial<Parameters<typeof startDetectServer>[1]>, run: (server: DetectServer, alerts: AggregatedAlert[], spool: string) => Promise<void>): Promise<void> {
  const alerts: AggregatedAlert[] = [];
  const spool = spoolDirectory();
  const server = await startDetectServer(ruleSet, { spoolDirectory: spool, cert: certs.cert, key: certs.key, port: 0, onAlert: (alert) => alerts.push(alert), onLog: () => {}, aggregateSeconds: 0, ...options });
  try {
    await run(server, alerts, spool);
  } finally {
    await server.close();
  }
}

test('bearer token: 401 without or with a wrong token; an EventList is spooled, acknowledged, then processed', async () => {
  await withServer({ tokens: ['s3cret'] }, async (server, alerts, spool) => {
    assert.equal((await post(server.port, eventList([privilegedDeployment('e1')]))).status, 401);
    assert.equal((await post(server.port, eventList([privilegedDeployment('e1')]), { token: 'wrong' })).status, 401);
    const reply = await post(server.port, eventList([privilegedDeployment('e1'), rawEvent({ verb: 'get', resource: 'pods', auditID: 'e2' })]), { token: 's3cret' });
    assert.equal(reply.status, 200);
    // Acknowledged means on disk.
    const spooled = readFileSync(path.join(spool, 'events.log'), 'utf8');
    assert.match(spooled, /^\{"t":\d+,"n":\d+\}\n\{"kind":"EventList"/);
    assert.ok(spooled.includes('"auditID":"e1"') && spooled.includes('"auditID":"e2"'));
    for (let attempt = 0; attempt < 100 && !alerts.some((alert) => alert.ruleId === 'audit-privileged-pod'); attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(alerts.some((alert) => alert.ruleId === 'audit-privileged-pod' && alert.auditID === 'e1'));
    // The same batch again (an API server retry) is acknowledged and not processed twice.
    assert.equal((await post(server.port, eventList([privilegedDeployment('e1')]), { token: 's3cret' })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alerts.filter((alert) => alert.ruleId === 'audit-privileged-pod').length, 1);
    // A single Event is accepted too.
    assert.equal((await post(server.port, JSON.stringify(rawEvent({ verb: 'get', resource: 'pods', auditID: 'e3' })), { token: 's3cret' })).status, 200);
    const metrics = await post(server.port, '', { token: 's3cret', method: 'GET', path: '/metrics' });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /rampart_detect_events_received_total 3/);
    assert.match(metrics.body, /rampart_detect_events_duplicate_total 1/);
    assert.match(metrics.body, /rampart_detect_alerts_total\{rule="audit-privileged-pod",severity="high"\} 1/);
    assert.match(metrics.body, /rampart_detect_lag_seconds_count \d+/);
    assert.match(metrics.body, /rampart_detect_requests_unauthorized_total 2/);
  });
});

test('an event that reuses an earlier audit ID is processed: the Audit-ID header a client sends cannot hide its request', async () => {
  await withServer({ tokens: ['t'] }, async (server, alerts) => {
    // A harmless request, whose audit ID the API server echoes back to the client in the Audit-ID header.
    const harmless = eventList([rawEvent({ verb: 'get', resource: 'pods', namespace: 'default', auditID: 'chosen-id' })]);
    assert.equal((await post(server.port, harmless, { token: 't' })).status, 200);
    // The client's next request sends that ID as its Audit-ID header; the API server takes it as the event's auditID.
    const sneaky = eventList([privilegedDeployment('chosen-id')]);
    assert.equal((await post(server.port, sneaky, { token: 't' })).status, 200);
    for (let attempt = 0; attempt < 400 && server.pipeline.counters.processed < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(server.pipeline.counters.processed, 2, 'both events were run through the rules');
    assert.ok(alerts.some((alert) => alert.ruleId === 'audit-privileged-pod' && alert.auditID === 'chosen-id'));
    // A true retry (the same bytes again) is still recognised and not run twice.
    assert.equal((await post(server.port, sneaky, { token: 't' })).status, 200);
    assert.equal((await post(server.port, eventList([rawEvent({ verb: 'get', resource: 'pods', auditID: 'after' })]), { token: 't' })).status, 200);
    for (let attempt = 0; attempt < 400 && server.pipeline.counters.processed < 3; attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(server.pipeline.counters.processed, 3, 'the retry was not processed again');
    assert.equal(alerts.filter((alert) => alert.ruleId === 'audit-privileged-pod').length, 1);
  });
});

/** The descriptor this process holds on `file` (the spool's events.log). */
function descriptorOf(file: string): number {
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${name}`) === file) return Number(name);
    } catch {
      // Closed meanwhile (the directory's own descriptor).
    }
  }
  throw new Error(`no descriptor on ${file}`);
}

/** Puts the file `open` opens under the number `descriptor` (the lowest free number is given out first). */
function replaceDescriptor(descriptor: number, open: () => number): void {
  closeSync(descriptor);
  const lower: number[] = [];
  let opened = open();
  while (opened < descriptor) {
    lower.push(opened);
    opened = open();
  }
  for (const other of lower) closeSync(other);
  assert.equal(opened, descriptor, 'the descriptor number was free');
}

test('a failed spool write: 503, its events are processed and recorded once; the retry is spooled and acknowledged, not run again', async () => {
  await withServer({ tokens: ['t'] }, async (server, alerts, spool) => {
    const eventsLog = path.join(spool, 'events.log');
    const descriptor = descriptorOf(eventsLog);
    // The spool's writes fail (EBADF) while its descriptor number holds a read-only file. Swapped synchronously:
    // a closed number would be given to the next socket, and the spool would write into it.
    replaceDescriptor(descriptor, () => openSync(path.join(spool, 'processed.jsonl'), 'r'));
    const body = eventList([privilegedDeployment('f1')]);
    assert.equal((await post(server.port, body, { token: 't' })).status, 503);
    for (let attempt = 0; attempt < 400 && server.pipeline.counters.processed < 1; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.pipeline.counters.processed, 1, 'the event was run through the rules all the same');
    const raised = alerts.filter((alert) => alert.auditID === 'f1').length;
    assert.ok(raised > 0, 'and its alerts delivered');
    replaceDescriptor(descriptor, () => openSync(eventsLog, 'a'));
    assert.equal((await post(server.port, body, { token: 't' })).status, 200, 'the retry is acknowledged');
    assert.match(readFileSync(eventsLog, 'utf8'), /"auditID":"f1"/, 'once it is on disk');
    // A later event: the queue is in order, so had the retry been queued it would be processed first.
    assert.equal((await post(server.port, eventList([rawEvent({ verb: 'get', resource: 'pods', auditID: 'f2' })]), { token: 't' })).status, 200);
    for (let attempt = 0; attempt < 400 && server.pipeline.counters.processed < 2; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.pipeline.counters.processed, 2, 'f1 was not run again');
    assert.equal(alerts.filter((alert) => alert.auditID === 'f1').length, raised);
    const journal = readFileSync(path.join(spool, 'processed.jsonl'), 'utf8');
    const read = readRequest(Buffer.from(body));
    assert.ok(read.ok);
    assert.equal(journal.split(read.keys[0]!).length - 1, 1, 'recorded as processed once');
  });
});

test('mTLS: a client certificate from the CA is accepted, no certificate is refused', async () => {
  await withServer({ clientCa: certs.ca }, async (server) => {
    assert.equal((await post(server.port, eventList([rawEvent({ verb: 'get', resource: 'pods' })]), { clientCert: true })).status, 200);
    assert.equal((await post(server.port, eventList([rawEvent({ verb: 'get', resource: 'pods' })]))).status, 401);
  });
});

test('429 with Retry-After when the queue is full; 413 over the body limit; 400 and counts for malformed input', async () => {
  await withServer({ tokens: ['t'], maxQueue: 3, maxBodyBytes: 100_000, holdProcessing: true }, async (server) => {
    const three = eventList([1, 2, 3].map((index) => rawEvent({ verb: 'get', resource: 'pods', auditID: `q${index}` })));
    assert.equal((await post(server.port, three, { token: 't' })).status, 200);
    const full = await post(server.port, eventList([rawEvent({ verb: 'get', resource: 'pods', auditID: 'q4' })]), { token: 't' });
    assert.equal(full.status, 429);
    assert.equal(full.headers['retry-after'], '1');
    server.resume();
    for (let attempt = 0; attempt < 100 && server.pipeline.counters.processed < 3; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal((await post(server.port, eventList([rawEvent({ verb: 'get', resource: 'pods', auditID: 'q4' })]), { token: 't' })).status, 200);
    assert.equal((await post(server.port, 'x'.repeat(200_000), { token: 't' })).status, 413);
    assert.equal((await post(server.port, '{not json', { token: 't' })).status, 400);
    assert.equal((await post(server.port, JSON.stringify({ kind: 'Pod' }), { token: 't' })).status, 400);
    // One bad item in a list: the others are accepted.
    const mixed = await post(server.port, eventList([{ kind: 0 }, rawEvent({ verb: 'get', resource: 'pods', auditID: 'q5' })]), { token: 't' });
    assert.equal(mixed.status, 200);
    const metrics = await server.registry.metrics();
    assert.match(metrics, /rampart_detect_events_malformed_total 3/);
    assert.match(metrics, /rampart_detect_events_dropped_total 1/);
    assert.match(metrics, /rampart_detect_events_received_total 5/);
  });
});

test('alert webhook sink: retries with backoff after failures, Slack-compatible payload, on loopback', async () => {
  const received: unknown[] = [];
  let calls = 0;
  const receiver = http.createServer((request, response) => {
    calls++;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (calls <= 2) {
        response.writeHead(calls === 1 ? 503 : 429, calls === 2 ? { 'retry-after': '0' } : {});
        response.end();
        return;
      }
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  try {
    const port = (receiver.address() as { port: number }).port;
    const sink = new WebhookSink({ url: `http://127.0.0.1:${port}/hook`, format: 'slack', baseDelayMs: 10 });
    const alert: AggregatedAlert = { time: '2026-01-01T00:00:00.000Z', ruleId: 'audit-privileged-pod', title: 'Privileged container created', severity: 'high', mitre: ['T1610'], msThreatMatrix: ['MS-TA9018'], message: 'privileged container app', fields: {}, auditID: 'a', stage: 'ResponseComplete', verb: 'create', user: 'alice', sourceIPs: [], target: { resource: 'pods', subresource: '', namespace: 'default', name: 'p' } };
    sink.send(alert);
    await sink.drain(5000);
    assert.equal(calls, 3);
    assert.equal(sink.counters.sent, 1);
    assert.equal(sink.counters.failedAttempts, 2);
    assert.deepEqual(received, [slackPayload(alert)]);
    const payload = received[0] as { text: string; blocks: unknown[] };
    assert.match(payload.text, /\[high\] Privileged container created: privileged container app/);
    assert.equal(payload.blocks.length, 2);
    // A receiver that never answers 2xx: the alert is dropped after the last attempt, and counted.
    const failing = new WebhookSink({ url: `http://127.0.0.1:${port}/hook`, format: 'json', baseDelayMs: 1, maxAttempts: 2 });
    calls = -100;
    sink.close();
    failing.send(alert);
    await failing.drain(5000);
    assert.equal(failing.counters.dropped, 1);
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});

test('metrics on their own plain-HTTP listener, without credentials', async () => {
  await withServer({ tokens: ['t'], metricsPort: 0 }, async (server) => {
    assert.ok(server.metricsPort !== undefined);
    const text = await new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.metricsPort, path: '/metrics' }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      }).on('error', reject);
    });
    assert.match(text, /# TYPE rampart_detect_events_received_total counter/);
    assert.match(text, /rampart_detect_lag_summary_seconds\{quantile="0.99"\}/);
  });
});
