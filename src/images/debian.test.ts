/**
 * A real Debian image, built with mmdebstrap, umoci and skopeo, in every
 * on-disk format: the inventory equals what dpkg-query reports for that root
 * filesystem. The first run builds and caches the images (about a minute).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inventoryImage } from './inventory.js';
import { openLocalImage } from './sources/local.js';
import { debianImageFormats, debianToolsMissing, dpkgQueryInstalled } from './testing/images.js';

const missing = debianToolsMissing();

test('a Debian image lists exactly the packages dpkg-query reports, in every archive format', { skip: missing, timeout: 600_000 }, async () => {
  const formats = await debianImageFormats();
  const expected = await dpkgQueryInstalled(formats.rootfsTar);
  assert.ok(expected.length > 80, `dpkg-query lists ${expected.length} packages`);
  const cases = [
    ['oci-layout', formats.ociLayout],
    ['docker-archive', formats.dockerArchive],
    ['oci-archive', formats.ociArchive],
    ['docker-archive', formats.dockerOciArchive],
  ] as const;
  for (const [kind, location] of cases) {
    const image = await openLocalImage(location, { os: 'linux', architecture: 'amd64' });
    assert.equal(image.kind, kind, location);
    const inventory = await inventoryImage(image);
    const listed = inventory.packages.filter((found) => found.type === 'deb').map((found) => `${found.name} ${found.version}`).sort();
    assert.deepEqual(listed, expected, location);
    assert.equal(inventory.os?.id, 'debian');
    assert.equal(inventory.os?.versionId, '12');
    // Debian's own setuid programs (su, passwd, mount...) all belong to packages.
    assert.ok(inventory.setuidFiles.length > 3);
    assert.deepEqual(inventory.setuidFiles.filter((file) => file.ownedBy === undefined), [], location);
  }
});
