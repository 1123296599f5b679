/** Sources and catalogers on hand-made images: whiteouts, ownership, every cataloger, bad input. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ImageError } from './errors.js';
import { inventoryImage } from './inventory.js';
import type { Platform } from './model.js';
import { openLocalImage } from './sources/local.js';
import { auditableBinaryBytes, goBinaryBytes, rpmHeaderBlob, tarBytes, writeDockerOciArchive, writeOciLayout, zipBytes, type FileSpec } from './testing/images.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const temporary = await mkdtemp(path.join(os.tmpdir(), 'rampart-images-'));
after(() => rm(temporary, { recursive: true, force: true }));
let counter = 0;
const fresh = (): string => path.join(temporary, `case-${counter++}`);

function status(packages: readonly [string, string, string?][]): string {
  return packages.map(([name, version, source]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n${source === undefined ? '' : `Source: ${source}\n`}Description: test\n continued line\n`).join('\n');
}

const baseLayer: FileSpec[] = [
  { name: 'etc/', type: 'directory' },
  { name: 'etc/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
  { name: 'var/lib/dpkg/status', content: status([['libc6', '2.36-9+deb12u7', 'glibc'], ['python3-six', '1.16.0-4'], ['removed-later', '1.0']]) + '\nPackage: half-gone\nStatus: deinstall ok config-files\nVersion: 0.1\n' },
  { name: 'var/lib/dpkg/info/python3-six.list', content: '/.\n/usr/lib/python3/dist-packages/six-1.16.0.dist-info\n/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n' },
  { name: 'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n\nName: not-this\n' },
  { name: 'usr/bin/passwd', content: 'x', mode: 0o4755 },
  { name: 'opt/app/node_modules/left-pad/package.json', content: JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }) },
  { name: 'opt/app/node_modules/@scope/thing/package.json', content: JSON.stringify({ name: '@scope/thing', version: '2.0.0' }) },
  { name: 'opt/app/node_modules/left-pad/lib/package.json', content: JSON.stringify({ name: 'not-a-package', version: '9.9.9' }) },
  { name: 'opt/old/node_modules/gone/package.json', content: JSON.stringify({ name: 'gone', version: '1.0.0' }) },
  { name: 'srv/app.jar', content: zipBytes([{ name: 'META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties', content: 'groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n' }]) },
  { name: 'srv/bare.jar', content: zipBytes([{ name: 'META-INF/MANIFEST.MF', content: 'Manifest-Version: 1.0\r\nImplementation-Title: bare\r\nImplementation-Version: 0.3\r\n\r\n' }]) },
  { name: 'usr/local/bin/server', mode: 0o755, content: goBinaryBytes('go1.21.4', 'path\texample.com/server\nmod\texample.com/server\tv1.2.0\th1:abc\ndep\tgolang.org/x/net\tv0.17.0\th1:def\ndep\tgithub.com/old/thing\tv1.0.0\n=>\tgithub.com/new/thing\tv1.1.0\th1:x\n') },
];

const secondLayer: FileSpec[] = [
  // A later status replaces the earlier one; removed-later disappears.
  { name: 'var/lib/dpkg/status', content: status([['libc6', '2.36-9+deb12u7', 'glibc'], ['python3-six', '1.16.0-4'], ['curl', '7.88.1-10+deb12u5']]) },
  { name: 'opt/.wh.old', content: '' },
  { name: 'usr/bin/.wh.passwd', content: '' },
  { name: 'usr/local/bin/sudo-like', content: 'x', mode: 0o4755 },
  { name: 'opt/app/node_modules/.wh..wh..opq', content: '' },
  { name: 'opt/app/node_modules/left-pad/package.json', content: JSON.stringify({ name: 'left-pad', version: '1.3.1' }) },
  // A whiteout hides only lower layers: a file of its own layer stays.
  { name: 'opt/same/node_modules/kept/package.json', content: JSON.stringify({ name: 'kept', version: '1.0.0' }) },
  { name: 'opt/same/node_modules/.wh.kept', content: '' },
];

test('layers apply in order: replaced files, whiteouts and opaque directories change the inventory', async () => {
  await writeOciLayout(fresh(), { layers: [baseLayer, secondLayer] });
  const image = await openLocalImage(path.join(temporary, `case-${counter - 1}`), AMD64);
  const inventory = await inventoryImage(image);
  assert.deepEqual(inventory.os, { id: 'debian', versionId: '12', versionCodename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
  const names = inventory.packages.map((found) => `${found.type}:${found.namespace === undefined ? '' : `${found.namespace}/`}${found.name}@${found.version}`);
  assert.deepEqual(names, [
    'deb:curl@7.88.1-10+deb12u5',
    'deb:libc6@2.36-9+deb12u7',
    'deb:python3-six@1.16.0-4',
    'golang:example.com/server@v1.2.0',
    'golang:github.com/new/thing@v1.1.0',
    'golang:golang.org/x/net@v0.17.0',
    'golang:stdlib@v1.21.4',
    'maven:bare@0.3',
    'maven:org.apache.logging.log4j/log4j-core@2.14.1',
    // The opaque node_modules hid @scope/thing from the first layer; left-pad comes from the second.
    'npm:kept@1.0.0',
    'npm:left-pad@1.3.1',
  ]);
  const libc = inventory.packages.find((found) => found.name === 'libc6');
  assert.deepEqual(libc?.source, { name: 'glibc', version: '2.36-9+deb12u7' });
  assert.equal(libc?.layer, 1);
  // six's dist-info belongs to python3-six: attributed, not listed twice.
  assert.deepEqual(
    inventory.attributed.map((entry) => [entry.package.name, entry.owner]),
    [['six', 'python3-six']],
  );
  // passwd was whited out; the new setuid file comes from layer 1 and no package owns it.
  assert.deepEqual(inventory.setuidFiles, [{ path: '/usr/local/bin/sudo-like', mode: 0o4755, layer: 1 }]);
});

test('docker save tarballs in the Docker 25+ layout (manifest.json beside an OCI layout) read like the layout', async () => {
  const layout = fresh();
  await writeOciLayout(layout, { layers: [baseLayer], config: { config: { User: 'app' } } });
  const archive = `${layout}.tar`;
  await writeDockerOciArchive(layout, archive, 'example/app:1');
  const image = await openLocalImage(archive, AMD64);
  assert.equal(image.kind, 'docker-archive');
  assert.deepEqual(image.repoTags, ['example/app:1']);
  assert.equal(image.config.config?.User, 'app');
  const inventory = await inventoryImage(image);
  assert.ok(inventory.packages.some((found) => found.name === 'removed-later'));
  assert.ok(!inventory.packages.some((found) => found.name === 'half-gone'), 'packages that are not installed are not listed');
});

test('an index offers several platforms: the requested one is used, a missing one is a clear error', async () => {
  const layout = fresh();
  await writeOciLayout(layout, { layers: [baseLayer], platforms: [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'amd64' }] });
  const image = await openLocalImage(layout, { os: 'linux', architecture: 'arm64' });
  assert.equal(image.layers.length, 1);
  await assert.rejects(openLocalImage(layout, { os: 'linux', architecture: 's390x' }), (error: unknown) => {
    assert.ok(error instanceof ImageError);
    assert.match(error.message, /no image for platform linux\/s390x \(offered: linux\/arm64\/v8, linux\/amd64\)/);
    assert.ok(error.message.includes(layout));
    return true;
  });
});

test('apk and rpm databases are read, with the files their packages own', async () => {
  const { default: Database } = await import('better-sqlite3');
  const databaseFile = path.join(temporary, 'rpmdb.sqlite');
  const database = new Database(databaseFile);
  database.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const insert = database.prepare('INSERT INTO Packages (blob) VALUES (?)');
  insert.run(rpmHeaderBlob({ 1000: 'openssl-libs', 1001: '3.0.7', 1002: '27.el9', 1022: 'x86_64', 1044: 'openssl-3.0.7-27.el9.src.rpm', 1014: 'ASL 2.0', 1117: ['libssl.so.3', 'METADATA'], 1118: ['/usr/lib64/', '/usr/lib/python3.9/site-packages/rpmowned-1.0.dist-info/'] }, { 1003: [1], 1116: [0, 1] }));
  insert.run(rpmHeaderBlob({ 1000: 'gpg-pubkey', 1001: 'abc', 1002: '1' }));
  database.close();
  const rpmImage = fresh();
  await writeOciLayout(rpmImage, {
    layers: [
      [
        { name: 'usr/lib/os-release', content: 'ID="rocky"\nVERSION_ID="9.3"\n' },
        { name: 'var/lib/rpm/rpmdb.sqlite', content: await readFile(databaseFile) },
        { name: 'usr/lib/python3.9/site-packages/rpmowned-1.0.dist-info/METADATA', content: 'Name: rpmowned\nVersion: 1.0\n' },
      ],
    ],
  });
  const rpmInventory = await inventoryImage(await openLocalImage(rpmImage, AMD64));
  assert.deepEqual(rpmInventory.os, { id: 'rocky', versionId: '9.3' });
  assert.deepEqual(
    rpmInventory.packages.map((found) => [found.name, found.version, found.source, found.arch, found.licenses]),
    [['openssl-libs', '1:3.0.7-27.el9', { name: 'openssl', version: '1:3.0.7-27.el9' }, 'x86_64', ['ASL 2.0']]],
  );
  assert.deepEqual(rpmInventory.attributed.map((entry) => entry.owner), ['openssl-libs']);

  const apkImage = fresh();
  await writeOciLayout(apkImage, {
    layers: [
      [
        { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.0\n' },
        { name: 'lib/apk/db/installed', content: 'C:Q1abc=\nP:busybox\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only\no:busybox\nF:bin\nR:busybox\n\nP:py3-six\nV:1.16.0-r9\no:py-six\nF:usr/lib/python3.12/site-packages/six-1.16.0.dist-info\nR:METADATA\n' },
        { name: 'bin/busybox', content: 'x', mode: 0o4755 },
        { name: 'usr/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA', content: 'Name: six\nVersion: 1.16.0\n' },
      ],
    ],
  });
  const apkInventory = await inventoryImage(await openLocalImage(apkImage, AMD64));
  assert.deepEqual(
    apkInventory.packages.map((found) => [found.name, found.version, found.source?.name]),
    [
      ['busybox', '1.36.1-r29', 'busybox'],
      ['py3-six', '1.16.0-r9', 'py-six'],
    ],
  );
  assert.deepEqual(apkInventory.attributed.map((entry) => `${entry.package.name}<-${entry.owner}`), ['six<-py3-six']);
  assert.deepEqual(apkInventory.setuidFiles, [{ path: '/bin/busybox', mode: 0o4755, layer: 0, ownedBy: 'busybox' }]);
});

async function expectImageError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ImageError, `expected an ImageError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('bad input: every problem is an ImageError that names the input', async () => {
  // A blob whose content does not match its digest.
  const tampered = fresh();
  const written = await writeOciLayout(tampered, { layers: [[{ name: 'a', content: 'a' }]] });
  const layerFile = path.join(tampered, 'blobs', 'sha256', written.layerDigests[0]!.slice(7));
  const { gzipSync } = await import('node:zlib');
  await writeFile(layerFile, gzipSync(await tarBytes([{ name: 'b', content: 'b' }])));
  await expectImageError(
    openLocalImage(tampered, AMD64).then((image) => inventoryImage(image)),
    new RegExp(`layer 0 \\(${written.layerDigests[0]}\\): digest mismatch`),
  );

  // A truncated gzip layer.
  const truncated = fresh();
  const truncatedLayout = await writeOciLayout(truncated, { layers: [[{ name: 'big', content: 'x'.repeat(200000) + Math.random() }]] });
  await truncate(path.join(truncated, 'blobs', 'sha256', truncatedLayout.layerDigests[0]!.slice(7)), 100);
  await expectImageError(openLocalImage(truncated, AMD64).then((image) => inventoryImage(image)), /layer 0 .*(corrupt|truncated|unexpected end)/i);

  // A truncated archive file.
  const archiveLayout = fresh();
  await writeOciLayout(archiveLayout, { layers: [[{ name: 'a', content: 'a'.repeat(5000) }]] });
  const archive = `${archiveLayout}.tar`;
  await writeDockerOciArchive(archiveLayout, archive, 'x:1');
  const size = (await readFile(archive)).length;
  await truncate(archive, size - 4000);
  await expectImageError(openLocalImage(archive, AMD64), new RegExp(`${archive.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated tar archive`));

  // Not a tar at all.
  const notTar = path.join(temporary, 'not-a-tar.tar');
  await writeFile(notTar, 'hello world, this is text'.repeat(40));
  await expectImageError(openLocalImage(notTar, AMD64), /not-a-tar\.tar: not a tar archive or corrupt \(bad header checksum at byte 0\)/);

  // An unknown layer media type.
  const unknown = fresh();
  const unknownLayout = await writeOciLayout(unknown, { layers: [[{ name: 'a', content: 'a' }]] });
  const manifestFile = path.join(unknown, 'blobs', 'sha256', unknownLayout.manifestDigests[0]!.slice(7));
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { layers: { mediaType: string }[] };
  manifest.layers[0]!.mediaType = 'application/vnd.example.weird';
  const { createHash } = await import('node:crypto');
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const newDigest = createHash('sha256').update(manifestBytes).digest('hex');
  await writeFile(path.join(unknown, 'blobs', 'sha256', newDigest), manifestBytes);
  await writeFile(path.join(unknown, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${newDigest}`, size: manifestBytes.length }] }));
  await expectImageError(openLocalImage(unknown, AMD64), /layer 0 has unknown media type "application\/vnd\.example\.weird"/);

  // A missing path and a directory that is no layout.
  await expectImageError(openLocalImage(path.join(temporary, 'nothing-here'), AMD64), /nothing-here: no such file or directory/);
  await expectImageError(openLocalImage(temporary, AMD64), /without index\.json is not an OCI image layout/);
});

test('legacy docker save layers are checked against the config diff_ids', async () => {
  const { createHash } = await import('node:crypto');
  const layer = await tarBytes([{ name: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' }]);
  const layerDigest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
  const archive = async (diffId: string): Promise<string> => {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
    const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
    const file = `${fresh()}.tar`;
    await writeFile(file, await tarBytes([
      { name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: ['legacy:1'], Layers: ['abc/layer.tar'] }]) },
      { name: configName, content: config },
      { name: 'abc/layer.tar', content: layer },
    ]));
    return file;
  };
  const good = await inventoryImage(await openLocalImage(await archive(layerDigest), AMD64));
  assert.equal(good.os?.id, 'debian');
  const wrong = `sha256:${'1'.repeat(64)}`;
  await expectImageError(openLocalImage(await archive(wrong), AMD64).then((image) => inventoryImage(image)), new RegExp(`layer 0: diff_id mismatch: the config says ${wrong}, the layer hashes to ${layerDigest}`));
});

test('cargo-auditable binaries list their crates; build-time and path crates are left out', async () => {
  const layout = fresh();
  const crates = { packages: [
    { name: 'rusty', version: '0.1.0', source: 'local', root: true },
    { name: 'serde', version: '1.0.195', source: 'crates.io' },
    { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
    { name: 'time', version: '0.3.20', source: 'crates.io', kind: 'runtime' },
  ] };
  // An ELF file whose section has another name carries no crate list.
  const plain = auditableBinaryBytes(crates);
  plain.write('.dep-xx', plain.lastIndexOf('.dep-v0'), 'latin1');
  await writeOciLayout(layout, { layers: [[{ name: 'usr/local/bin/rusty', mode: 0o755, content: auditableBinaryBytes(crates) }, { name: 'usr/local/bin/plain', mode: 0o755, content: plain }]] });
  const inventory = await inventoryImage(await openLocalImage(layout, AMD64));
  assert.deepEqual(inventory.packages.map((found) => [found.type, found.name, found.version, found.location]), [
    ['cargo', 'serde', '1.0.195', '/usr/local/bin/rusty'],
    ['cargo', 'time', '0.3.20', '/usr/local/bin/rusty'],
  ]);
});
