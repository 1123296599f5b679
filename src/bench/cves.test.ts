import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAffected, kubernetesCves, parseVersion, type KubernetesCve } from './cves.js';

const proxyUpgrade = (): KubernetesCve => kubernetesCves().find((cve) => cve.id === 'CVE-2018-1002105')!;

test('the data file: at least 40 CVEs, unique IDs, parseable fixed versions, the book’s CVEs present', () => {
  const cves = kubernetesCves();
  assert.ok(cves.length >= 40, String(cves.length));
  assert.equal(new Set(cves.map((cve) => cve.id)).size, cves.length);
  for (const cve of cves) {
    assert.ok(cve.unfixed === true || (cve.fixed ?? []).length > 0, cve.id);
    for (const fixed of cve.fixed ?? []) assert.ok(parseVersion(fixed), `${cve.id} ${fixed}`);
    assert.ok(cve.unfixed !== true || cve.mitigation !== undefined, cve.id);
  }
  for (const id of ['CVE-2018-1002105', 'CVE-2019-11253', 'CVE-2019-1002100', 'CVE-2019-11246', 'CVE-2020-8555']) assert.ok(cves.some((cve) => cve.id === id), id);
});

test('affected when the patch is below the fix of its minor, or the minor is older than every fix', () => {
  const cve = proxyUpgrade();
  assert.deepEqual(isAffected(cve, [1, 12, 2]), { affected: true, upgradeTo: '1.12.3' });
  assert.deepEqual(isAffected(cve, [1, 12, 3]), { affected: false });
  assert.deepEqual(isAffected(cve, [1, 11, 4]), { affected: true, upgradeTo: '1.11.5' });
  assert.equal(isAffected(cve, [1, 9, 0]).affected, true);
  assert.equal(isAffected(cve, [1, 13, 0]).affected, false);
});

test('affectedOnly narrows to the listed releases; unfixed CVEs always apply', () => {
  const restartAsRoot = kubernetesCves().find((cve) => cve.id === 'CVE-2019-11245')!;
  assert.equal(isAffected(restartAsRoot, [1, 13, 6]).affected, true);
  assert.equal(isAffected(restartAsRoot, [1, 13, 5]).affected, false);
  const externalIps = kubernetesCves().find((cve) => cve.id === 'CVE-2020-8554')!;
  assert.equal(isAffected(externalIps, [1, 34, 0]).affected, true);
});
