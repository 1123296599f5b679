/**
 * Exceptions apply to the image findings of `rampart scan --images` like to
 * every other finding, and can name the image (any tag of a repository, or
 * one tag or digest) and the vulnerabilities they accept. Through the CLI on
 * hand-made images, plus the reference matching on its own.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CLI } from '../testing/paths.js';
import { imageMatches } from './reference.js';
import { writeDockerOciArchive, writeOciLayout, type FileSpec } from './testing/images.js';

const temporary = await mkdtemp(path.join(os.tmpdir(), 'rampart-image-exceptions-'));
after(() => rm(temporary, { recursive: true, force: true }));
const database = path.join(temporary, 'db.sqlite');
const images = path.join(temporary, 'images');

function rampart(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, RAMPART_DB: database, RAMPART_NOW: '2026-11-27T12:00:00Z' }, timeout: 240_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const files: FileSpec[] = [
  { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
  { name: 'var/lib/dpkg/status', content: 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u7\nArchitecture: amd64\nSource: glibc\n' },
  { name: 'app/node_modules/left-pad/package.json', content: JSON.stringify({ name: 'left-pad', version: '1.3.0' }) },
];

before(async () => {
  const feeds = path.join(temporary, 'feeds');
  mkdirSync(feeds);
  mkdirSync(images);
  writeFileSync(
    path.join(feeds, 'npm.json'),
    JSON.stringify({ id: 'GHSA-lp00-0000-0000', modified: '2026-11-20T00:00:00Z', aliases: ['CVE-2024-3000'], severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }], affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }] }] }),
  );
  const imported = rampart('db', 'import', feeds);
  assert.equal(imported.status, 0, imported.stderr);
  const app = path.join(temporary, 'app');
  const root = path.join(temporary, 'root');
  await writeOciLayout(app, { layers: [files], config: { config: { User: 'app' } } });
  await writeOciLayout(root, { layers: [files] });
  await writeDockerOciArchive(app, path.join(images, 'app.tar'), 'registry.example/shop/app:1.0');
  await writeDockerOciArchive(root, path.join(images, 'root.tar'), 'rooty:2');
});

test('image references match by repository (any tag) or by exact tag or digest', () => {
  const digest = `sha256:${'b'.repeat(64)}`;
  assert.equal(imageMatches('registry.example/shop/app', 'registry.example/shop/app:1.0'), true);
  assert.equal(imageMatches('registry.example/shop/app', `registry.example/shop/app@${digest}`), true);
  assert.equal(imageMatches('registry.example/shop/app:1.0', 'registry.example/shop/app:1.1'), false);
  assert.equal(imageMatches('rooty', 'docker.io/library/rooty:2'), true);
  assert.equal(imageMatches('docker.io/library/rooty:2', 'rooty:2'), true);
  assert.equal(imageMatches('rooty:3', 'rooty:2'), false);
  assert.equal(imageMatches(`app@${digest}`, `docker.io/library/app:1@${digest}`), true);
  assert.equal(imageMatches(`app@${digest}`, 'app:1'), false);
  assert.equal(imageMatches('localhost:5000/app', 'localhost:5000/app:7'), true);
  assert.equal(imageMatches('localhost:5000/app', 'localhost:5001/app:7'), false);
  assert.equal(imageMatches('Not A Reference', 'app:1'), false);
});

test('exceptions suppress image findings by check, object, image and vulnerability IDs; the rest stay and stale ones are reported', () => {
  const manifests = path.join(temporary, 'workloads.yaml');
  const deployment = (name: string, namespace: string, image: string, containerContext: string, exception = ''): string =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  annotations:\n    rampart.dev/owner: '${exception === '' ? 'x' : 'y'}'\n${exception === '' ? '' : `    rampart.dev/exceptions: '${exception}'\n`}spec:\n  template:\n    spec:\n      containers:\n      - name: main\n        image: ${image}\n        securityContext: ${containerContext}\n`;
  writeFileSync(
    manifests,
    [
      deployment('web', 'shop', 'registry.example/shop/app:1.0', '{privileged: true}'),
      deployment('root', 'shop', 'rooty:2', '{}'),
      deployment('root', 'other', 'docker.io/library/rooty:2', '{}'),
      deployment('inline', 'shop', 'rooty:2', '{}', '{"checks":["IMG-WL-RUNS-AS-ROOT"],"image":"rooty","reason":"the entrypoint drops to uid 1000 itself"}'),
    ].join('---\n'),
  );
  const config = path.join(temporary, 'rampart.yaml');
  writeFileSync(
    config,
    [
      'exceptions:',
      '  - checks: [IMG-WL-CRITICAL-PRIVILEGED]',
      '    match: {image: registry.example/shop/app}',
      '    vulnerabilities: [CVE-2024-3000]',
      '    reason: left-pad is never called with user input',
      '    owner: shop-team',
      '  - checks: [IMG-WL-CRITICAL-ROOT]',
      '    match: {namespace: shop}',
      '    vulnerabilities: [CVE-2099-0001]',
      '    reason: accepts another CVE only',
      '    owner: shop-team',
      '  - checks: [IMG-WL-RUNS-AS-ROOT]',
      '    match: {image: "docker.io/library/rooty:3"}',
      '    reason: another tag',
      '    owner: shop-team',
      '  - checks: [container-privileged]',
      '    match: {image: registry.example/shop/app}',
      '    reason: an image exception does not reach manifest findings',
      '    owner: shop-team',
      '',
    ].join('\n'),
  );
  const result = rampart('scan', manifests, '--images', images, '--image-db', database, '--config', config, '--format', 'json');
  assert.ok(result.status === 1, result.stderr);
  const report = JSON.parse(result.stdout) as {
    findings: { checkId: string; object: { name: string; namespace?: string } }[];
    suppressed: { checkId: string; object: { name: string; namespace?: string }; exception: { source: string; reason: string; line: number } }[];
    diagnostics: { code: string; message: string; file: string; line?: number }[];
  };
  const name = (entry: { checkId: string; object: { name: string; namespace?: string } }): string => `${entry.object.namespace ?? ''}/${entry.object.name} ${entry.checkId}`;
  assert.deepEqual(report.findings.filter((finding) => finding.checkId.startsWith('IMG-WL-')).map(name).sort(), [
    'other/root IMG-WL-CRITICAL-ROOT',
    'other/root IMG-WL-RUNS-AS-ROOT',
    'shop/inline IMG-WL-CRITICAL-ROOT',
    'shop/root IMG-WL-CRITICAL-ROOT',
    'shop/root IMG-WL-RUNS-AS-ROOT',
  ]);
  // The inline exception is the annotation's line: the fourth document starts at line 46 (3 × 14 lines and 3 `---`), the annotation is its 8th line.
  assert.deepEqual(report.suppressed.map((entry) => `${name(entry)} ${entry.exception.source}:${entry.exception.line}`).sort(), ['shop/inline IMG-WL-RUNS-AS-ROOT inline:53', 'shop/web IMG-WL-CRITICAL-PRIVILEGED config:2']);
  assert.ok(report.findings.some((finding) => name(finding) === 'shop/web container-privileged'), 'the image exception did not suppress the manifest finding');
  const stale = report.diagnostics.filter((entry) => entry.code === 'exception-stale' && entry.file === config).map((entry) => entry.line);
  assert.deepEqual(stale, [7, 12, 16]);

  // Without --images the same exceptions match nothing: every one is stale, no image finding exists.
  const plain = rampart('scan', manifests, '--config', config, '--format', 'json');
  const plainReport = JSON.parse(plain.stdout) as typeof report;
  assert.equal(plainReport.diagnostics.filter((entry) => entry.code === 'exception-stale' && entry.file === config).length, 4);
  // The exceptions report shows what each image exception is limited to and what it accepts.
  const listed = rampart('exceptions', 'report', manifests, '--config', config);
  assert.match(listed.stdout, /applies: {2}image registry\.example\/shop\/app\n {4}accepts: {2}CVE-2024-3000\n/);
  assert.match(listed.stdout, /applies: {2}Deployment shop\/inline, image rooty\n/);
});

test('a malformed image exception is a diagnostic (inline) or a usage error naming the line (config)', () => {
  const manifests = path.join(temporary, 'bad.yaml');
  writeFileSync(manifests, `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    rampart.dev/exceptions: '{"checks":["IMG-WL-RUNS-AS-ROOT"],"reason":"r","vulnerabilities":[]}'\nspec:\n  containers:\n  - {name: main, image: rooty:2}\n`);
  const inline = rampart('scan', manifests, '--format', 'json');
  const report = JSON.parse(inline.stdout) as { diagnostics: { code: string; message: string; line?: number }[] };
  const invalid = report.diagnostics.find((entry) => entry.code === 'exception-invalid');
  assert.match(invalid?.message ?? '', /vulnerabilities must be a non-empty list of vulnerability IDs/);
  assert.equal(invalid?.line, 6);
  const config = path.join(temporary, 'bad-config.yaml');
  writeFileSync(config, 'exceptions:\n  - checks: [IMG-WL-RUNS-AS-ROOT]\n    match: {}\n    vulnerabilities: CVE-2024-3000\n    reason: r\n    owner: o\n');
  const refused = rampart('scan', manifests, '--config', config);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /vulnerabilities/);
});

test('image scan --cache writes the result under the image digest and its names; the webhook cache finds it by either', async () => {
  const cache = path.join(temporary, 'cache');
  // A docker save archive carries its names (RepoTags) but no registry digest; an OCI layout carries the manifest digest.
  const archive = rampart('image', 'scan', path.join(images, 'app.tar'), '--cache', cache, '--format', 'json', '--fail-on', 'critical');
  assert.equal(archive.status, 1, archive.stderr);
  assert.match(archive.stderr, /cached .*app\.tar as registry\.example\/shop\/app:1\.0\n/);
  const layout = rampart('image', 'scan', path.join(temporary, 'app'), '--cache', cache, '--format', 'json');
  assert.equal(layout.status, 1, layout.stderr);
  const digest = /cached .* as (sha256:[a-f0-9]{64})\n/.exec(layout.stderr)?.[1];
  assert.ok(digest !== undefined, layout.stderr);
  const { ImageResultCache } = await import('./cache.js');
  const loaded = await ImageResultCache.load(cache);
  assert.deepEqual(loaded.problems, []);
  const byTag = loaded.lookup('registry.example/shop/app:1.0');
  const byDigest = loaded.lookup(`registry.example/shop/app@${digest}`);
  assert.equal(byTag?.by, 'reference');
  assert.equal(byDigest?.by, 'digest');
  assert.deepEqual(byDigest?.entry.vulnerabilities, byTag?.entry.vulnerabilities);
  assert.deepEqual(byTag?.entry.vulnerabilities.map((vulnerability) => `${vulnerability.id} ${vulnerability.severity} ${vulnerability.package} ${vulnerability.version} ${vulnerability.fixedVersion ?? '-'}`), ['CVE-2024-3000 critical left-pad 1.3.0 1.3.1']);
  assert.equal(loaded.lookup('registry.example/shop/app:2.0'), undefined);
  assert.equal(loaded.lookup(`registry.example/shop/app@sha256:${'0'.repeat(64)}`), undefined);
  const unwritable = rampart('image', 'scan', path.join(temporary, 'app'), '--cache', path.join(images, 'app.tar', 'x'));
  assert.equal(unwritable.status, 2);
  assert.match(unwritable.stderr, /^rampart: --cache .*: cannot write/m);
});
