/**
 * The kill test: `rampart admission serve` in a child process is killed
 * (SIGKILL, no drain) and restarted while clients keep sending reviews.
 * During the outage requests fail at the connection, which the API server
 * turns into its failure policy; a response that arrives is never wrong
 * (right uid, right verdict), and /readyz answers 200 only when the server
 * answers reviews again.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLI } from '../testing/paths.js';
import { call } from './httpsClient.js';
import { privilegedPod, request, restrictedPod, reviewBody } from './testSupport.js';
import { generateSelfSigned } from './tls.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

describe('kill test', () => {
  it('a server killed and restarted under load never gives a wrong answer, and readiness follows the restart', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-kill-'));
    const children: ChildProcess[] = [];
    try {
      const certificate = await generateSelfSigned('rampart.test');
      writeFileSync(path.join(directory, 'tls.crt'), certificate.cert);
      writeFileSync(path.join(directory, 'tls.key'), certificate.key);
      writeFileSync(path.join(directory, 'namespaces.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n');
      const port = await freePort();
      const start = (): ChildProcess => {
        const child = spawn(
          process.execPath,
          [CLI, 'admission', 'serve', '--cert', path.join(directory, 'tls.crt'), '--key', path.join(directory, 'tls.key'), '--port', String(port), '--host', '127.0.0.1', '--namespaces', path.join(directory, 'namespaces.yaml'), '--log-level', 'warn'],
          { stdio: 'ignore' },
        );
        children.push(child);
        return child;
      };
      const options = { ca: certificate.ca, timeoutMs: 10_000 };
      const ready = async (): Promise<boolean> => {
        try {
          return (await call(port, 'GET', '/readyz', undefined, options)).status === 200;
        } catch {
          return false;
        }
      };
      const waitReady = async (): Promise<void> => {
        const deadline = Date.now() + 20_000;
        while (!(await ready())) {
          if (Date.now() > deadline) assert.fail('server did not become ready');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };

      let first = start();
      await waitReady();
      let stop = false;
      const counts = { correct: 0, connectionFailures: 0, wrong: [] as string[] };
      // After readiness returns, every review must succeed again.
      let mustAnswer = true;
      let answeredAfterRestart = 0;
      const worker = async (id: number): Promise<void> => {
        for (let sequence = 0; !stop; sequence++) {
          const denied = sequence % 2 === 0;
          const uid = `kill-${id}-${sequence}`;
          const body = reviewBody(request(denied ? privilegedPod() : restrictedPod(), { uid }));
          const expectAnswer = mustAnswer;
          try {
            const response = await call(port, 'POST', '/validate', body, options);
            const review = JSON.parse(response.body) as { response?: { uid?: string; allowed?: boolean } };
            if (response.status !== 200 || review.response?.uid !== uid || review.response.allowed !== !denied) counts.wrong.push(`${uid}: ${response.status} ${response.body.slice(0, 200)}`);
            else {
              counts.correct++;
              if (expectAnswer && restarted) answeredAfterRestart++;
            }
          } catch (error) {
            // Only the outage may fail, and only at the connection.
            if (expectAnswer && mustAnswer) counts.wrong.push(`${uid}: failed while the server was ready: ${error instanceof Error ? error.message : String(error)}`);
            counts.connectionFailures++;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      };
      let restarted = false;
      const workers = Array.from({ length: 6 }, (_, id) => worker(id));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const beforeKill = counts.correct;
      assert.ok(beforeKill > 0, 'reviews answered before the kill');
      mustAnswer = false;
      first.kill('SIGKILL');
      await new Promise((resolve) => first.on('exit', resolve));
      assert.equal(await ready(), false, 'readiness fails while the server is down');
      await new Promise((resolve) => setTimeout(resolve, 500));
      first = start();
      await waitReady();
      restarted = true;
      mustAnswer = true;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      stop = true;
      await Promise.all(workers);
      assert.deepEqual(counts.wrong, [], 'no wrong answer, and no failure while ready');
      assert.ok(counts.connectionFailures > 0, 'the outage was seen by the clients');
      assert.ok(answeredAfterRestart > 0, 'reviews answered after the restart');
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
