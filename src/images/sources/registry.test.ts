/**
 * The registry source against a real registry (Debian's docker-registry on
 * 127.0.0.1 with TLS, the Debian image pushed by skopeo) and against a small
 * fake registry for authentication, retries, platforms and digests.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ImageError } from '../errors.js';
import { inventoryImage } from '../inventory.js';
import { debianImageFormats, debianToolsMissing, dpkgQueryInstalled, writeOciLayout } from '../testing/images.js';
import { makeLoopbackCertificate, type TestCertificate } from '../testing/tls.js';
import { openRegistryImage, parseChallenge, parseImageReference } from './registry.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const temporary = await mkdtemp(path.join(os.tmpdir(), 'rampart-registry-'));
let certificate: TestCertificate;
before(() => {
  certificate = makeLoopbackCertificate(temporary);
});
after(() => rm(temporary, { recursive: true, force: true }));

test('image references parse with Docker defaults', () => {
  assert.deepEqual(parseImageReference('nginx'), { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' });
  assert.deepEqual(parseImageReference('127.0.0.1:5000/team/app:1.2'), { registry: '127.0.0.1:5000', repository: 'team/app', tag: '1.2' });
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseImageReference(`ghcr.io/o/r@${digest}`), { registry: 'ghcr.io', repository: 'o/r', digest });
  assert.equal(parseImageReference('UPPER/case'), undefined);
  assert.equal(parseImageReference('x@sha256:short'), undefined);
  const challenge = parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"');
  assert.equal(challenge.scheme, 'bearer');
  assert.equal(challenge.params.get('scope'), 'repository:a/b:pull');
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return await new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const registryMissing = debianToolsMissing() ?? (spawnSync('sh', ['-c', 'command -v docker-registry']).status === 0 ? undefined : 'docker-registry is not installed');

test('the Debian image pushed to a local docker-registry over TLS reads like the archive', { skip: registryMissing, timeout: 600_000 }, async () => {
  const formats = await debianImageFormats();
  const port = await freePort();
  const storage = path.join(temporary, 'registry-storage');
  const config = path.join(temporary, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\nhttp:\n  addr: 127.0.0.1:${port}\n  tls:\n    certificate: ${certificate.certFile}\n    key: ${certificate.keyFile}\n`);
  const registry: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  try {
    // Wait (bounded) for the registry to answer.
    let ready = false;
    for (let attempt = 0; attempt < 100 && !ready; attempt++) {
      ready = await new Promise<boolean>((resolve) => {
        https.get({ host: '127.0.0.1', port, path: '/v2/', ca: certificate.cert }, (response) => {
          response.resume();
          resolve(response.statusCode === 200);
        }).on('error', () => resolve(false));
      });
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(ready, 'docker-registry did not start');
    const certDirectory = path.join(temporary, 'certs');
    if (!existsSync(certDirectory)) mkdirSync(certDirectory);
    copyFileSync(certificate.certFile, path.join(certDirectory, 'ca.crt'));
    const push = spawnSync('skopeo', ['copy', '--quiet', '--dest-cert-dir', certDirectory, `oci:${formats.ociLayout}:bookworm`, `docker://127.0.0.1:${port}/rampart/debian:bookworm`], { encoding: 'utf8' });
    assert.equal(push.status, 0, push.stderr);
    const image = await openRegistryImage(`127.0.0.1:${port}/rampart/debian:bookworm`, { platform: AMD64, caFile: certificate.certFile });
    assert.equal(image.kind, 'registry');
    const inventory = await inventoryImage(image);
    const listed = inventory.packages.filter((found) => found.type === 'deb').map((found) => `${found.name} ${found.version}`).sort();
    assert.deepEqual(listed, await dpkgQueryInstalled(formats.rootfsTar));
    // The same image by digest.
    const byDigest = await openRegistryImage(`127.0.0.1:${port}/rampart/debian@${image.manifestDigest!}`, { platform: AMD64, caFile: certificate.certFile });
    assert.equal(byDigest.configDigest, image.configDigest);
    // Without trusting the certificate, the connection is refused, with the registry named.
    await assert.rejects(openRegistryImage(`127.0.0.1:${port}/rampart/debian:bookworm`, { platform: AMD64, attempts: 1 }), /registry 127\.0\.0\.1:\d+\/rampart\/debian: manifest bookworm: cannot connect/);
    await assert.rejects(openRegistryImage(`127.0.0.1:${port}/rampart/missing:1`, { platform: AMD64, caFile: certificate.certFile }), /not found \(HTTP 404\)/);
  } finally {
    registry.kill('SIGTERM');
  }
});

interface FakeOptions {
  /** 'bearer' (token service with basic credentials), 'basic', or none. */
  readonly auth?: 'bearer' | 'basic';
  /** Status codes answered, in order, before the real answer to manifest requests. */
  readonly failures?: number[];
  readonly wrongDigestHeader?: boolean;
}

async function fakeRegistry(layout: string, options: FakeOptions): Promise<{ port: number; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const failures = [...(options.failures ?? [])];
  const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as unknown;
  const server = https.createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
    const url = new URL(request.url ?? '/', 'https://127.0.0.1');
    requests.push(`${url.pathname}${request.headers.authorization === undefined ? '' : ` [${request.headers.authorization.split(' ')[0]}]`}`);
    if (url.pathname === '/token') {
      const expected = `Basic ${Buffer.from('alice:wonderland').toString('base64')}`;
      if (request.headers.authorization !== expected || url.searchParams.get('scope') !== 'repository:team/app:pull' || url.searchParams.get('service') !== 'fake') {
        response.writeHead(401).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'T0KEN' }));
      return;
    }
    if (options.auth === 'bearer' && request.headers.authorization !== 'Bearer T0KEN') {
      response.writeHead(401, { 'www-authenticate': `Bearer realm="https://127.0.0.1:${(server.address() as AddressInfo).port}/token",service="fake",scope="repository:team/app:pull"` }).end();
      return;
    }
    if (options.auth === 'basic' && request.headers.authorization !== `Basic ${Buffer.from('alice:wonderland').toString('base64')}`) {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      return;
    }
    const manifest = /^\/v2\/team\/app\/manifests\/(.+)$/.exec(url.pathname);
    if (manifest !== null) {
      const failure = failures.shift();
      if (failure !== undefined) {
        response.writeHead(failure, failure === 429 ? { 'retry-after': '0' } : {}).end();
        return;
      }
      if (manifest[1] === 'latest') {
        const body = JSON.stringify(index);
        response.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', ...(options.wrongDigestHeader === true ? { 'docker-content-digest': `sha256:${'0'.repeat(64)}` } : {}) }).end(body);
        return;
      }
    }
    const blob = /^\/v2\/team\/app\/(?:blobs|manifests)\/sha256:([a-f0-9]{64})$/.exec(url.pathname);
    if (blob !== null) {
      const file = path.join(layout, 'blobs', 'sha256', blob[1]!);
      if (existsSync(file)) {
        readFile(file).then((bytes) => response.writeHead(200, { 'content-type': url.pathname.includes('/manifests/') ? 'application/vnd.oci.image.manifest.v1+json' : 'application/octet-stream' }).end(bytes));
        return;
      }
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const smallLayout = path.join(temporary, 'small');
before(async () => {
  await writeOciLayout(smallLayout, {
    layers: [[{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' }, { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.5-r0\no:musl\n' }]],
    platforms: [
      { os: 'linux', architecture: 'arm', variant: 'v7' },
      { os: 'linux', architecture: 'amd64' },
    ],
  });
});

test('bearer tokens: the challenge leads to the token service with basic credentials, then to the image', async () => {
  const fake = await fakeRegistry(smallLayout, { auth: 'bearer' });
  try {
    const image = await openRegistryImage(`127.0.0.1:${fake.port}/team/app`, { platform: AMD64, caFile: certificate.certFile, username: 'alice', password: 'wonderland' });
    const inventory = await inventoryImage(image);
    assert.deepEqual(inventory.packages.map((found) => `${found.name}@${found.version}`), ['musl@1.2.5-r0']);
    assert.deepEqual(fake.requests.slice(0, 3), ['/v2/team/app/manifests/latest', '/token [Basic]', '/v2/team/app/manifests/latest [Bearer]']);
    await assert.rejects(openRegistryImage(`127.0.0.1:${fake.port}/team/app`, { platform: AMD64, caFile: certificate.certFile, username: 'alice', password: 'wrong' }), /token service https:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 401\)/);
  } finally {
    await fake.close();
  }
});

test('basic authentication, and a clear error without credentials', async () => {
  const fake = await fakeRegistry(smallLayout, { auth: 'basic' });
  try {
    const image = await openRegistryImage(`127.0.0.1:${fake.port}/team/app:latest`, { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, caFile: certificate.certFile, username: 'alice', password: 'wonderland' });
    assert.equal(image.layers.length, 1);
    const previous = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = path.join(temporary, 'no-docker-config');
    try {
      await assert.rejects(openRegistryImage(`127.0.0.1:${fake.port}/team/app`, { platform: AMD64, caFile: certificate.certFile }), /asks for a username and password/);
    } finally {
      if (previous === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = previous;
    }
  } finally {
    await fake.close();
  }
});

test('429 and 5xx are retried; persistent failures and digest mismatches are clear errors', async () => {
  const flaky = await fakeRegistry(smallLayout, { failures: [429, 503] });
  try {
    const image = await openRegistryImage(`127.0.0.1:${flaky.port}/team/app`, { platform: AMD64, caFile: certificate.certFile, retryDelayMs: 1 });
    assert.equal(image.layers.length, 1);
    assert.equal(flaky.requests.filter((request) => request === '/v2/team/app/manifests/latest').length, 3);
    await assert.rejects(openRegistryImage(`127.0.0.1:${flaky.port}/team/app`, { platform: { os: 'windows', architecture: 'amd64' }, caFile: certificate.certFile }), /no image for platform windows\/amd64 \(offered: linux\/arm\/v7, linux\/amd64\)/);
  } finally {
    await flaky.close();
  }
  const down = await fakeRegistry(smallLayout, { failures: [500, 502, 503, 504] });
  try {
    await assert.rejects(openRegistryImage(`127.0.0.1:${down.port}/team/app`, { platform: AMD64, caFile: certificate.certFile, retryDelayMs: 1, attempts: 3 }), (error: unknown) => {
      assert.ok(error instanceof ImageError);
      assert.match(error.message, /manifest latest: HTTP 503 after 3 attempts/);
      assert.equal(error.transient, true);
      return true;
    });
  } finally {
    await down.close();
  }
  const lying = await fakeRegistry(smallLayout, { wrongDigestHeader: true });
  try {
    await assert.rejects(openRegistryImage(`127.0.0.1:${lying.port}/team/app`, { platform: AMD64, caFile: certificate.certFile }), /digest mismatch \(the registry says sha256:0{64}/);
  } finally {
    await lying.close();
  }
});
