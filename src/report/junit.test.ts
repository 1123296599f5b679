import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import type { JsonReport } from './json.js';
import { CLEAN_OBJECT_TESTCASE, escapeAttribute, escapeText, renderJunit, renderJunitChunks } from './junit.js';
import type { ScannedObject } from './objects.js';
import { diagnostic, finding, scanResult, TOOL } from './testing/fixtures.js';
import { descendants, parseXml, type XmlElement } from './testing/xml.js';

function suitesOf(root: XmlElement): XmlElement[] {
  assert.equal(root.name, 'testsuites');
  return root.children.filter((child) => child.name === 'testsuite');
}

/** The counts a suite declares must be the counts of what it contains. */
function assertCountsAgree(root: XmlElement): void {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const suite of suitesOf(root)) {
    const cases = suite.children.filter((child) => child.name === 'testcase');
    const suiteFailures = cases.filter((testcase) => testcase.children.some((child) => child.name === 'failure')).length;
    const suiteErrors = cases.filter((testcase) => testcase.children.some((child) => child.name === 'error')).length;
    assert.equal(suite.attributes.tests, String(cases.length), `tests of ${suite.attributes.name}`);
    assert.equal(suite.attributes.failures, String(suiteFailures), `failures of ${suite.attributes.name}`);
    assert.equal(suite.attributes.errors, String(suiteErrors), `errors of ${suite.attributes.name}`);
    tests += cases.length;
    failures += suiteFailures;
    errors += suiteErrors;
  }
  assert.equal(root.attributes.tests, String(tests));
  assert.equal(root.attributes.failures, String(failures));
  assert.equal(root.attributes.errors, String(errors));
}

function cases(root: XmlElement): Array<{ suite: string; classname: string; name: string; outcome: 'passed' | 'failure' | 'error' }> {
  return suitesOf(root).flatMap((suite) =>
    suite.children
      .filter((child) => child.name === 'testcase')
      .map((testcase) => ({
        suite: suite.attributes.name ?? '',
        classname: testcase.attributes.classname ?? '',
        name: testcase.attributes.name ?? '',
        outcome: testcase.children.some((child) => child.name === 'failure') ? 'failure' : testcase.children.some((child) => child.name === 'error') ? 'error' : 'passed',
      })),
  );
}

test('an empty result is an empty, well-formed report', () => {
  const root = parseXml(renderJunit(scanResult(), { tool: TOOL }));
  assert.deepEqual(root.attributes, { name: 'rampart', tests: '0', failures: '0', errors: '0' });
  assert.deepEqual(root.children, []);
});

test('one suite per file, one testcase per object and check, failures carry message and file:line', () => {
  const findings = [
    finding({ file: 'b.yaml', object: { kind: 'Pod', namespace: 'tools', name: 'shell' }, checkId: 'TEST-hostPID', severity: 'high', line: 7, message: 'pod must not set hostPID=true' }),
    finding({ file: 'a.yaml', checkId: 'TEST-privileged', severity: 'critical', line: 21, message: 'container "app" must not set securityContext.privileged=true' }),
    finding({ file: 'a.yaml', checkId: 'TEST-privileged', severity: 'critical', line: 30, message: 'container "sidecar" must not set securityContext.privileged=true' }),
    finding({ file: 'a.yaml', checkId: 'TEST-caps', severity: 'medium', line: 25, message: 'container "app" must drop ALL capabilities' }),
    finding({ file: 'a.yaml', documentIndex: 1, object: { kind: 'ClusterRole', namespace: undefined, name: 'wide' }, checkId: 'TEST-rbac', severity: 'low', line: 40 }),
  ];
  const root = parseXml(renderJunit(scanResult(findings), { tool: TOOL }));
  assertCountsAgree(root);
  assert.deepEqual(cases(root), [
    { suite: 'a.yaml', classname: 'Deployment/shop/api', name: 'TEST-caps', outcome: 'failure' },
    { suite: 'a.yaml', classname: 'Deployment/shop/api', name: 'TEST-privileged', outcome: 'failure' },
    { suite: 'a.yaml', classname: 'ClusterRole/wide', name: 'TEST-rbac', outcome: 'failure' },
    { suite: 'b.yaml', classname: 'Pod/tools/shell', name: 'TEST-hostPID', outcome: 'failure' },
  ]);
  const privileged = descendants(root, 'testcase').find((testcase) => testcase.attributes.name === 'TEST-privileged');
  const failure = privileged?.children.find((child) => child.name === 'failure');
  assert.ok(failure);
  assert.equal(failure.attributes.message, 'container "app" must not set securityContext.privileged=true (and 1 more)');
  assert.equal(failure.attributes.type, 'critical');
  assert.equal(
    failure.text,
    [
      'TEST-privileged (critical): Privileged containers',
      'a.yaml:21: container "app" must not set securityContext.privileged=true',
      'a.yaml:30: container "sidecar" must not set securityContext.privileged=true',
    ].join('\n'),
  );
  assert.equal(privileged?.attributes.file, 'a.yaml');
});

test('clean objects are passing testcases: one per check that judged them, or one when that is unknown', () => {
  const objects: ScannedObject[] = [
    { object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' }, location: { file: 'a.yaml', documentIndex: 0, line: 1, column: 1 }, checks: ['TEST-privileged', 'TEST-caps'] },
    { object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }, location: { file: 'a.yaml', documentIndex: 1, line: 40, column: 1 }, checks: ['TEST-privileged', 'TEST-caps'] },
    { object: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' }, location: { file: 'c.yaml', documentIndex: 0, line: 1, column: 1 }, checks: [] },
    { object: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'api' }, location: { file: 'c.yaml', documentIndex: 1, line: 9, column: 1 } },
  ];
  const findings = [finding({ file: 'a.yaml', checkId: 'TEST-privileged', line: 20 })];
  const root = parseXml(renderJunit(scanResult(findings, [], { objects: 4 }), { tool: TOOL, objects }));
  assertCountsAgree(root);
  assert.deepEqual(cases(root), [
    { suite: 'a.yaml', classname: 'Deployment/shop/api', name: 'TEST-caps', outcome: 'passed' },
    { suite: 'a.yaml', classname: 'Deployment/shop/api', name: 'TEST-privileged', outcome: 'failure' },
    { suite: 'a.yaml', classname: 'Deployment/shop/web', name: 'TEST-caps', outcome: 'passed' },
    { suite: 'a.yaml', classname: 'Deployment/shop/web', name: 'TEST-privileged', outcome: 'passed' },
    { suite: 'c.yaml', classname: 'ConfigMap/shop/settings', name: CLEAN_OBJECT_TESTCASE, outcome: 'passed' },
    { suite: 'c.yaml', classname: 'Service/shop/api', name: CLEAN_OBJECT_TESTCASE, outcome: 'passed' },
  ]);
  assert.equal(root.attributes.tests, '6');
  assert.equal(root.attributes.failures, '1');
});

test('a diagnostics-only result: errors are error testcases, warnings go to system-err', () => {
  const diagnostics = [
    diagnostic({ file: 'broken.yaml', line: 3, column: 7 }),
    diagnostic({ file: 'broken.yaml', severity: 'warning', code: 'not-kubernetes-object', message: 'document 2 has no kind', line: 12, column: 1 }),
    diagnostic({ file: 'gone.yaml', code: 'path-not-found', message: 'no such file or directory: gone.yaml', line: undefined, column: undefined }),
  ];
  const root = parseXml(renderJunit(scanResult([], diagnostics), { tool: TOOL }));
  assertCountsAgree(root);
  assert.deepEqual(cases(root), [
    { suite: 'broken.yaml', classname: 'broken.yaml', name: 'yaml-syntax', outcome: 'error' },
    { suite: 'gone.yaml', classname: 'gone.yaml', name: 'path-not-found', outcome: 'error' },
  ]);
  const [broken] = suitesOf(root);
  const error = descendants(root, 'error')[0];
  assert.equal(error?.attributes.message, 'unexpected end of the stream');
  assert.equal(error?.text, 'broken.yaml:3:7: error: unexpected end of the stream [yaml-syntax]');
  assert.equal(broken?.children.find((child) => child.name === 'system-err')?.text, 'broken.yaml:12:1: warning: document 2 has no kind [not-kubernetes-object]');
});

test('hostile strings are escaped and survive a strict parse', () => {
  const hostile = 'a<b & c>"d\' ]]> \u0001\u0008\u000b\u001f\ttab\r\nnew \uFFFE \uD800 <![CDATA[x]]> &amp;';
  const findings = [finding({ object: { kind: 'Pod', namespace: `ns${hostile}`, name: `name${hostile}` }, message: `msg${hostile}`, title: `title${hostile}`, checkId: `TEST-${hostile}`, file: `dir/${hostile}.yaml` })];
  const diagnostics = [diagnostic({ message: `diag${hostile}`, file: `dir/${hostile}.yaml`, severity: 'warning' })];
  const xml = renderJunit(scanResult(findings, diagnostics), { tool: { name: `rampart${hostile}`, version: '1' } });
  const root = parseXml(xml);
  assertCountsAgree(root);
  // What XML cannot carry at all becomes a visible escape; everything else comes back exactly.
  const carried = (text: string): string =>
    [...'\u0001\u0008\u000b\u001f\uFFFE\uD800'].reduce((out, character) => out.replaceAll(character, `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`), text);
  const [testcase] = descendants(root, 'testcase');
  assert.equal(root.attributes.name, carried(`rampart${hostile}`));
  assert.equal(testcase?.attributes.classname, carried(`Pod/ns${hostile}/name${hostile}`));
  assert.equal(testcase?.attributes.name, carried(`TEST-${hostile}`));
  const failure = descendants(root, 'failure')[0];
  assert.equal(failure?.attributes.message, carried(`msg${hostile}`));
  assert.ok(failure?.text.includes(carried(`msg${hostile}`)), 'the body keeps the message, carriage return included');
  assert.equal(descendants(root, 'system-err')[0]?.text.includes(carried(`diag${hostile}`)), true);
  assert.ok(!xml.includes(']]>'), 'no raw ]]> anywhere');
});

test('escaping functions cover the XML special characters', () => {
  assert.equal(escapeText('<a & b> ]]>'), '&lt;a &amp; b&gt; ]]&gt;');
  assert.equal(escapeAttribute('"\'\t\n\r<&>'), '&quot;&apos;&#9;&#10;&#13;&lt;&amp;&gt;');
  assert.equal(escapeText('\u0000'), '\\u0000');
  assert.equal(escapeText('emoji 🙂 ok'), 'emoji 🙂 ok', 'astral characters are allowed as they are');
});

test('the XML reader used here rejects what a conforming parser rejects', () => {
  assert.throws(() => parseXml('<a>x & y</a>'));
  assert.throws(() => parseXml('<a b="<"/>'));
  assert.throws(() => parseXml('<a>]]></a>'));
  assert.throws(() => parseXml('<a>\u0001</a>'));
  assert.throws(() => parseXml('<a></b>'));
  assert.throws(() => parseXml('<a x="1" x="2"/>'));
  assert.throws(() => parseXml('<a/><b/>'));
  assert.equal(parseXml('<a t="&#10;&lt;">&amp;&#x41;</a>').text, '&A');
});

test('a real scan of the demo shop: one failing testcase per object and check with findings', () => {
  const run = (format: string): string => spawnSync(process.execPath, [CLI, 'scan', 'examples/demo-shop', '--format', format], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
  const root = parseXml(run('junit'));
  assertCountsAgree(root);
  const json = JSON.parse(run('json')) as JsonReport;
  const failing = new Set(json.findings.map((entry) => JSON.stringify([entry.location.file, entry.object.kind, entry.object.namespace, entry.object.name, entry.checkId])));
  assert.equal(root.attributes.failures, String(failing.size));
  assert.equal(root.attributes.errors, String(json.diagnostics.filter((entry) => entry.severity === 'error').length));
  for (const testcase of cases(root).filter((entry) => entry.outcome === 'failure')) {
    assert.ok(json.findings.some((entry) => entry.location.file === testcase.suite && entry.checkId === testcase.name), `${testcase.classname} ${testcase.name} has a finding`);
  }
});

test('a scan with more findings than a function call takes arguments still renders', () => {
  const many = new Array<ReturnType<typeof finding>>(150_000).fill(finding());
  const root = parseXml(renderJunit(scanResult(many, [], { files: 1, objects: 1 }), { tool: TOOL }));
  assert.equal(root.attributes.failures, '1', 'one object, one check: one failing testcase');
});

test('one file with 200,000 failing objects (a whole cluster in one suite) renders, in pieces that join to the whole report', () => {
  const objects = 200_000;
  const findings = Array.from({ length: objects }, (_, index) => finding({ object: { name: `pod-${index}` }, documentIndex: index }));
  const result = scanResult(findings, [], { files: 1, objects });
  const chunks = [...renderJunitChunks(result, { tool: TOOL })];
  assert.ok(chunks.length >= objects / 2_000, `written in pieces (${chunks.length})`);
  const text = chunks.join('');
  assert.equal(text, renderJunit(result, { tool: TOOL }));
  assert.match(text.slice(0, 300), /<testsuites name="[^"]*" tests="200000" failures="200000" errors="0">/);
  assert.equal(text.split('<testcase ').length - 1, objects);
  assert.ok(text.endsWith('  </testsuite>\n</testsuites>\n'));
});
