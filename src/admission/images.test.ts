/**
 * The image gate over real HTTPS on loopback: the webhook denies a Pod or
 * workload whose image has cached vulnerabilities at or above
 * `admission.images.denyAtOrAbove`, warns (never blocks) when an image is
 * not in the cache, rereads the cache off the request path, and lets
 * exceptions name the image's vulnerabilities. Cache entries are real files
 * written by the image cache writer.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ConfigError } from '../config/config.js';
import { CACHE_SCHEMA, ImageResultCache, writeCacheEntry, type CachedImageResult, type CachedVulnerability } from '../images/cache.js';
import type { JsonObject } from '../model/types.js';
import { FIXTURES } from '../testing/paths.js';
import { parseWebhookConfig } from './config.js';
import { call } from './httpsClient.js';
import { StaticNamespaceSource } from './namespaces.js';
import { startAdmissionServer, type AdmissionServer } from './server.js';
import { deployment, pod, request, restrictedPod, reviewBody, webhookConfig } from './testSupport.js';
import { generateSelfSigned, type ServingCertificate } from './tls.js';

const GOLDEN = path.join(FIXTURES, 'admission');
const DIGEST = `sha256:${'c'.repeat(64)}`;
const VULNERABLE = `registry.example/shop/app@${DIGEST}`;

function assertGolden(name: string, actual: unknown): void {
  const file = path.join(GOLDEN, `${name}.json`);
  if (process.env.RAMPART_UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    return;
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')), `golden file ${file} differs (RAMPART_UPDATE_GOLDEN=1 to rewrite after checking the change)`);
}

function entry(references: string[], digests: string[], vulnerabilities: CachedVulnerability[]): CachedImageResult {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 };
  for (const vulnerability of vulnerabilities) counts[vulnerability.severity]++;
  return { schema: CACHE_SCHEMA, references, digests, scannedAt: '2026-11-20T08:00:00.000Z', counts, vulnerabilities };
}

const vulnerable = entry(['registry.example/shop/app:1.0'], [DIGEST], [
  { id: 'CVE-2024-3000', severity: 'critical', package: 'left-pad', version: '1.3.0', fixedVersion: '1.3.1' },
  { id: 'CVE-2024-1000', severity: 'high', package: 'libc6', version: '2.36-9+deb12u7', fixedVersion: '2.36-9+deb12u8' },
  { id: 'CVE-2024-2000', severity: 'medium', package: 'curl', version: '7.88.1-10' },
]);
const clean = entry(['registry.example/shop/clean:2'], [`sha256:${'d'.repeat(64)}`], [{ id: 'CVE-2024-4000', severity: 'low', package: 'zlib1g', version: '1:1.2.13' }]);

function inOpen(object: JsonObject): JsonObject {
  return { ...object, metadata: { ...(object.metadata as JsonObject), namespace: 'open' } };
}

describe('admission image gate over HTTPS on loopback', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rampart-admission-images-'));
  let certificate: ServingCertificate;
  let server: AdmissionServer;
  const logLines: string[] = [];
  const post = async (object: JsonObject): Promise<{ response: { allowed: boolean; warnings?: string[]; status?: { message: string; details?: { causes: { reason: string; field?: string }[] } }; auditAnnotations?: Record<string, string> } }> => {
    const answer = await call(server.port, 'POST', '/validate', reviewBody(request(object)), { ca: certificate.ca, timeoutMs: 30_000 });
    assert.equal(answer.status, 200, answer.body);
    return JSON.parse(answer.body) as never;
  };

  before(async () => {
    await writeCacheEntry(directory, vulnerable);
    await writeCacheEntry(directory, clean);
    writeFileSync(path.join(directory, 'by-digest', 'sha256-broken.json'), '{ not json');
    certificate = await generateSelfSigned('rampart.test');
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString('utf8')), done()) }));
    server = await startAdmissionServer({
      // Catalogue findings are ignored here so that only the image gate speaks.
      config: webhookConfig({ defaultAction: 'ignore', images: { denyAtOrAbove: 'high' } }),
      namespaces: new StaticNamespaceSource({ open: {} }),
      tls: certificate,
      port: 0,
      host: '127.0.0.1',
      logger,
      imageCache: await ImageResultCache.load(directory),
      imageCacheRefreshMs: 200,
    });
  });
  after(async () => {
    await server?.close(1000);
    rmSync(directory, { recursive: true, force: true });
  });

  it('denies a pod whose pinned image has vulnerabilities at or above the threshold, naming the image and the worst CVEs (golden)', async () => {
    const review = await post(inOpen(restrictedPod('pinned', VULNERABLE)));
    assert.equal(review.response.allowed, false);
    assertGolden('validate-pod-denied-by-image-cache', review);
  });

  it('warns, and allows, when an image is not in the cache (golden); an image under the threshold passes silently', async () => {
    const missing = await post(inOpen(restrictedPod('unknown', 'registry.example/shop/new:7')));
    assert.equal(missing.response.allowed, true);
    assertGolden('validate-pod-image-cache-miss', missing);
    const fine = await post(inOpen(restrictedPod('fine', 'registry.example/shop/clean:2')));
    assert.equal(fine.response.allowed, true);
    assert.equal(fine.response.warnings, undefined);
  });

  it('finds images by tag as well as by digest, and judges workloads and init containers too', async () => {
    const spec = restrictedPod().spec as JsonObject;
    const byTag = await post(inOpen(deployment('web', { ...spec, initContainers: [{ name: 'setup', image: 'registry.example/shop/app:1.0', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }] })));
    assert.equal(byTag.response.allowed, false);
    assert.deepEqual(byTag.response.status?.details?.causes.map((cause) => [cause.reason, cause.field]), [['IMG-ADM-VULNERABLE', 'spec.template.spec.initContainers[0].image']]);
    assert.match(byTag.response.status?.message ?? '', /runs registry\.example\/shop\/app:1\.0, which has 2 vulnerabilities at or above high: CVE-2024-3000 \(critical, left-pad 1\.3\.0, fixed in 1\.3\.1\), CVE-2024-1000 .*found by reference/);
    // Another tag of the same repository is another image: a miss, not a denial.
    const otherTag = await post(inOpen(restrictedPod('other', 'registry.example/shop/app:1.1')));
    assert.equal(otherTag.response.allowed, true);
    assert.match(otherTag.response.warnings?.[0] ?? '', /^image registry\.example\/shop\/app:1\.1 is not in the image scan cache/);
  });

  it('an exception naming the image and its vulnerabilities lets the pod in; one that misses a CVE does not', async () => {
    const excepted = (vulnerabilities: string[]): JsonObject =>
      inOpen(pod('excepted', (restrictedPod().spec as JsonObject), { annotations: { 'rampart.dev/exceptions': JSON.stringify({ checks: ['IMG-ADM-VULNERABLE'], image: 'registry.example/shop/app', vulnerabilities, reason: 'fixed build rolls out tomorrow' }) } }));
    const withImage = (object: JsonObject): JsonObject => ({ ...object, spec: { ...(object.spec as JsonObject), containers: [{ ...((object.spec as { containers: JsonObject[] }).containers[0] as JsonObject), image: VULNERABLE }] } });
    const accepted = await post(withImage(excepted(['CVE-2024-3000', 'CVE-2024-1000'])));
    assert.equal(accepted.response.allowed, true);
    assert.equal(accepted.response.auditAnnotations?.['exceptions-applied'], 'IMG-ADM-VULNERABLE');
    const partial = await post(withImage(excepted(['CVE-2024-3000'])));
    assert.equal(partial.response.allowed, false);
  });

  it('rereads the cache off the request path: an image scanned after start is judged within the refresh interval', async () => {
    const late = `registry.example/shop/late@sha256:${'e'.repeat(64)}`;
    const first = await post(inOpen(restrictedPod('late', late)));
    assert.equal(first.response.allowed, true);
    await writeCacheEntry(directory, entry(['registry.example/shop/late:1'], [`sha256:${'e'.repeat(64)}`], [{ id: 'CVE-2025-0001', severity: 'critical', package: 'openssl', version: '3.0.0' }]));
    // Poll (bounded, generous for a loaded machine) until a refresh has read the new entry.
    const deadline = Date.now() + 20_000;
    let allowed = true;
    while (allowed && Date.now() < deadline) {
      allowed = (await post(inOpen(restrictedPod('late', late)))).response.allowed;
      if (allowed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(allowed, false, 'the new cache entry was not picked up within 20 s');
    assert.ok(logLines.some((line) => line.includes('image cache entries skipped') && line.includes('sha256-broken.json')), 'the unreadable entry is logged');
  });
});

describe('admission.images in the config file', () => {
  it('reads denyAtOrAbove (default critical) and names a wrong value', async () => {
    assert.equal((await parseWebhookConfig('admission: {}\n', 'c.yaml')).admission.images.denyAtOrAbove, 'critical');
    assert.equal((await parseWebhookConfig('admission:\n  images: {denyAtOrAbove: medium}\n', 'c.yaml')).admission.images.denyAtOrAbove, 'medium');
    await assert.rejects(parseWebhookConfig('admission:\n  images: {denyAtOrAbove: severe, pull: true}\n', 'c.yaml'), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /admission\.images: unknown key "pull"/);
      assert.match(error.message, /admission\.images\.denyAtOrAbove must be one of critical, high, medium, low, info/);
      return true;
    });
  });
});

describe('rampart admission serve --image-cache', () => {
  it('refuses a cache directory that does not exist before listening (exit 2, no stack trace)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { CLI } = await import('../testing/paths.js');
    const missing = path.join(tmpdir(), `rampart-no-such-cache-${process.pid}`);
    const result = spawnSync(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'rampart.test', '--port', '0', '--image-cache', missing], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 2);
    assert.equal(result.stderr, `rampart: --image-cache ${missing}: no such directory (write it with rampart image scan --cache)\n`);
    assert.equal(result.stdout, '', 'no CA printed: nothing was started');
  });

  it('serves the gate from the command line: the config threshold and the cache directory decide', async () => {
    const { spawn } = await import('node:child_process');
    const { createServer } = await import('node:net');
    const { CLI } = await import('../testing/paths.js');
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-admission-images-cli-'));
    const serving = await generateSelfSigned('rampart.test');
    writeFileSync(path.join(directory, 'tls.crt'), serving.cert);
    writeFileSync(path.join(directory, 'tls.key'), serving.key);
    // Threshold critical: the clean image (low only) passes, the vulnerable one (a critical) is denied.
    writeFileSync(path.join(directory, 'rampart.yaml'), 'admission:\n  defaultAction: ignore\n  images: {denyAtOrAbove: critical}\n');
    const cache = path.join(directory, 'cache');
    await writeCacheEntry(cache, vulnerable);
    await writeCacheEntry(cache, clean);
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });
    const child = spawn(process.execPath, [CLI, 'admission', 'serve', '--cert', path.join(directory, 'tls.crt'), '--key', path.join(directory, 'tls.key'), '--port', String(port), '--host', '127.0.0.1', '--config', path.join(directory, 'rampart.yaml'), '--image-cache', cache, '--warm-up-ms', '0', '--log-level', 'warn'], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const options = { ca: serving.ca, timeoutMs: 10_000 };
      const deadline = Date.now() + 30_000;
      let ready = false;
      while (!ready && Date.now() < deadline) {
        ready = await call(port, 'GET', '/readyz', undefined, options).then((answer) => answer.status === 200, () => false);
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(ready, 'the webhook did not become ready within 30 s');
      const verdict = async (image: string): Promise<boolean> => (JSON.parse((await call(port, 'POST', '/validate', reviewBody(request(inOpen(restrictedPod('p', image)))), options)).body) as { response: { allowed: boolean } }).response.allowed;
      assert.equal(await verdict(VULNERABLE), false);
      assert.equal(await verdict('registry.example/shop/clean:2'), true);
    } finally {
      child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
