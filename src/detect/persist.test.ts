/**
 * `detect serve` as a real process over time: the spool rotates while
 * serving (disk stays bounded), a kill and restart with rotation going on
 * still processes every acknowledged event exactly once, and correlation
 * state (first-seen, sequences) survives a kill and a clean restart.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readRequest } from './eventList.js';
import { makeCertificates } from './testCerts.js';
import { rawEvent, type EventSpec } from './testSupport.js';
import { EVERY_EVENT_RULES, freePort, startServer } from './testServer.js';

const certs = makeCertificates();
const directories: string[] = [certs.directory];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function workDirectory(rules: string): { directory: string; spool: string; output: string; base: string[] } {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-persist-'));
  directories.push(directory);
  writeFileSync(path.join(directory, 'tokens'), 'persist-token\n');
  writeFileSync(path.join(directory, 'rules.yaml'), rules);
  const spool = path.join(directory, 'spool');
  const output = path.join(directory, 'alerts.jsonl');
  const base = ['detect', 'serve', '--spool', spool, '--tls-cert', certs.certPath, '--tls-key', certs.keyPath, '--token-file', path.join(directory, 'tokens'), '--aggregate', '0', '--no-builtin', '--rules', path.join(directory, 'rules.yaml'), '--output', output];
  return { directory, spool, output, base };
}



async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

function request(port: number, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const outgoing = https.request({ host: '127.0.0.1', port, path: method === 'GET' ? '/metrics' : '/', method, ca: certs.ca, headers: { authorization: 'Bearer persist-token', 'content-type': 'application/json' }, agent: false, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', () => resolve({ status: 0, text: '' }));
    });
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', () => resolve({ status: 0, text: '' }));
    outgoing.end(body);
  });
}

function eventList(events: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: events });
}

/** Posts until acknowledged (as the API server retries). */
async function postUntilAcknowledged(port: () => number, body: string): Promise<void> {
  // A deadline, not a number of attempts: a restart is a new Node process, slow on a loaded machine.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await request(port(), 'POST', body)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('never acknowledged');
}

/** Polls /metrics until the server has processed `count` events (generous: the machine may be loaded). */
async function waitProcessed(port: number, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const metrics = (await request(port, 'GET')).text;
    const processed = Number(/^rampart_detect_events_processed_total (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    if (processed >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not process ${count} events within 60 s`);
}

function alertIds(output: string): string[] {
  if (!existsSync(output)) return [];
  return readFileSync(output, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { auditID: string }).auditID);
}

function batchOf(batch: number, size: number): { ids: string[]; body: string } {
  const ids = Array.from({ length: size }, (_, index) => `s${batch}-e${index}`);
  return { ids, body: eventList(ids.map((auditID) => rawEvent({ verb: 'get', resource: 'pods', namespace: 'default', auditID }))) };
}

test('the spool rotates while serving: fully processed segments are deleted, every event alerted once', { timeout: 300_000 }, async () => {
  const work = workDirectory(EVERY_EVENT_RULES);
  const port = await freePort();
  // About two batches per segment; one rotated generation kept.
  const child = await startServer([...work.base, '--listen', `127.0.0.1:${port}`, '--spool-segment-size', '20000', '--spool-keep', '1']);
  try {
    const BATCHES = 40;
    let maxGenerations = 0;
    for (let batch = 0; batch < BATCHES; batch++) {
      await postUntilAcknowledged(() => port, batchOf(batch, 10).body);
      if (batch % 5 === 4) {
        await waitProcessed(port, (batch + 1) * 10);
        maxGenerations = Math.max(maxGenerations, readdirSync(work.spool).filter((name) => /^events\.log\.\d+$/.test(name)).length);
      }
    }
    await waitProcessed(port, BATCHES * 10);
    const metrics = (await request(port, 'GET')).text;
    const rotations = Number(/^rampart_detect_spool_rotations (\S+)$/m.exec(metrics)?.[1] ?? NaN);
    assert.ok(rotations >= 5, `the spool rotated while serving (${rotations} rotations)`);
    // The one kept, and the one being rotated (the old generation is deleted when the new journal is in place).
    assert.ok(maxGenerations <= 2, `at most two rotated generations on disk (${maxGenerations})`);
    // A retry of the first batch, whose segment is gone, is still recognized.
    assert.equal((await request(port, 'POST', batchOf(0, 10).body)).status, 200);
  } finally {
    await stop(child, 'SIGTERM');
  }
  const files = readdirSync(work.spool);
  assert.equal(files.filter((name) => /^events\.log\.\d+$/.test(name)).length, 1);
  assert.equal(files.filter((name) => /^processed\.jsonl\.\d+$/.test(name)).length, 1);
  const ids = alertIds(work.output);
  assert.equal(ids.length, 400, 'one alert per event');
  assert.equal(new Set(ids).size, 400, 'no event alerted twice (the retry included)');
});

test('kill -9 and restart while the spool rotates: every acknowledged event processed exactly once', { timeout: 300_000 }, async () => {
  const work = workDirectory(EVERY_EVENT_RULES);
  let port = await freePort();
  // Generations kept so the journals can be audited here; rotation still happens every couple of batches.
  const args = (): string[] => [...work.base, '--listen', `127.0.0.1:${port}`, '--spool-segment-size', '30000', '--spool-keep', '10000'];
  let child = await startServer(args());
  const acknowledged = new Set<string>();
  try {
    const BATCHES = 60;
    for (let batch = 0; batch < BATCHES; batch++) {
      const { body } = batchOf(batch, 20);
      await postUntilAcknowledged(() => port, body);
      // The key the server gives each event: the digest of its bytes in the body.
      const read = readRequest(Buffer.from(body));
      if (read.ok) for (const key of read.keys) acknowledged.add(key);
      if (batch % 15 === 14) {
        // Killed with whatever is in flight, restarted on a new port.
        await stop(child, 'SIGKILL');
        port = await freePort();
        child = await startServer(args());
      }
    }
  } finally {
    // A clean stop processes whatever is still queued.
    await stop(child, 'SIGTERM');
  }
  const names = readdirSync(work.spool);
  const generations = names.filter((name) => /^events\.log\.\d+$/.test(name)).length;
  assert.ok(generations >= 8, `rotations happened while serving (${generations} generations)`);
  const counts = new Map<string, number>();
  for (const name of names.filter((file) => /^processed\.jsonl(\.\d+)?$/.test(file))) {
    for (const line of readFileSync(path.join(work.spool, name), 'utf8').split('\n')) {
      if (line === '') continue;
      const record = JSON.parse(line) as { k?: string[] };
      for (const key of record.k ?? []) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  assert.deepEqual([...acknowledged].filter((key) => !counts.has(key)), [], 'every acknowledged event was processed');
  assert.deepEqual([...counts].filter(([, count]) => count > 1), [], 'no event was processed twice');
});

const CORRELATION = `apiVersion: rampart.dev/v1alpha1
kind: DetectionRules
rules:
- id: first-verb
  title: First use of a verb
  severity: low
  condition: "true"
  output: "user.name + ' used ' + verb + ' for the first time'"
  correlation: {type: firstSeen, key: user.name, value: verb, learning: 0s}
- id: exec-after-create
  title: Exec after create
  severity: high
  match: {verbs: [create, get], resources: [pods/exec]}
  condition: "true"
  output: "'exec into ' + target.name"
  correlation:
    type: sequence
    first:
      match: {verbs: [create], resources: [pods]}
      condition: "true"
      key: target.namespace + '/' + target.name
    key: target.namespace + '/' + target.name
    within: 10m
`;

test('correlation state survives a kill -9 and a clean restart (first-seen and sequence)', { timeout: 300_000 }, async () => {
  const work = workDirectory(CORRELATION);
  let port = await freePort();
  const args = (): string[] => [...work.base, '--listen', `127.0.0.1:${port}`];
  const send = async (specs: EventSpec[]): Promise<void> => postUntilAcknowledged(() => port, eventList(specs.map((spec) => rawEvent(spec))));
  const alerts = (): { ruleId: string; auditID: string }[] => (existsSync(work.output) ? readFileSync(work.output, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { ruleId: string; auditID: string }) : []);
  let child = await startServer(args());
  try {
    // Run 1: alice reads, bob creates web-1. Nothing to alert: first events of each identity, no exec yet.
    await send([
      { verb: 'get', resource: 'pods', namespace: 'team', name: 'x', user: 'alice', auditID: 'a1' },
      { verb: 'create', resource: 'pods', namespace: 'team', name: 'web-1', user: 'bob', code: 201, auditID: 'b1' },
    ]);
    await waitProcessed(port, 2);
    assert.deepEqual(alerts(), []);
    // Killed before any periodic checkpoint (every 10 s): the state comes back from the events processed since.
    await stop(child, 'SIGKILL');
    port = await freePort();
    child = await startServer(args());
    await send([
      { verb: 'delete', resource: 'pods', namespace: 'team', name: 'x', user: 'alice', auditID: 'a2' },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'team', name: 'web-1', user: 'bob', code: 101, auditID: 'b2' },
      { verb: 'get', resource: 'pods', namespace: 'team', name: 'y', user: 'carol', auditID: 'c1' },
      { verb: 'create', resource: 'pods', namespace: 'team', name: 'web-2', user: 'bob', code: 201, auditID: 'b3' },
    ]);
    await waitProcessed(port, 4);
    // A clean stop: the state is checkpointed, and the next start rotates the spool with it.
    await stop(child, 'SIGTERM');
    port = await freePort();
    child = await startServer(args());
    await send([
      { verb: 'list', resource: 'pods', namespace: 'team', user: 'carol', auditID: 'c2' },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'team', name: 'web-2', user: 'dave', code: 101, auditID: 'd1' },
    ]);
    await waitProcessed(port, 2);
  } finally {
    await stop(child, 'SIGTERM');
  }
  const raised = alerts().map((alert) => `${alert.ruleId}:${alert.auditID}`).sort();
  // alice's delete and carol's list are new verbs for known identities; both execs follow a create from an earlier run.
  // bob's exec is a create, which he had used; dave's exec is his first event (nothing to compare with).
  assert.deepEqual(raised, ['exec-after-create:b2', 'exec-after-create:d1', 'first-verb:a2', 'first-verb:c2']);
  assert.ok(readdirSync(work.spool).some((name) => /^processed\.jsonl\.\d+$/.test(name)), 'the clean restart rotated the spool');
});
