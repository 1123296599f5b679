/**
 * `rampart image scan|diff|why` and `rampart db import|status` as a user runs
 * them (child processes of bin/rampart.js) on hand-made images and feeds;
 * SBOMs validated against the CycloneDX 1.6 schema the library ships, SARIF
 * against the official 2.1.0 schema.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { describeErrors, sarifValidator } from '../report/testing/schemas.js';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { writeDockerOciArchive, writeOciLayout, type FileSpec } from './testing/images.js';

const temporary = await mkdtemp(path.join(os.tmpdir(), 'rampart-image-cli-'));
after(() => rm(temporary, { recursive: true, force: true }));
const database = path.join(temporary, 'db.sqlite');

function rampart(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, RAMPART_DB: database, DOCKER_CONFIG: temporary } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const statusFile = (packages: [string, string, string?][]): string =>
  packages.map(([name, version, source]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n${source === undefined ? '' : `Source: ${source}\n`}`).join('\n');

function layer(packages: [string, string, string?][], leftPad: string): FileSpec[] {
  return [
    { name: 'etc/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
    { name: 'var/lib/dpkg/status', content: statusFile(packages) },
    { name: 'app/node_modules/left-pad/package.json', content: JSON.stringify({ name: 'left-pad', version: leftPad, license: 'MIT' }) },
  ];
}

const before1 = path.join(temporary, 'before');
const after1 = path.join(temporary, 'after');

before(async () => {
  await writeOciLayout(before1, { layers: [layer([['libc6', '2.36-9+deb12u7', 'glibc'], ['zlib1g', '1:1.2.13.dfsg-1', 'zlib (1:1.2.13.dfsg-1)']], '1.3.0')], config: { config: { User: 'app' } } });
  await writeOciLayout(after1, { layers: [layer([['libc6', '2.36-9+deb12u8', 'glibc'], ['curl', '7.88.1-10']], '1.3.0')], config: { config: { User: 'app' } } });
  const feeds = path.join(temporary, 'feeds');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(feeds);
  writeFileSync(path.join(feeds, 'debian.json'), JSON.stringify({ glibc: { 'CVE-2024-1000': { releases: { bookworm: { status: 'resolved', fixed_version: '2.36-9+deb12u8', urgency: 'high' } } } }, curl: { 'CVE-2024-2000': { releases: { bookworm: { status: 'open', urgency: 'medium' } } } } }));
  writeFileSync(path.join(feeds, 'npm.json'), JSON.stringify({ id: 'GHSA-lp00-0000-0000', modified: '2026-11-20T00:00:00Z', aliases: ['CVE-2024-3000'], summary: 'left-pad pads wrong', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }], affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.1' }] }] }] }));
  const imported = rampart('db', 'import', feeds);
  assert.equal(imported.status, 0, imported.stderr);
});

test('db import reports what it imported; db status lists sources with their age', () => {
  const status = rampart('db', 'status');
  assert.equal(status.status, 0, status.stderr);
  assert.match(status.stdout, /^debian-tracker\t2 advisories\t/m);
  assert.match(status.stdout, /^osv\t1 advisories\tdata from 2026-11-20T00:00:00Z/m);
  const bad = path.join(temporary, 'bad.json');
  writeFileSync(bad, JSON.stringify({ id: 'X-1', modified: '2026-01-01', affected: 'everything' }));
  const refused = rampart('db', 'import', bad);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr, `rampart: ${bad} (X-1): "affected" must be a list; nothing was imported\n`);
});

test('image scan finds OS and language vulnerabilities; the exit code follows --fail-on', () => {
  const scan = rampart('image', 'scan', before1, '--format', 'json');
  assert.equal(scan.status, 1, scan.stderr);
  const report = JSON.parse(scan.stdout) as { vulnerabilities: { id: string; package: { name: string }; fixedVersion?: string; severity: string }[]; packages: { name: string; purl: string }[] };
  assert.deepEqual(
    report.vulnerabilities.map((entry) => [entry.id, entry.package.name, entry.fixedVersion, entry.severity]),
    [
      ['CVE-2024-3000', 'left-pad', '1.3.1', 'critical'],
      ['CVE-2024-1000', 'libc6', '2.36-9+deb12u8', 'high'],
    ],
  );
  assert.ok(report.packages.some((found) => found.purl === 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib'));
  assert.equal(rampart('image', 'scan', before1, '--fail-on', 'critical', '--format', 'json').status, 1);
  const table = rampart('image', 'scan', after1);
  assert.equal(table.status, 1);
  assert.match(table.stdout, /CRITICAL {2}CVE-2024-3000 {2}left-pad {2}1\.3\.0 +1\.3\.1/);
  assert.match(table.stdout, /MEDIUM {4}CVE-2024-2000 {2}curl {6}7\.88\.1-10 +\(no fix\)/);
});

test('VEX statements suppress matches, with the reason in the JSON report', () => {
  const vex = path.join(temporary, 'app.openvex.json');
  writeFileSync(vex, JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', statements: [{ vulnerability: { name: 'CVE-2024-3000' }, products: [{ '@id': 'pkg:npm/left-pad' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }] }));
  const scan = rampart('image', 'scan', before1, '--format', 'json', '--vex', vex, '--fail-on', 'critical');
  assert.equal(scan.status, 0, scan.stderr);
  const report = JSON.parse(scan.stdout) as { vulnerabilities: { id: string }[]; suppressed: { id: string; vex: { justification: string } }[] };
  assert.deepEqual(report.vulnerabilities.map((entry) => entry.id), ['CVE-2024-1000']);
  assert.deepEqual(report.suppressed.map((entry) => [entry.id, entry.vex.justification]), [['CVE-2024-3000', 'vulnerable_code_not_in_execute_path']]);
});

function cycloneDxValidator(): ReturnType<Ajv['compile']> {
  const directory = path.join(REPO_ROOT, 'node_modules', '@cyclonedx', 'cyclonedx-library', 'res', 'schema');
  const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  // The BOM schema refers to its neighbours by file name; register them under those names.
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json']) ajv.addSchema({ ...load(name), $id: `http://cyclonedx.org/schema/${name}` });
  return ajv.compile(load('bom-1.6.SNAPSHOT.schema.json'));
}

test('CycloneDX 1.6 and SARIF outputs validate against their schemas; SPDX 2.3 carries the required fields', () => {
  const cyclonedx = rampart('image', 'scan', before1, '--format', 'cyclonedx');
  const bom = JSON.parse(cyclonedx.stdout) as { specVersion: string; components: { name: string; purl: string }[]; vulnerabilities: { id: string; affects: { ref: string }[] }[] };
  const validate = cycloneDxValidator();
  assert.ok(validate(bom), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.equal(bom.specVersion, '1.6');
  assert.deepEqual(bom.components.map((component) => component.name).sort(), ['left-pad', 'libc6', 'zlib1g']);
  assert.deepEqual(bom.vulnerabilities.map((entry) => entry.id).sort(), ['CVE-2024-1000', 'CVE-2024-3000']);
  assert.ok(bom.vulnerabilities.every((entry) => bom.components.some((component) => entry.affects[0]!.ref.startsWith(component.purl))));

  const sarif = JSON.parse(rampart('image', 'scan', before1, '--format', 'sarif').stdout) as { runs: { results: { ruleId: string }[] }[] };
  const sarifValidate = sarifValidator();
  assert.ok(sarifValidate(sarif), describeErrors(sarifValidate));
  assert.deepEqual(sarif.runs[0]!.results.map((result) => result.ruleId).sort(), ['CVE-2024-1000', 'CVE-2024-3000']);

  const spdx = JSON.parse(rampart('image', 'scan', before1, '--format', 'spdx').stdout) as Record<string, unknown>;
  // The official SPDX 2.3 JSON schema is not available offline; this is our own schema of its required fields.
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  const spdxValidate = ajv.compile({
    type: 'object',
    required: ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo', 'packages', 'relationships'],
    properties: {
      spdxVersion: { const: 'SPDX-2.3' },
      dataLicense: { const: 'CC0-1.0' },
      SPDXID: { const: 'SPDXRef-DOCUMENT' },
      documentNamespace: { type: 'string', format: 'uri', not: { pattern: '#' } },
      creationInfo: { type: 'object', required: ['created', 'creators'], properties: { created: { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$' }, creators: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(Tool|Person|Organization): ' } } } },
      packages: { type: 'array', items: { type: 'object', required: ['SPDXID', 'name', 'downloadLocation'], properties: { SPDXID: { type: 'string', pattern: '^SPDXRef-[A-Za-z0-9.-]+$' }, filesAnalyzed: { const: false } } } },
      relationships: { type: 'array', items: { type: 'object', required: ['spdxElementId', 'relationshipType', 'relatedSpdxElement'] } },
    },
  });
  assert.ok(spdxValidate(spdx), JSON.stringify(spdxValidate.errors));
  const ids = (spdx.packages as { SPDXID: string }[]).map((entry) => entry.SPDXID);
  assert.equal(new Set(ids).size, ids.length, 'SPDX ids are unique');
  assert.equal((spdx.relationships as unknown[]).length, ids.length);
});

test('image diff shows packages and vulnerabilities added and removed', () => {
  const diff = rampart('image', 'diff', before1, after1, '--format', 'json');
  assert.equal(diff.status, 0, diff.stderr);
  const report = JSON.parse(diff.stdout) as { packages: { added: { name: string }[]; removed: { name: string }[]; changed: { from: { version: string }; to: { name: string; version: string } }[] }; vulnerabilities: { added: { id: string }[]; removed: { id: string }[] } };
  assert.deepEqual(report.packages.added.map((entry) => entry.name), ['curl']);
  assert.deepEqual(report.packages.removed.map((entry) => entry.name), ['zlib1g']);
  assert.deepEqual(report.packages.changed.map((entry) => [entry.to.name, entry.from.version, entry.to.version]), [['libc6', '2.36-9+deb12u7', '2.36-9+deb12u8']]);
  assert.deepEqual(report.vulnerabilities.added.map((entry) => entry.id), ['CVE-2024-2000']);
  assert.deepEqual(report.vulnerabilities.removed.map((entry) => entry.id), ['CVE-2024-1000']);
  assert.match(rampart('image', 'diff', before1, after1).stdout, /Vulnerabilities removed \(1\)\n +- +HIGH +CVE-2024-1000 +libc6 2\.36-9\+deb12u7/);
});

test('image why explains a match and a non-match', () => {
  const affected = rampart('image', 'why', 'glibc', 'CVE-2024-1000', '--image', before1);
  assert.equal(affected.status, 0, affected.stderr);
  assert.match(affected.stdout, /libc6 2\.36-9\+deb12u7 .*debian-tracker CVE-2024-1000 \[Debian:12\/glibc\]: AFFECTED: .*fixed in 2\.36-9\+deb12u8 \(dpkg ordering\)/);
  const fixed = rampart('image', 'why', 'libc6', 'CVE-2024-1000', '--image', after1);
  assert.match(fixed.stdout, /not affected: version 2\.36-9\+deb12u8 is not in the affected range \(fixed in 2\.36-9\+deb12u8\)/);
  const missing = rampart('image', 'why', 'nothing', 'CVE-2024-1000', '--image', after1);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no package named nothing/);
});

test('old vulnerability data is reported with a warning past --max-db-age; bad input exits 2 without a stack trace', () => {
  const oldFeed = path.join(temporary, 'old-alpine.json');
  writeFileSync(oldFeed, JSON.stringify({ distroversion: 'v3.20', reponame: 'main', packages: [] }));
  const longAgo = new Date(Date.now() - 30 * 86_400_000);
  utimesSync(oldFeed, longAgo, longAgo);
  assert.equal(rampart('db', 'import', oldFeed).status, 0);
  const scan = rampart('image', 'scan', before1, '--max-db-age', '10', '--format', 'json');
  assert.match(scan.stderr, /warning: vulnerability data from alpine-secdb:v3\.20\/main is (29|30) days old \(over 10\)/);
  const none = rampart('image', 'scan', path.join(temporary, 'missing.tar'));
  assert.equal(none.status, 2);
  assert.equal(none.stderr, `rampart: ${path.join(temporary, 'missing.tar')}: no such file or directory\n`);
  const relative = spawnSync(process.execPath, [CLI, 'image', 'scan', 'not-here.tar'], { encoding: 'utf8', cwd: temporary, env: { ...process.env, RAMPART_DB: database } });
  assert.equal(relative.status, 2);
  assert.equal(relative.stderr, 'rampart: not-here.tar: no such file or directory\n');
  const platform = rampart('image', 'scan', before1, '--platform', 'linux');
  assert.equal(platform.status, 2);
  assert.match(platform.stderr, /--platform must be os\/arch/);
});

test('image workloads judges each container by its image and how the pod runs it', async () => {
  const images = path.join(temporary, 'images');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(images);
  const rootLayout = path.join(temporary, 'root-image');
  await writeOciLayout(rootLayout, { layers: [layer([['libc6', '2.36-9+deb12u7', 'glibc']], '1.3.0')] });
  await writeDockerOciArchive(before1, path.join(images, 'app.tar'), 'registry.example/shop/app:1.0');
  await writeDockerOciArchive(rootLayout, path.join(images, 'root.tar'), 'rooty:2');
  writeFileSync(path.join(images, 'broken.tar'), 'not a tar at all'.repeat(100));
  const manifests = path.join(temporary, 'workloads.yaml');
  const deployment = (name: string, image: string, podContext: string, containerContext: string): string =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  template:\n    spec:\n      securityContext: ${podContext}\n      containers:\n      - name: main\n        image: ${image}\n        securityContext: ${containerContext}\n`;
  writeFileSync(
    manifests,
    [
      deployment('privileged', 'registry.example/shop/app:1.0', '{}', '{privileged: true}'),
      deployment('root', 'docker.io/library/rooty:2', '{}', '{}'),
      deployment('forced', 'rooty:2', '{runAsNonRoot: true}', '{}'),
      deployment('elsewhere', 'ghcr.io/other/thing:3', '{}', '{}'),
    ].join('---\n'),
  );
  const result = rampart('image', 'workloads', manifests, '--images', images, '--format', 'json');
  assert.equal(result.status, 1, result.stderr);
  const report = JSON.parse(result.stdout) as { findings: { id: string; severity: string; object: { name: string } }[]; images: { image: string }[]; unavailable: { image: string; reason: string }[] };
  assert.deepEqual(
    report.findings.map((finding) => [finding.object.name, finding.id, finding.severity]),
    [
      ['privileged', 'IMG-WL-CRITICAL-PRIVILEGED', 'critical'],
      ['root', 'IMG-WL-RUNS-AS-ROOT', 'medium'],
      ['root', 'IMG-WL-CRITICAL-ROOT', 'high'],
    ],
  );
  assert.deepEqual(report.images.map((entry) => entry.image).sort(), ['docker.io/library/rooty:2', 'registry.example/shop/app:1.0', 'rooty:2']);
  assert.deepEqual(report.unavailable, [{ image: 'ghcr.io/other/thing:3', reason: `not found in image directory ${images}` }]);
  const usage = rampart('image', 'workloads', manifests);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /give exactly one of --images DIR/);

  // The same join through rampart scan --images: the combined findings sit beside the manifest checks, at the workload's file and line.
  const scan = rampart('scan', manifests, '--images', images, '--format', 'json', '--fail-on', 'critical');
  assert.equal(scan.status, 1, scan.stderr);
  const scanned = JSON.parse(scan.stdout) as { findings: { checkId: string; severity: string; object: { name: string }; location: { file: string; line: number }; container?: string }[]; diagnostics: { code: string; message: string }[] };
  const combined = scanned.findings.filter((finding) => finding.checkId.startsWith('IMG-WL-'));
  assert.deepEqual(
    combined.map((finding) => [finding.object.name, finding.checkId, finding.severity, finding.container]).sort(),
    [
      ['privileged', 'IMG-WL-CRITICAL-PRIVILEGED', 'critical', 'main'],
      ['root', 'IMG-WL-CRITICAL-ROOT', 'high', 'main'],
      ['root', 'IMG-WL-RUNS-AS-ROOT', 'medium', 'main'],
    ],
  );
  // Each names the workload's own document: the first starts at line 1, the second after 11 lines and a `---`.
  assert.deepEqual([...new Set(combined.map((finding) => `${finding.object.name} ${finding.location.file === manifests ? 'manifests' : finding.location.file}:${finding.location.line}`))].sort(), ['privileged manifests:1', 'root manifests:13']);
  assert.ok(scanned.findings.some((finding) => finding.checkId === 'container-privileged'), 'the manifest checks still run');
  assert.ok(scanned.diagnostics.some((entry) => entry.code === 'image-unavailable' && entry.message.includes('ghcr.io/other/thing:3')));
  const alone = rampart('scan', manifests, '--image-db', path.join(temporary, 'vulns.db'));
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /--image-db needs --images/);
});
