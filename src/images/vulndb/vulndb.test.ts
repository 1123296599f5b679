/**
 * Import and matching on fixtures written for the tests: OSV (Debian, PyPI,
 * npm, withdrawn), the Debian security tracker (fixed, unfixed, not
 * affected), Alpine secdb; VEX; explanations; transactional imports; age.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { OsRelease, Package } from '../model.js';
import { parseVex, vexFor } from '../vex.js';
import { cvss3BaseScore } from './cvss.js';
import { FeedError, parseFeed } from './feeds.js';
import { explainMatch, matchPackage, packageQuery } from './match.js';
import { VulnerabilityDatabase } from './store.js';

const temporary = await mkdtemp(path.join(os.tmpdir(), 'rampart-vulndb-'));
after(() => rm(temporary, { recursive: true, force: true }));

const BOOKWORM: OsRelease = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };
const libc: Package = { name: 'libc6', version: '2.36-9+deb12u7', type: 'deb', source: { name: 'glibc', version: '2.36-9+deb12u7' }, location: '/var/lib/dpkg/status', layer: 0 };
const pythonSix: Package = { name: 'python3-six', version: '1.16.0-4', type: 'deb', source: { name: 'six', version: '1.16.0-4' }, location: '/var/lib/dpkg/status', layer: 0 };
const pipSix: Package = { name: 'Six', version: '1.15.0', type: 'pypi', location: '/usr/local/lib/python3.11/site-packages/six-1.15.0.dist-info/METADATA', layer: 1 };
const leftPad: Package = { name: 'left-pad', version: '1.3.0', type: 'npm', location: '/app/node_modules/left-pad/package.json', layer: 1 };

const osv = (record: Record<string, unknown>): string => JSON.stringify({ schema_version: '1.6.0', modified: '2026-11-20T00:00:00Z', ...record });

const FEEDS: Record<string, string> = {
  'osv-fixed.json': osv({ id: 'DEBIAN-CVE-2024-0001', aliases: ['CVE-2024-0001'], summary: 'glibc overflow', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }], affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u8' }] }] }] }),
  'osv-old.json': osv({ id: 'DEBIAN-CVE-2023-9999', aliases: ['CVE-2023-9999'], affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }] }] }] }),
  'osv-withdrawn.json': osv({ id: 'DEBIAN-CVE-2024-0005', aliases: ['CVE-2024-0005'], withdrawn: '2026-11-01T00:00:00Z', affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] }),
  'osv-pypi.json': osv({ id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2024-0006'], database_specific: { severity: 'MODERATE' }, affected: [{ package: { ecosystem: 'PyPI', name: 'six' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.16.0' }] }] }] }),
  'osv-npm.json': JSON.stringify([
    JSON.parse(osv({ id: 'GHSA-npm1-0000-0000', aliases: ['CVE-2024-0007'], database_specific: { severity: 'CRITICAL' }, affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.3.1' }] }] }] })),
    JSON.parse(osv({ id: 'GHSA-npm2-0000-0000', affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { last_affected: '1.2.9' }] }] }] })),
  ]),
  'debian.json': JSON.stringify({
    glibc: {
      'CVE-2024-0002': { description: 'unfixed issue', releases: { bookworm: { status: 'open', urgency: 'high', repositories: { bookworm: '2.36-9+deb12u7' } } } },
      'CVE-2024-0003': { releases: { bookworm: { status: 'resolved', fixed_version: '0', urgency: 'not yet assigned' } } },
      'CVE-2024-0004': { releases: { bookworm: { status: 'resolved', fixed_version: '2.36-9+deb12u4', urgency: 'medium' }, bullseye: { status: 'open', urgency: 'medium' } } },
      'CVE-2024-0001': { releases: { bookworm: { status: 'resolved', fixed_version: '2.36-9+deb12u8', urgency: 'high' } } },
    },
  }),
  'alpine.json': JSON.stringify({ distroversion: 'v3.20', reponame: 'main', packages: [{ pkg: { name: 'musl', secfixes: { '1.2.5-r1': ['CVE-2025-1111'], '0': ['CVE-2019-0000'] } } }] }),
};

async function importAll(database: VulnerabilityDatabase, names: readonly string[], now: Date): Promise<void> {
  database.importFeeds(
    names.map((name) => ({ feed: parseFeed(FEEDS[name]!, name), location: name, fileTime: '2026-11-25T00:00:00.000Z' })),
    now,
  );
}

test('OS packages match their vendor feed by source package; fixed, unfixed, not-affected and withdrawn records behave', async () => {
  const database = await VulnerabilityDatabase.open(path.join(temporary, 'a.sqlite'));
  try {
    await importAll(database, Object.keys(FEEDS), new Date('2026-11-26T00:00:00Z'));
    const query = packageQuery(libc, BOOKWORM);
    assert.ok(typeof query !== 'string');
    assert.deepEqual(query.ecosystems, ['Debian:12', 'Debian:bookworm']);
    const matches = matchPackage(libc, query, database.candidates(query.ecosystems, query.name));
    assert.deepEqual(
      matches.map((match) => [match.id, match.fixedVersion ?? null, match.severity, match.sources.join('+')]).sort(),
      [
        ['CVE-2024-0001', '2.36-9+deb12u8', 'critical', 'osv+debian-tracker'],
        ['CVE-2024-0002', null, 'high', 'debian-tracker'],
      ],
    );
    // python3-six's source "six" must not match the PyPI advisory for six; a pip-installed six does.
    const debSix = packageQuery(pythonSix, BOOKWORM);
    assert.ok(typeof debSix !== 'string');
    assert.deepEqual(matchPackage(pythonSix, debSix, database.candidates(debSix.ecosystems, debSix.name)), []);
    const pip = packageQuery(pipSix, BOOKWORM);
    assert.ok(typeof pip !== 'string');
    assert.deepEqual(matchPackage(pipSix, pip, database.candidates(pip.ecosystems, pip.name)).map((match) => [match.id, match.severity, match.fixedVersion]), [['CVE-2024-0006', 'medium', '1.16.0']]);
    const npm = packageQuery(leftPad, BOOKWORM);
    assert.ok(typeof npm !== 'string');
    assert.deepEqual(matchPackage(leftPad, npm, database.candidates(npm.ecosystems, npm.name)).map((match) => match.id), ['CVE-2024-0007']);

    const why = (id: string): string => explainMatch(libc, query, database.byId(id), id).join('\n');
    assert.match(why('CVE-2024-0003'), /not affected: the vendor marks it not affected \(resolved: the release never had the vulnerable code/);
    assert.match(why('CVE-2024-0004'), /\[Debian:12\/glibc\]: not affected: version 2\.36-9\+deb12u7 is not in the affected range \(fixed in 2\.36-9\+deb12u4\) \(dpkg ordering\)/);
    assert.match(why('CVE-2024-0005'), /DEBIAN-CVE-2024-0005: withdrawn on 2026-11-01/);
    assert.match(why('CVE-2024-0001'), /AFFECTED: version 2\.36-9\+deb12u7 is at or after the first version, fixed in 2\.36-9\+deb12u8/);
    assert.match(explainMatch(pythonSix, debSix, database.byId('CVE-2024-0006'), 'CVE-2024-0006').join('\n'), /names PyPI\/six, but this package is looked up only as Debian:12 or Debian:bookworm\/six \(OS packages match their vendor feed only, by source package\)/);
    assert.match(explainMatch(libc, query, [], 'CVE-2099-1').join('\n'), /no advisory with id or alias CVE-2099-1/);
    assert.deepEqual(packageQuery(libc, { id: 'gentoo' }), 'no vendor feed for deb packages of gentoo');

    const musl: Package = { name: 'musl', version: '1.2.5-r0', type: 'apk', source: { name: 'musl', version: '1.2.5-r0' }, location: '/lib/apk/db/installed', layer: 0 };
    const alpineQuery = packageQuery(musl, { id: 'alpine', versionId: '3.20.3' });
    assert.ok(typeof alpineQuery !== 'string');
    assert.deepEqual(matchPackage(musl, alpineQuery, database.candidates(alpineQuery.ecosystems, alpineQuery.name)).map((match) => [match.id, match.fixedVersion]), [['CVE-2025-1111', '1.2.5-r1']]);

    const sources = database.sources();
    assert.deepEqual(sources.map((source) => source.name), ['alpine-secdb:v3.20/main', 'debian-tracker', 'osv']);
    assert.equal(sources.find((source) => source.name === 'osv')?.dataTime, '2026-11-20T00:00:00Z');
  } finally {
    database.close();
  }
});

test('imports are transactional: one bad file and nothing is written; the error names the file and record', async () => {
  const file = path.join(temporary, 'b.sqlite');
  const database = await VulnerabilityDatabase.open(file);
  try {
    await importAll(database, ['osv-fixed.json'], new Date());
    const bad = JSON.stringify([JSON.parse(FEEDS['osv-old.json']!), { id: 'BROKEN-1', modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ broken: '1' }] }] }] }]);
    assert.throws(() => parseFeed(bad, 'bad.json'), (error: unknown) => error instanceof FeedError && /bad\.json\[1\] \(BROKEN-1\): affected\[0\]\.ranges\[0\]\.events\[0\]: an event needs one of introduced/.test(error.message));
    assert.throws(() => parseFeed('{"id": ', 'cut.json'), /cut\.json: not valid JSON/);
    assert.throws(() => parseFeed('{"hello": "world"}', 'other.json'), /other\.json: not an OSV record/);
    // A failure inside the write transaction rolls everything back.
    const good = parseFeed(FEEDS['osv-old.json']!, 'osv-old.json');
    const poisoned = { feed: { ...good, advisories: [...good.advisories, { id: 'X', aliases: [null as unknown as string], affected: [] }] }, location: 'poisoned', fileTime: '2026-01-01T00:00:00Z' };
    assert.throws(() => database.importFeeds([{ feed: good, location: 'osv-old.json', fileTime: '2026-01-01T00:00:00Z' }, poisoned]));
    assert.deepEqual(database.byId('CVE-2023-9999'), []);
    assert.equal(database.byId('CVE-2024-0001').length, 1);
  } finally {
    database.close();
  }
});

test('VEX statements (OpenVEX and CycloneDX) mark matches not affected with their reason', () => {
  const openvex = parseVex(
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        { vulnerability: { name: 'CVE-2024-0001' }, products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:deb/debian/libc6' }] }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'the overflow needs iconv, unused here' },
        { vulnerability: { name: 'CVE-2024-0002' }, products: [{ '@id': 'pkg:deb/debian/libc6@9.9' }], status: 'not_affected', justification: 'component_not_present' },
      ],
    }),
    'app.openvex.json',
  );
  const purl = 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12';
  assert.equal(vexFor(openvex, ['CVE-2024-0001'], purl)?.justification, 'vulnerable_code_not_in_execute_path');
  assert.equal(vexFor(openvex, ['CVE-2024-0002'], purl), undefined, 'a statement for another version does not apply');
  const cyclonedx = parseVex(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [{ 'bom-ref': 'c1', purl: 'pkg:npm/left-pad@1.3.0' }], vulnerabilities: [{ id: 'CVE-2024-0007', analysis: { state: 'false_positive', detail: 'not reachable' }, affects: [{ ref: 'c1' }] }] }), 'bom.json');
  assert.equal(vexFor(cyclonedx, ['CVE-2024-0007', 'GHSA-npm1-0000-0000'], 'pkg:npm/left-pad@1.3.0')?.status, 'not_affected');
  assert.throws(() => parseVex('{"statements": [{"vulnerability": {}}]}', 'broken.json'), /broken\.json: statements\[0\]: needs vulnerability\.name/);
});

test('CVSS v3 base scores follow the specification', () => {
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N'), 6.1);
  assert.equal(cvss3BaseScore('CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N'), 5.5);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H'), 10);
  assert.equal(cvss3BaseScore('CVSS:2.0/whatever'), undefined);
});
