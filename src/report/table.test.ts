import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable, renderTableChunks, printable } from './table.js';
import { diagnostic, finding, scanResult } from './testing/fixtures.js';

const ESCAPE = '\u001b';

test('an empty result prints only the summary line', () => {
  assert.equal(renderTable(scanResult(), { color: false }), 'Scanned 0 objects in 0 files: no findings, no diagnostics.\n');
  assert.equal(renderTable(scanResult([], [], { files: 3, objects: 1 }), { color: false }), 'Scanned 1 object in 3 files: no findings, no diagnostics.\n');
});

test('a diagnostics-only result prints diagnostics in file order, then the summary', () => {
  const output = renderTable(
    scanResult(
      [],
      [
        diagnostic({ file: 'b.yaml', line: 2, column: 1, code: 'not-kubernetes-object', message: 'document has no kind', severity: 'warning' }),
        diagnostic({ file: 'a.yaml', line: 9, column: 4 }),
        diagnostic({ file: 'missing.yaml', line: undefined, column: undefined, code: 'path-not-found', message: 'no such file or directory: missing.yaml' }),
        diagnostic({ file: 'a.yaml', line: 1, column: undefined, code: 'too-deep', message: 'nesting too deep' }),
      ],
      { files: 3, objects: 0 },
    ),
    { color: false },
  );
  assert.equal(
    output,
    [
      'a.yaml:1: error: nesting too deep [too-deep]',
      'a.yaml:9:4: error: unexpected end of the stream [yaml-syntax]',
      'b.yaml:2:1: warning: document has no kind [not-kubernetes-object]',
      'missing.yaml: error: no such file or directory: missing.yaml [path-not-found]',
      '',
      'Scanned 0 objects in 3 files: no findings, 4 diagnostics (3 errors, 1 warning).',
      '',
    ].join('\n'),
  );
});

test('findings are grouped by object, objects in file order, findings most severe first', () => {
  const findings = [
    finding({ file: 'b.yaml', object: { kind: 'Pod', namespace: 'tools', name: 'shell' }, checkId: 'TEST-b', severity: 'low', line: 8, message: 'low thing' }),
    finding({ file: 'a.yaml', documentIndex: 1, object: { kind: 'Deployment', namespace: 'shop', name: 'web' }, checkId: 'TEST-a', severity: 'medium', line: 30, message: 'medium thing' }),
    finding({ file: 'a.yaml', documentIndex: 0, object: { kind: 'ClusterRole', namespace: undefined, name: 'admin' }, checkId: 'TEST-rbac', severity: 'info', line: 3, message: 'info thing' }),
    finding({ file: 'a.yaml', documentIndex: 1, object: { kind: 'Deployment', namespace: 'shop', name: 'web' }, checkId: 'TEST-long-check-id', severity: 'critical', line: 40, message: 'critical thing' }),
    finding({ file: 'a.yaml', documentIndex: 1, object: { kind: 'Deployment', namespace: 'shop', name: 'web' }, checkId: 'TEST-a', severity: 'medium', line: 20, message: 'earlier medium thing' }),
  ];
  const output = renderTable(scanResult(findings, [], { objects: 4 }), { color: false });
  assert.equal(
    output,
    [
      'ClusterRole admin  a.yaml',
      '    INFO      TEST-rbac           info thing  a.yaml:3',
      '',
      'Deployment shop/web  a.yaml',
      '    CRITICAL  TEST-long-check-id  critical thing  a.yaml:40',
      '    MEDIUM    TEST-a              earlier medium thing  a.yaml:20',
      '    MEDIUM    TEST-a              medium thing  a.yaml:30',
      '',
      'Pod tools/shell  b.yaml',
      '    LOW       TEST-b              low thing  b.yaml:8',
      '',
      'Scanned 4 objects in 2 files: 5 findings (1 critical, 2 medium, 1 low, 1 info), no diagnostics.',
      '',
    ].join('\n'),
  );
});

test('two objects of one List document are two groups, ordered by where they start', () => {
  const findings = [
    finding({ file: 'list.yaml', object: { kind: 'Pod', namespace: 'a', name: 'second' }, line: 40 }),
    finding({ file: 'list.yaml', object: { kind: 'Pod', namespace: 'a', name: 'first' }, line: 12 }),
  ];
  const objects = [
    { object: { apiVersion: 'apps/v1', kind: 'Pod', namespace: 'a', name: 'first' }, location: { file: 'list.yaml', documentIndex: 0, line: 4, column: 5 } },
    { object: { apiVersion: 'apps/v1', kind: 'Pod', namespace: 'a', name: 'second' }, location: { file: 'list.yaml', documentIndex: 0, line: 30, column: 5 } },
    { object: { apiVersion: 'v1', kind: 'Service', namespace: 'a', name: 'clean' }, location: { file: 'list.yaml', documentIndex: 0, line: 50, column: 5 } },
  ];
  const lines = renderTable(scanResult(findings, [], { objects: 3 }), { color: false, objects }).split('\n');
  const headers = lines.filter((line) => line !== '' && !line.startsWith(' ') && !line.startsWith('Scanned'));
  // With the scanned objects known, headers name where each object starts; clean objects stay out of the table.
  assert.deepEqual(headers, ['Pod a/first  list.yaml:4', 'Pod a/second  list.yaml:30']);
});

test('the summary counts findings left out: suppressed by exceptions and, with a baseline, unchanged since it', () => {
  const result = scanResult([finding({ severity: 'critical' })], [], { objects: 1 });
  const exception = { source: 'config', checks: ['TEST-privileged'], reason: 'accepted', owner: 'platform', file: 'rampart.yaml', line: 2 } as const;
  const suppressed = [finding({ line: 20 }), finding({ line: 30 })].map((entry) => ({ finding: entry, exception }));
  const summary = (context: Parameters<typeof renderTable>[1]): string | undefined => renderTable(result, context).trimEnd().split('\n').at(-1);
  assert.equal(summary({ color: false, suppressed }), 'Scanned 1 object in 1 file: 1 finding (1 critical), 2 suppressed by exceptions, no diagnostics.');
  assert.equal(summary({ color: false, suppressed: [] }), 'Scanned 1 object in 1 file: 1 finding (1 critical), no diagnostics.', 'no suppressed findings, nothing said');
  assert.equal(
    summary({ color: false, suppressed, baseline: { file: 'old.json', unchanged: 7 } }),
    'Scanned 1 object in 1 file: 1 finding (1 critical), 2 suppressed by exceptions, 7 unchanged since the baseline, no diagnostics.',
  );
  assert.equal(
    summary({ color: false, baseline: { file: 'old.json', unchanged: 0 } }),
    'Scanned 1 object in 1 file: 1 finding (1 critical), 0 unchanged since the baseline, no diagnostics.',
    'with a baseline the count is always given',
  );
});

test('colour is plain ANSI and only when asked for', () => {
  const result = scanResult([finding({ severity: 'critical' })], [diagnostic()]);
  const plain = renderTable(result, { color: false });
  assert.ok(!plain.includes(ESCAPE), 'no escape codes without colour');
  const coloured = renderTable(result, { color: true });
  assert.ok(coloured.includes(`${ESCAPE}[1;31mCRITICAL${ESCAPE}[0m`), 'the severity tag is coloured');
  assert.ok(coloured.includes(`${ESCAPE}[1;31merror${ESCAPE}[0m`), 'the diagnostic severity is coloured');
  // Stripping the colour gives back the plain report, so colour changes nothing else.
  // eslint-disable-next-line no-control-regex
  assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ''), plain);
});

test('hostile names and messages cannot reach the terminal as control characters', () => {
  const hostile = finding({
    object: { kind: 'Pod', namespace: 'x\u001b[2Jy', name: 'evil\nname\u202e' },
    message: 'bad\r\u0007message\u009b31m',
    file: 'dir/\u001b]0;title\u0007.yaml',
  });
  const output = renderTable(scanResult([hostile], [diagnostic({ message: 'line1\nline2\u001b[0m' })]), { color: false });
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(output.replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f\u202e]/);
  assert.ok(output.includes('Pod x\\u001b[2Jy/evil\\nname\\u202e'));
  assert.ok(output.includes('bad\\r\\u0007message\\u009b31m'));
  assert.ok(output.includes('line1\\nline2\\u001b[0m'));
  assert.equal(output.split('\n').length, 7, 'one header, one finding, a blank, one diagnostic, a blank, the summary, the final newline');
});

test('printable leaves ordinary text, including non-ASCII, alone', () => {
  assert.equal(printable('container "café" must set runAsNonRoot=true — 日本'), 'container "café" must set runAsNonRoot=true — 日本');
});

test('a scan with more findings than a function call takes arguments still renders', () => {
  const many = new Array<ReturnType<typeof finding>>(150_000).fill(finding());
  const output = renderTable(scanResult(many, [], { files: 1, objects: 1 }), { color: false });
  assert.ok(output.endsWith('Scanned 1 object in 1 file: 150000 findings (150000 high), no diagnostics.\n'));
});

test('the table streams one piece per object with findings, then one with the diagnostics and summary', () => {
  const findings = [
    finding({ file: 'a.yaml', documentIndex: 0, object: { kind: 'Pod', namespace: 'shop', name: 'one' }, checkId: 'TEST-a', severity: 'high', line: 3, message: 'first' }),
    finding({ file: 'a.yaml', documentIndex: 0, object: { kind: 'Pod', namespace: 'shop', name: 'one' }, checkId: 'TEST-b', severity: 'low', line: 5, message: 'second' }),
    finding({ file: 'b.yaml', documentIndex: 0, object: { kind: 'Pod', namespace: 'shop', name: 'two' }, checkId: 'TEST-a', severity: 'high', line: 4, message: 'third' }),
  ];
  const result = scanResult(findings, [diagnostic({ file: 'c.yaml', line: 2, message: 'broken' })], { objects: 3 });
  const chunks = [...renderTableChunks(result, { color: false })];
  assert.equal(chunks.length, 3);
  assert.match(chunks[0]!, /^Pod shop\/one[^\n]*\n {4}HIGH[^\n]*first[^\n]*\n {4}LOW[^\n]*second[^\n]*\n\n$/);
  assert.match(chunks[1]!, /^Pod shop\/two[^\n]*\n {4}HIGH[^\n]*third[^\n]*\n\n$/);
  assert.match(chunks[2]!, /broken[^\n]*\n\nScanned 3 objects/);
  assert.equal(chunks.join(''), renderTable(result, { color: false }));
});
