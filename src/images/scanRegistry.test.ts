/**
 * `rampart scan FILES --registry` and `--registry-mirror` as a user runs them
 * (child processes of bin/rampart.js): the workloads' images are pushed with
 * skopeo to Debian's docker-registry on 127.0.0.1 over TLS; a second loopback
 * server answers 401, 404, 429 and 503 for other images. Each image is pulled
 * once however many workloads use it (counted in the registry's access log),
 * and each failure is a diagnostic naming the image while the rest of the
 * scan goes on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI } from '../testing/paths.js';
import { writeOciLayout, type FileSpec, type WrittenLayout } from './testing/images.js';
import { dockerRegistryMissing, startDockerRegistry, type LocalRegistry } from './testing/registry.js';
import { makeLoopbackCertificate, type TestCertificate } from './testing/tls.js';

const temporary = await mkdtemp(path.join(os.tmpdir(), 'rampart-scan-registry-'));
const database = path.join(temporary, 'db.sqlite');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (the fake registry lives in this process and must keep answering). */
function rampart(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, RAMPART_DB: database, DOCKER_CONFIG: temporary }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function dpkgLayer(user: string | undefined): { layers: FileSpec[][]; config: Record<string, unknown> } {
  return {
    layers: [
      [
        { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
        { name: 'var/lib/dpkg/status', content: 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u7\nArchitecture: amd64\nSource: glibc\n' },
        { name: 'app/node_modules/left-pad/package.json', content: JSON.stringify({ name: 'left-pad', version: '1.3.0' }) },
      ],
    ],
    config: { config: user === undefined ? {} : { User: user } },
  };
}

interface Report {
  findings: { checkId: string; severity: string; object: { name: string }; location: { file: string; line: number }; container?: string }[];
  diagnostics: { severity: string; code: string; message: string; file: string; line?: number }[];
  suppressed?: { finding: { checkId: string; object: { name: string } }; exception: { reason: string } }[];
}

const deployment = (name: string, image: string, containerContext = '{}'): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: ${image}\n        securityContext: ${containerContext}\n`;

const combined = (report: Report): string[][] =>
  report.findings
    .filter((finding) => finding.checkId.startsWith('IMG-WL-'))
    .map((finding) => [finding.object.name, finding.checkId, finding.severity])
    .sort((a, b) => a.join(' ').localeCompare(b.join(' ')));

const missing = dockerRegistryMissing();

describe('rampart scan --registry against docker-registry on loopback', { skip: missing, timeout: 900_000 }, () => {
  let certificate: TestCertificate;
  let registry: LocalRegistry;
  let app: WrittenLayout;
  let rooty: WrittenLayout;
  let fake: https.Server;
  let fakePort = 0;
  const fakeRequests: string[] = [];

  before(async () => {
    certificate = makeLoopbackCertificate(temporary);
    const feeds = path.join(temporary, 'feeds');
    mkdirSync(feeds);
    writeFileSync(path.join(feeds, 'debian.json'), JSON.stringify({ glibc: { 'CVE-2024-1000': { releases: { bookworm: { status: 'resolved', fixed_version: '2.36-9+deb12u8', urgency: 'high' } } } } }));
    writeFileSync(
      path.join(feeds, 'npm.json'),
      JSON.stringify({ id: 'GHSA-lp00-0000-0000', modified: '2026-11-20T00:00:00Z', aliases: ['CVE-2024-3000'], severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }], affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }] }] }),
    );
    const imported = await rampart('db', 'import', feeds);
    assert.equal(imported.status, 0, imported.stderr);
    app = await writeOciLayout(path.join(temporary, 'app'), dpkgLayer('app'));
    rooty = await writeOciLayout(path.join(temporary, 'rooty'), dpkgLayer(undefined));
    registry = await startDockerRegistry(temporary, certificate);
    registry.push(app.directory, 'shop/app:1.0');
    registry.push(rooty.directory, 'library/rooty:2');
    // A registry that fails: 401 (basic challenge, no credentials), 404, 429 and 503 (both every time).
    fake = https.createServer({ cert: certificate.cert, key: certificate.key }, (request, response) => {
      const url = request.url ?? '/';
      fakeRequests.push(url);
      const repository = /^\/v2\/([a-z]+)\//.exec(url)?.[1];
      if (repository === 'denied') response.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      // "guarded" answers 404 to alice:wonderland, so a 404 proves the credentials were sent.
      else if (repository === 'guarded') response.writeHead(request.headers.authorization === `Basic ${Buffer.from('alice:wonderland').toString('base64')}` ? 404 : 401, { 'www-authenticate': 'Basic realm="fake"' }).end();
      else if (repository === 'busy') response.writeHead(429, { 'retry-after': '0' }).end();
      else if (repository === 'broken') response.writeHead(503, { 'retry-after': '0' }).end();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakePort = (fake.address() as AddressInfo).port;
  });
  after(async () => {
    await registry?.stop();
    await new Promise<void>((resolve) => (fake === undefined ? resolve() : fake.close(() => resolve())));
    await rm(temporary, { recursive: true, force: true });
  });

  it('pulls each referenced image once, joins it to the workloads, and reports each failing image as an error diagnostic at its workload', async () => {
    const failing = (name: string): string => `127.0.0.1:${fakePort}/${name}/app:1`;
    const manifests = path.join(temporary, 'workloads.yaml');
    writeFileSync(
      manifests,
      [
        deployment('web', `${registry.host}/shop/app:1.0`, '{privileged: true}'),
        deployment('web-copy', `${registry.host}/shop/app:1.0`, '{privileged: true}'),
        deployment('root', `${registry.host}/library/rooty:2`),
        deployment('denied', failing('denied')),
        deployment('denied-again', failing('denied')),
        deployment('missing', failing('missing')),
        deployment('busy', failing('busy')),
        deployment('busy-again', failing('busy')),
        deployment('broken', failing('broken')),
      ].join('---\n'),
    );
    const result = await rampart('scan', manifests, '--registry', '--registry-ca-file', certificate.certFile, '--image-db', database, '--format', 'json');
    // Images that could not be judged make the scan incomplete: exit 2, with the report written.
    assert.equal(result.status, 2, result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    assert.deepEqual(combined(report), [
      ['root', 'IMG-WL-CRITICAL-ROOT', 'high'],
      ['root', 'IMG-WL-RUNS-AS-ROOT', 'medium'],
      ['web', 'IMG-WL-CRITICAL-PRIVILEGED', 'critical'],
      ['web-copy', 'IMG-WL-CRITICAL-PRIVILEGED', 'critical'],
    ]);
    assert.ok(report.findings.some((finding) => finding.checkId === 'container-privileged'), 'the manifest checks still run');
    // Once each: one manifest request per image in the registry's access log, however many workloads use it.
    const manifestGets = (repository: string): number => registry.requests('rampart').filter((line) => line.includes(`"GET /v2/${repository}/manifests/`)).length;
    assert.equal(manifestGets('shop/app'), 1);
    assert.equal(manifestGets('library/rooty'), 1);
    const unavailable = report.diagnostics.filter((entry) => entry.code === 'image-unavailable');
    const byImage = new Map(unavailable.map((entry) => [/^image (\S+) was not scanned/.exec(entry.message)?.[1], entry]));
    assert.deepEqual([...byImage.keys()].sort(), ['broken', 'busy', 'denied', 'missing'].map(failing));
    for (const entry of unavailable) {
      assert.equal(entry.severity, 'error');
      assert.equal(entry.file, manifests);
    }
    assert.match(byImage.get(failing('denied'))!.message, /asks for a username and password/);
    assert.match(byImage.get(failing('missing'))!.message, /not found \(HTTP 404\)/);
    assert.match(byImage.get(failing('busy'))!.message, /HTTP 429 after 4 attempts/);
    assert.match(byImage.get(failing('broken'))!.message, /HTTP 503 after 4 attempts/);
    // Each diagnostic sits at the first workload using the image: "denied" is the fourth document (3 × 10 lines and 3 `---` before it).
    assert.equal(byImage.get(failing('denied'))!.line, 34);
    // Failed images are not asked for again by their second workload.
    const count = (name: string): number => fakeRequests.filter((url) => url.startsWith(`/v2/${name}/`)).length;
    assert.deepEqual([count('denied'), count('missing'), count('busy'), count('broken')], [1, 1, 4, 4]);
  });

  it('--registry-mirror pulls every image from one registry under the same repository and tag, and --image-cache keeps the results by digest and reference', async () => {
    const manifests = path.join(temporary, 'mirrored.yaml');
    writeFileSync(manifests, [deployment('web', 'shop/app:1.0', '{privileged: true}'), deployment('short', 'rooty:2'), deployment('long', 'docker.io/library/rooty:2'), deployment('elsewhere', 'ghcr.io/other/thing:3')].join('---\n'));
    const before = registry.requests('rampart').length;
    const cache = path.join(temporary, 'cache');
    const result = await rampart('scan', manifests, '--registry-mirror', registry.host, '--registry-ca-file', certificate.certFile, '--image-db', database, '--image-cache', cache, '--format', 'json');
    assert.equal(result.status, 2, result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    assert.deepEqual(combined(report), [
      ['long', 'IMG-WL-CRITICAL-ROOT', 'high'],
      ['long', 'IMG-WL-RUNS-AS-ROOT', 'medium'],
      ['short', 'IMG-WL-CRITICAL-ROOT', 'high'],
      ['short', 'IMG-WL-RUNS-AS-ROOT', 'medium'],
      ['web', 'IMG-WL-CRITICAL-PRIVILEGED', 'critical'],
    ]);
    // "rooty:2" and "docker.io/library/rooty:2" are one image: one manifest request on the mirror.
    const requests = registry.requests('rampart').slice(before);
    assert.equal(requests.filter((line) => line.includes('"GET /v2/library/rooty/manifests/2 ')).length, 1);
    assert.equal(requests.filter((line) => line.includes('"GET /v2/shop/app/manifests/1.0 ')).length, 1);
    const elsewhere = report.diagnostics.find((entry) => entry.code === 'image-unavailable');
    assert.match(elsewhere?.message ?? '', new RegExp(`^image ghcr\\.io/other/thing:3 was not scanned: registry ${registry.host.replace(/\./g, '\\.')}/other/thing: manifest 3: not found \\(HTTP 404\\)$`));
    // The cache: one entry per digest and per reference, with the vulnerabilities worst first.
    const digestFile = path.join(cache, 'by-digest', `${rooty.manifestDigests[0]!.replace(':', '-')}.json`);
    assert.ok(existsSync(digestFile), `no cache entry for ${rooty.manifestDigests[0]!} in ${readdirSync(path.join(cache, 'by-digest')).join(', ')}`);
    const entry = JSON.parse(readFileSync(digestFile, 'utf8')) as { references: string[]; counts: Record<string, number>; vulnerabilities: { id: string; severity: string }[] };
    // Under the name the workloads use, and under the name it was pulled by.
    assert.deepEqual(entry.references, [`${registry.host}/library/rooty:2`, 'docker.io/library/rooty:2']);
    assert.equal(entry.counts.critical, 1);
    assert.deepEqual(entry.vulnerabilities.map((vulnerability) => `${vulnerability.id} ${vulnerability.severity}`), ['CVE-2024-3000 critical', 'CVE-2024-1000 high']);
    assert.equal(readdirSync(path.join(cache, 'by-reference')).length, 4);

    // rampart image workloads takes the same mirror.
    const workloads = await rampart('image', 'workloads', manifests, '--registry-mirror', registry.host, '--ca-file', certificate.certFile, '--db', database, '--format', 'json');
    assert.equal(workloads.status, 1, workloads.stderr);
    const listed = JSON.parse(workloads.stdout) as { images: { image: string; vulnerabilities: number }[]; unavailable: { image: string }[] };
    assert.deepEqual(listed.images.map((image) => `${image.image} ${image.vulnerabilities}`).sort(), ['docker.io/library/rooty:2 2', 'rooty:2 2', 'shop/app:1.0 2']);
    assert.deepEqual(listed.unavailable.map((image) => image.image), ['ghcr.io/other/thing:3']);
  });

  it('--registry-username with the password from RAMPART_REGISTRY_PASSWORD reaches a registry that asks for basic credentials', async () => {
    const manifests = path.join(temporary, 'guarded.yaml');
    writeFileSync(manifests, deployment('guarded', `127.0.0.1:${fakePort}/guarded/app:1`));
    const unavailable = async (password: string): Promise<string> => {
      const result = await rampart('scan', manifests, '--registry', '--registry-ca-file', certificate.certFile, '--registry-username', 'alice', '--image-db', database, '--format', 'json', ...(password === '' ? [] : ['--registry-password', password]));
      assert.equal(result.status, 2, result.stderr);
      return (JSON.parse(result.stdout) as Report).diagnostics.find((entry) => entry.code === 'image-unavailable')?.message ?? '';
    };
    assert.match(await unavailable('wrong'), /guarded\/app: manifest 1: access denied \(HTTP 401\); check the credentials$/);
    process.env.RAMPART_REGISTRY_PASSWORD = 'wonderland';
    try {
      assert.match(await unavailable(''), /guarded\/app: manifest 1: not found \(HTTP 404\)$/);
    } finally {
      delete process.env.RAMPART_REGISTRY_PASSWORD;
    }
  });

  it('registry options need --registry, and --images and --registry exclude each other (exit 2)', async () => {
    const manifests = path.join(temporary, 'workloads.yaml');
    const lone = await rampart('scan', manifests, '--registry-ca-file', certificate.certFile);
    assert.equal(lone.status, 2);
    assert.equal(lone.stderr, 'rampart: --registry-ca-file needs --registry or --registry-mirror\n');
    const both = await rampart('scan', manifests, '--images', temporary, '--registry');
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give either --images DIR .* or --registry\/--registry-mirror, not both/);
    const noCa = await rampart('scan', manifests, '--registry', '--registry-ca-file', path.join(temporary, 'no-such-ca.pem'));
    assert.equal(noCa.status, 2);
    assert.equal(noCa.stderr, `rampart: cannot read --registry-ca-file ${path.join(temporary, 'no-such-ca.pem')}\n`);
    const mirror = await rampart('scan', manifests, '--registry-mirror', 'https://mirror.example/');
    assert.equal(mirror.status, 2);
    assert.match(mirror.stderr, /--registry-mirror must be host or host:port/);
  });
});
