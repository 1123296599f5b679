/** The catalogue as a whole: size, unique IDs, complete metadata, severity from the model, generated pages current. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../testing/paths.js';
import { allCheckMetas } from '../index.js';
import { RBAC_CHECK_METAS } from '../rbac/index.js';
import { HARDENING_CHECKS, hardeningChecks } from './catalogue.js';
import { SEVERITY_BASES, severityOf } from './define.js';
import { renderSeverityDoc, SEVERITY_DOC_PATH } from './severityDoc.js';

test('at least 90 checks beyond PSS, with unique IDs', () => {
  // The CIS 5.1 RBAC controls count: they are the one reporter of grants in roles and cluster-admin bindings.
  const beyondPss = HARDENING_CHECKS.length + RBAC_CHECK_METAS.length;
  assert.ok(beyondPss >= 90, `${beyondPss} checks`);
  const ids = allCheckMetas().map((meta) => meta.id);
  assert.equal(new Set(ids).size, ids.length, 'IDs are unique across the whole catalogue');
});

test('every check has complete metadata, framework mappings and a severity that follows from its basis', () => {
  for (const { meta } of HARDENING_CHECKS) {
    assert.match(meta.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, meta.id);
    for (const field of ['title', 'description', 'remediation', 'category', 'documentation'] as const) assert.ok(meta[field].length > 0, `${meta.id}.${field}`);
    assert.ok(meta.frameworks.some((mapping) => mapping.framework === 'NSA-CISA'), `${meta.id} maps to the NSA/CISA guide`);
    assert.ok(meta.frameworks.some((mapping) => mapping.framework === 'MITRE-ATTACK' && /^T\d{4}(\.\d{3})?$/.test(mapping.id)), `${meta.id} maps to a MITRE ATT&CK technique`);
    for (const mapping of meta.frameworks.filter((candidate) => candidate.framework === 'CIS')) assert.match(mapping.id, /^5\.\d+\.\d+$/, `${meta.id} CIS ID`);
    const basis = SEVERITY_BASES.get(meta.id);
    assert.ok(basis !== undefined && basis.reason.length > 0, `${meta.id} has a severity basis`);
    assert.equal(meta.severity, severityOf(basis.gain, basis.effort), meta.id);
    assert.ok(Array.isArray(meta.equivalents), `${meta.id} declares equivalents (possibly none)`);
  }
});

test('the configured registry allow-list replaces the default instance, and only it', () => {
  const configured = hardeningChecks({ allowedRegistries: ['ghcr.io/acme'] });
  assert.equal(configured.length, HARDENING_CHECKS.length);
  const changed = configured.filter((check, index) => check !== HARDENING_CHECKS[index]).map((check) => check.meta.id);
  assert.deepEqual(changed, ['image-registry-not-allowed']);
  assert.equal(hardeningChecks({}), HARDENING_CHECKS);
});

test('docs/severity.md is current (node dist/checks/common/severityDoc.js)', () => {
  assert.equal(readFileSync(path.join(REPO_ROOT, SEVERITY_DOC_PATH), 'utf8'), renderSeverityDoc());
});
