import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { allCheckMetas } from '../checks/index.js';
import { DOCS_BASE, type CheckMeta } from '../checks/types.js';
import { REPO_ROOT } from '../testing/paths.js';
import { CATALOGUE_PATH, checkAnchor, githubHeadingSlug, renderCheckCatalogue } from './generateChecks.js';

function meta(spec: Partial<CheckMeta> & { id: string }): CheckMeta {
  return {
    title: `Title of ${spec.id}`,
    severity: 'medium',
    category: 'pod-security',
    description: `What ${spec.id} looks for.`,
    remediation: `How to fix ${spec.id}.`,
    frameworks: [],
    documentation: `${DOCS_BASE}#${spec.id.toLowerCase()}`,
    ...spec,
  };
}

/** Anchors a reader can link to in the rendered page: explicit ones and the ones GitHub derives from headings. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(match[1] ?? '');
  for (const match of markdown.matchAll(/^#{1,6} (.+)$/gm)) anchors.add(githubHeadingSlug((match[1] ?? '').replace(/\\(.)/g, '$1')));
  return anchors;
}

test('the committed docs/checks.md is up to date with the check metadata (run `npm run docs:checks`)', () => {
  const committed = readFileSync(path.join(REPO_ROOT, CATALOGUE_PATH), 'utf8');
  assert.equal(committed, renderCheckCatalogue(allCheckMetas()), 'docs/checks.md is stale: run `npm run docs:checks` and commit the result');
});

test('every check documentation link lands on an anchor of the catalogue', () => {
  const markdown = renderCheckCatalogue(allCheckMetas());
  const anchors = anchorsOf(markdown);
  for (const check of allCheckMetas()) {
    assert.ok(anchors.has(checkAnchor(check.id)), `${check.id} has the anchor #${checkAnchor(check.id)}`);
    if (check.documentation.startsWith(`${DOCS_BASE}#`)) {
      assert.ok(anchors.has(check.documentation.slice(DOCS_BASE.length + 1)), `${check.id}: ${check.documentation} points into the catalogue`);
    }
  }
});

test('the catalogue groups checks by category, with a table of contents, in registry order', () => {
  const metas = [
    meta({ id: 'PSS-privileged', title: 'Privileged containers', severity: 'critical', frameworks: [{ framework: 'PSS', id: 'privileged', level: 'baseline' }, { framework: 'MITRE-ATTACK', id: 'T1611' }] }),
    meta({ id: 'NET-default-deny', category: 'network', severity: 'low', title: 'Namespace | without default deny' }),
    meta({ id: 'PSS-runAsNonRoot', severity: 'high', frameworks: [{ framework: 'CIS', id: '5.2.6' }] }),
    meta({ id: 'CIS-1.2.3', category: 'control-plane_config', frameworks: [{ framework: 'CIS', id: '1.2.3' }] }),
  ];
  const markdown = renderCheckCatalogue(metas);
  const headings = [...markdown.matchAll(/^(#{1,3}) (.+)$/gm)].map((match) => `${match[1]} ${match[2]}`);
  assert.deepEqual(headings, [
    '# Check catalogue',
    '## Contents',
    '## Pod security',
    '### PSS-privileged',
    '### PSS-runAsNonRoot',
    '## Network',
    '### NET-default-deny',
    '## Control plane config',
    '### CIS-1.2.3',
  ]);
  assert.ok(markdown.includes('- [Pod security](#pod-security)\n  - [PSS-privileged](#pss-privileged): Privileged containers (critical)\n  - [PSS-runAsNonRoot](#pss-runasnonroot)'));
  assert.ok(markdown.includes('  - [NET-default-deny](#net-default-deny): Namespace \\| without default deny (low)'));
  // GitHub drops the dots from the heading anchor, so the documented anchor is written out.
  assert.ok(markdown.includes('<a id="cis-1.2.3"></a>\n\n### CIS-1.2.3'));
  assert.ok(!markdown.includes('<a id="pss-privileged">'), 'no explicit anchor where the heading gives the right one');
  assert.ok(markdown.includes('| Severity | critical |'));
  assert.ok(markdown.includes('| Frameworks | Pod Security Standards: `privileged` (baseline)<br>MITRE ATT&CK: [T1611](https://attack.mitre.org/techniques/T1611/) |'));
  assert.ok(markdown.includes('| Frameworks | none |'));
  assert.ok(markdown.includes('What PSS-runAsNonRoot looks for.\n\n**Remediation.** How to fix PSS-runAsNonRoot.'));
  const anchors = anchorsOf(markdown);
  for (const entry of metas) assert.ok(anchors.has(checkAnchor(entry.id)), entry.id);
});

test('an empty catalogue says so', () => {
  assert.match(renderCheckCatalogue([]), /No checks are registered\.\n$/);
});

test('GitHub heading slugs', () => {
  assert.equal(githubHeadingSlug('PSS-procMount_restricted'), 'pss-procmount_restricted');
  assert.equal(githubHeadingSlug('CIS-1.2.3'), 'cis-123');
  assert.equal(githubHeadingSlug('Pod security'), 'pod-security');
});

test('the generator script writes the catalogue only when run as a script', () => {
  // Importing the module (as this test does) must not write; running it prints what it wrote.
  const script = path.join(REPO_ROOT, 'dist', 'docs', 'generateChecks.js');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(script)}); console.log('imported');`], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(result.stdout, 'imported\n', result.stderr);
});
