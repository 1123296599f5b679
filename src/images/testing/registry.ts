/**
 * Debian's docker-registry on 127.0.0.1 with TLS for tests: started on a
 * free port, waited for (bounded), with its access log kept so tests can
 * count what a client fetched, and stopped (waiting for the process to exit).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestCertificate } from './tls.js';

export function dockerRegistryMissing(): string | undefined {
  for (const command of ['docker-registry', 'skopeo']) {
    if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) return `${command} is not installed`;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LocalRegistry {
  readonly port: number;
  readonly host: string;
  /** Access log lines (Apache format) of requests made with this user agent. */
  requests(userAgent: string): string[];
  /** Pushes an OCI layout (its only image) as host/repository:tag with skopeo. */
  push(layout: string, repositoryAndTag: string): void;
  stop(): Promise<void>;
}

/** Starts the registry; a port taken between choosing and binding it gets another try (3 in all). */
export async function startDockerRegistry(directory: string, certificate: TestCertificate): Promise<LocalRegistry> {
  let problem: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(directory, certificate, await freePort());
    } catch (error) {
      problem = error;
    }
  }
  throw problem;
}

async function startOnce(directory: string, certificate: TestCertificate, port: number): Promise<LocalRegistry> {
  const config = path.join(directory, `registry-${port}.yml`);
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(directory, `registry-${port}-storage`)}\nhttp:\n  addr: 127.0.0.1:${port}\n  tls:\n    certificate: ${certificate.certFile}\n    key: ${certificate.keyFile}\n`,
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'ignore'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  // Wait (up to 20 s, for a loaded machine) for the registry to answer.
  const deadline = Date.now() + 20_000;
  let ready = false;
  while (!ready && Date.now() < deadline && child.exitCode === null) {
    ready = await new Promise<boolean>((resolve) => {
      https
        .get({ host: '127.0.0.1', port, path: '/v2/', ca: certificate.cert, timeout: 2000 }, (response) => {
          response.resume();
          resolve(response.statusCode === 200);
        })
        .on('error', () => resolve(false))
        .on('timeout', function (this: { destroy(): void }) {
          this.destroy();
        });
    });
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!ready) {
    await stop();
    throw new Error(`docker-registry did not start on 127.0.0.1:${port}`);
  }
  const certs = path.join(directory, 'skopeo-certs');
  if (!existsSync(certs)) {
    mkdirSync(certs);
    copyFileSync(certificate.certFile, path.join(certs, 'ca.crt'));
  }
  const host = `127.0.0.1:${port}`;
  return {
    port,
    host,
    requests: (userAgent) => log.split('\n').filter((line) => line.endsWith(`"${userAgent}"`)),
    push(layout, repositoryAndTag) {
      const result = spawnSync('skopeo', ['copy', '--quiet', '--dest-cert-dir', certs, `oci:${layout}`, `docker://${host}/${repositoryAndTag}`], { encoding: 'utf8', timeout: 120_000 });
      if (result.status !== 0) throw new Error(`skopeo push of ${layout} failed: ${result.stderr}`);
    },
    stop,
  };
}
