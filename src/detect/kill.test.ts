/**
 * The kill test: `rampart detect serve` runs as a child process; events are
 * posted while it is killed (SIGKILL) and restarted. Every event that was
 * acknowledged (200) is processed, and no event is processed twice.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readRequest } from './eventList.js';
import { makeCertificates } from './testCerts.js';
import { rawEvent } from './testSupport.js';
import { EVERY_EVENT_RULES, freePort, startServer } from './testServer.js';



function post(port: number, ca: Buffer, body: string): Promise<number> {
  return new Promise((resolve) => {
    const request = https.request({ host: '127.0.0.1', port, path: '/', method: 'POST', ca, headers: { authorization: 'Bearer kill-test-token', 'content-type': 'application/json' }, agent: false, timeout: 5000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', () => resolve(0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

test('kill -9 and restart while events are posted: every acknowledged event processed exactly once', { timeout: 300_000 }, async () => {
  const certs = makeCertificates();
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-kill-'));
  try {
    const spool = path.join(directory, 'spool');
    writeFileSync(path.join(directory, 'tokens'), 'kill-test-token\n');
    writeFileSync(path.join(directory, 'rules.yaml'), EVERY_EVENT_RULES);
    // A new port for every start: the old one may be taken meanwhile by another test's client socket (tests run in parallel).
    let port = await freePort();
    const output = path.join(directory, 'alerts.jsonl');
    const args = (): string[] => ['detect', 'serve', '--spool', spool, '--tls-cert', certs.certPath, '--tls-key', certs.keyPath, '--token-file', path.join(directory, 'tokens'), '--listen', `127.0.0.1:${port}`, '--aggregate', '0', '--no-builtin', '--rules', path.join(directory, 'rules.yaml'), '--output', output];
    let child = await startServer(args());
    const acknowledged = new Set<string>();
    let sent = 0;
    let restarts = 0;
    const BATCHES = 120;
    const poster = async (lane: number): Promise<void> => {
      for (let batch = lane; batch < BATCHES; batch += 2) {
        const ids = Array.from({ length: 40 }, (_, index) => `b${batch}-e${index}`);
        const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: ids.map((auditID) => rawEvent({ verb: 'get', resource: 'pods', namespace: 'default', auditID })) });
        // Retry as the API server does, until acknowledged. The deadline is long because a restart
        // of the server is a new Node process, which takes seconds on a loaded CI machine.
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          sent++;
          const status = await post(port, certs.ca, body);
          if (status === 200) {
            // The key the server gives each event: the digest of its bytes in the body.
            const read = readRequest(Buffer.from(body));
            if (read.ok) for (const key of read.keys) acknowledged.add(key);
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
    };
    const killer = async (): Promise<void> => {
      for (let round = 0; round < 3; round++) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
        restarts++;
        port = await freePort();
        child = await startServer(args());
      }
    };
    await Promise.all([poster(0), poster(1), killer()]);
    // Let the last server process everything, then stop it cleanly.
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(restarts, 3);
    assert.equal(acknowledged.size, BATCHES * 40, 'every batch was eventually acknowledged');
    assert.ok(sent > BATCHES, 'some requests failed while the server was down and were retried');
    const counts = new Map<string, number>();
    // Every generation of the journal (a start that finds everything processed rotates it).
    const journals = readdirSync(spool).filter((name) => name.startsWith('processed.jsonl'));
    assert.ok(journals.length <= 6);
    const journalText = journals.map((name) => readFileSync(path.join(spool, name), 'utf8')).join('\n');
    for (const line of journalText.split('\n')) {
      // Carried keys after a rotation and correlation-state checkpoints are not processed batches.
      if (line === '' || line.startsWith('{"remembered"') || line.startsWith('{"state"')) continue;
      const record = JSON.parse(line) as { k: string[]; a: { auditID: string }[] };
      for (const key of record.k) counts.set(key, (counts.get(key) ?? 0) + 1);
      assert.equal(record.a.length, record.k.length, 'one alert per processed event, recorded with it');
    }
    const missing = [...acknowledged].filter((key) => !counts.has(key));
    assert.deepEqual(missing, [], 'every acknowledged event was processed');
    const twice = [...counts].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], 'no event was processed twice');
    // Alerts written to --output are never duplicated either.
    assert.ok(existsSync(output));
    const alertIds = readFileSync(output, 'utf8').split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { auditID: string }).auditID);
    assert.equal(new Set(alertIds).size, alertIds.length);
  } finally {
    rmSync(directory, { recursive: true, force: true });
    rmSync(certs.directory, { recursive: true, force: true });
  }
});
