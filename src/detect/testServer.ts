/**
 * `rampart detect serve` as a child process, for the tests that kill and
 * restart it (kill.test.ts, persist.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { CLI } from '../testing/paths.js';

/** A rule file with one rule that alerts on every event, so alerts count processed events. */
export const EVERY_EVENT_RULES = `apiVersion: rampart.dev/v1alpha1
kind: DetectionRules
rules:
- id: every-event
  title: Every event
  severity: info
  condition: "true"
  output: "event.auditID"
`;

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the CLI with these arguments; resolves once it says it is listening (generous: the machine may be loaded). */
export function startServer(args: readonly string[], limitMs = 30_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), limitMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`server exited: ${stderr}`));
    });
  });
}
