/**
 * Bad and hostile input, end to end: the real CLI on the files of
 * test/fixtures/bad-input/. Every bad file or document gives exactly the
 * diagnostics listed here (code, file, document, line, column), the good
 * documents beside it are still scanned, nothing prints a stack trace, and the
 * exit code follows the rule in src/cli/scan.ts: 2 when a diagnostic of
 * severity error means part of the input was not judged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, FIXTURES, REPO_ROOT } from '../testing/paths.js';
import { loadText } from './load.js';
import { tempDir } from '../testing/tempDir.js';

const BAD_INPUT = path.join(FIXTURES, 'bad-input');
const relative = (file: string): string => path.relative(REPO_ROOT, path.join(BAD_INPUT, file));

interface Report {
  findings: Array<{ checkId: string; object: { name: string }; location: { file: string; line: number; column: number } }>;
  diagnostics: Array<{ severity: string; code: string; message: string; file: string; documentIndex?: number; line?: number; column?: number }>;
  summary: { files: number; objects: number };
}

function scan(args: string[]): { status: number | null; report: Report; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'scan', ...args, '--format', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  return { status: result.status, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

/** [file, code, documentIndex, line, column] of every diagnostic, in report order. */
const EXPECTED: Array<[string, string, number | undefined, number, number]> = [
  ['anchors-and-tags.yaml', 'yaml-warning', 1, 21, 11],
  ['array.json', 'top-level-list', 0, 1, 1],
  ['billion-laughs.yaml', 'alias-limit', 0, 2, 1],
  ['binary.yaml', 'not-text', undefined, 1, 2],
  ['broken.json', 'yaml-syntax', 0, 5, 27],
  ['broken.json', 'yaml-syntax', 0, 7, 1],
  ['comments-only.yaml', 'no-documents', undefined, 1, 1],
  ['deep-after-error.yaml', 'yaml-syntax', 0, 6, 1],
  ['deep-block.yaml', 'too-deep', 0, 7, 517],
  ['deep-flow.yaml', 'too-deep', 0, 6, 262],
  ['duplicate-keys.yaml', 'duplicate-key', 0, 12, 9],
  ['empty.yaml', 'no-documents', undefined, 1, 1],
  ['latin1.yaml', 'not-text', undefined, 4, 12],
  ['list-mixed.yaml', 'not-kubernetes-object', 0, 14, 5],
  ['list-mixed.yaml', 'not-kubernetes-object', 0, 15, 5],
  ['list-mixed.yaml', 'invalid-field', 2, 36, 1],
  ['list-mixed.yaml', 'invalid-field', 0, 22, 5],
  ['list.json', 'not-kubernetes-object', 0, 21, 5],
  ['list.json', 'not-kubernetes-object', 0, 22, 5],
  ['malformed.yaml', 'yaml-syntax', 1, 19, 3],
  ['not-kubernetes.yaml', 'not-kubernetes-object', 0, 2, 1],
  ['not-kubernetes.yaml', 'not-kubernetes-object', 1, 4, 1],
  ['not-kubernetes.yaml', 'not-kubernetes-object', 2, 8, 1],
  ['nul-byte.yaml', 'not-text', undefined, 3, 19],
  ['tabs.yaml', 'yaml-syntax', 0, 6, 1],
  ['wrong-types.yaml', 'invalid-field', 3, 30, 1],
  ['wrong-types.yaml', 'invalid-field', 0, 10, 7],
  ['wrong-types.yaml', 'invalid-field', 1, 16, 1],
  ['wrong-types.yaml', 'invalid-field', 2, 26, 7],
  ['unknown-kind.yaml', 'unknown-kind', 0, 3, 1],
];

test('every bad file gives its diagnostics at the right place, and the good documents are still scanned', () => {
  const files = readdirSync(BAD_INPUT).filter((name) => /\.(ya?ml|json)$/.test(name));
  const { status, report } = scan(files.map(relative));
  assert.deepEqual(
    report.diagnostics.map((diagnostic) => [path.basename(diagnostic.file), diagnostic.code, diagnostic.documentIndex, diagnostic.line, diagnostic.column]),
    EXPECTED,
  );
  for (const diagnostic of report.diagnostics) assert.notEqual(diagnostic.code, 'internal-error');
  // Errors mean part of the input was not judged: exit 2, even though findings alone would give 1.
  assert.equal(status, 2);
  assert.equal(report.summary.files, files.length);
  // anchors-and-tags 2, array 2, bom-crlf 1, duplicate-keys 1, list-mixed 3, list.json 1, long-line 1,
  // malformed 2, markers 2, pod.json 1, unknown-kind 1, utf16 1, wrong-types 3 (the Service is skipped).
  assert.equal(report.summary.objects, 21);
  const judged = new Set(report.findings.map((finding) => finding.object.name));
  for (const name of [
    'before-the-error', // malformed.yaml: the documents around the broken one
    'after-the-error',
    'repeated-key', // duplicate-keys.yaml: judged on the last value
    'list-good', // list-mixed.yaml: good items of a List with bad ones
    'podlist-item',
    'list-item-0', // list.json
    'array-item-0', // array.json: a top-level array's items
    'array-item-1',
    'json-pod',
    'bom-crlf',
    'utf16',
    'merged', // anchors-and-tags.yaml: the careful path
    'flow-on-marker', // markers.yaml
    'after-comments',
    'containers-is-a-string', // wrong-types.yaml: the rest of a pod with a bad field
    'security-context-is-a-string',
  ]) {
    assert.ok(judged.has(name), `${name} was scanned`);
  }
});

test('a repeated key is judged on its last value, at the last occurrence, as the API server keeps it', () => {
  const { report } = scan([relative('duplicate-keys.yaml')]);
  const privileged = report.findings.find((finding) => finding.checkId === 'PSS-privileged');
  assert.ok(privileged);
  assert.equal(privileged.location.line, 12);
  assert.match(report.diagnostics[0]?.message ?? '', /key "privileged" repeats the one on line 11/);
});

test('positions survive a byte order mark, CRLF line endings and UTF-16', () => {
  const { report } = scan([relative('bom-crlf.yaml'), relative('utf16.yaml')]);
  const at = (name: string, checkId: string): string | undefined => {
    const finding = report.findings.find((candidate) => candidate.object.name === name && candidate.checkId === checkId);
    return finding === undefined ? undefined : `${finding.location.line}:${finding.location.column}`;
  };
  assert.equal(at('bom-crlf', 'PSS-privileged'), '10:9');
  assert.equal(at('utf16', 'PSS-hostNamespaces'), '6:3');
});

test('limits from the config file are enforced with a message naming the limit, and the rest is scanned', () => {
  const limits = path.join(BAD_INPUT, 'limits');
  const { status, report } = scan([
    relative('limits/large-file.yaml'),
    relative('limits/large-document.yaml'),
    relative('limits/deep.yaml'),
    '--config',
    path.relative(REPO_ROOT, path.join(limits, 'rampart.yaml')),
  ]);
  assert.equal(status, 2);
  assert.deepEqual(
    report.diagnostics.map((diagnostic) => [path.basename(diagnostic.file), diagnostic.code, diagnostic.documentIndex, diagnostic.line, diagnostic.column]),
    [
      ['large-file.yaml', 'file-too-large', undefined, 1, 1],
      ['large-document.yaml', 'document-too-large', 1, 7, 1],
      ['deep.yaml', 'too-deep', 0, 14, 19],
    ],
  );
  const messages = report.diagnostics.map((diagnostic) => diagnostic.message);
  assert.match(messages[0] ?? '', /limits\.maxFileBytes/);
  assert.match(messages[1] ?? '', /limits\.maxDocumentBytes/);
  assert.match(messages[2] ?? '', /limits\.maxDepth/);
  assert.deepEqual([...new Set(report.findings.map((finding) => finding.object.name))].sort(), ['shallow', 'small-after', 'small-before']);
});

test('a file over the default size limit is refused before it is read', () => {
  const directory = tempDir('rampart-limits-');
  const huge = path.join(directory, 'huge.yaml');
  writeFileSync(huge, 'apiVersion: v1\n');
  truncateSync(huge, 40 * 1024 * 1024); // sparse: nothing is written
  const { status, report } = scan([huge]);
  rmSync(directory, { recursive: true, force: true });
  assert.equal(status, 2);
  assert.equal(report.diagnostics[0]?.code, 'file-too-large');
  assert.match(report.diagnostics[0]?.message ?? '', /larger than the limit of 33554432 bytes \(limits\.maxFileBytes/);
});

test('exit codes: 2 for a missing path, 0 when there are only warnings and no findings, 1 for findings alone', () => {
  const missing = scan(['no/such/path.yaml']);
  assert.equal(missing.status, 2);
  assert.equal(missing.report.diagnostics[0]?.code, 'path-not-found');
  const warningsOnly = scan([relative('not-kubernetes.yaml'), relative('empty.yaml'), relative('comments-only.yaml')]);
  assert.equal(warningsOnly.status, 0);
  assert.ok(warningsOnly.report.diagnostics.every((diagnostic) => diagnostic.severity === 'warning'));
  const findingsOnly = scan([relative('markers.yaml')]);
  assert.deepEqual(findingsOnly.report.diagnostics, []);
  assert.equal(findingsOnly.status, 1);
});

test('hostile documents are rejected quickly (generous bound; the measured times are in BENCHMARKS.md)', () => {
  for (const [file, code] of [
    ['billion-laughs.yaml', 'alias-limit'],
    ['deep-block.yaml', 'too-deep'],
    ['deep-flow.yaml', 'too-deep'],
    ['deep-after-error.yaml', 'yaml-syntax'],
  ] as const) {
    const text = readFileSync(path.join(BAD_INPUT, file), 'utf8');
    // CPU time, not wall time: other processes on a loaded machine do not count against the bound.
    const started = process.cpuUsage();
    const batch = loadText(text, file);
    const used = process.cpuUsage(started);
    const elapsed = (used.user + used.system) / 1000;
    assert.deepEqual(
      batch.diagnostics.map((diagnostic) => diagnostic.code),
      [code],
      file,
    );
    assert.ok(elapsed < 2000, `${file} took ${elapsed.toFixed(0)} ms of CPU`);
  }
});
