import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FIXTURES } from '../testing/paths.js';
import { DEFAULT_LIMITS } from './limits.js';
import { comparePositions } from './positionDifferences.js';
import { parseYamlFile, type ParsedFile } from './yamlDocuments.js';

const POSITIONS = path.join(FIXTURES, 'positions');

type Path = 'quick' | 'js-yaml' | 'careful';

/** `quick`: the default (quick reader, then js-yaml, then the careful path); `js-yaml`: without the quick reader; `careful`: the careful path only. */
function parse(text: string, path: Path = 'quick'): ParsedFile {
  return parseYamlFile(text, 'test.yaml', DEFAULT_LIMITS, { careful: path === 'careful', quick: path !== 'js-yaml' });
}

function at(parsed: ParsedFile, documentIndex: number, fieldPath: ReadonlyArray<string | number>): string {
  const document = parsed.documents.find((candidate) => candidate.index === documentIndex);
  assert.ok(document, `document ${documentIndex}`);
  const position = document.positions.locate(fieldPath);
  return `${position.line}:${position.column}${position.exact ? '' : ' (inexact)'}`;
}

/** Every path agrees with the yaml AST on every key and item, and they all read the same values. */
function assertPathsAgree(text: string, label: string): void {
  const readings = (['quick', 'js-yaml', 'careful'] as const).map((path) => [path, parse(text, path)] as const);
  const careful = parse(text, 'careful');
  for (const [path, parsed] of readings) {
    const comparison = comparePositions(text, parsed, `${label} (${path})`);
    assert.deepEqual(comparison.differences, [], `${label}, ${path}`);
    assert.deepEqual(
      parsed.documents.map((document) => [document.index, document.value]),
      careful.documents.map((document) => [document.index, document.value]),
      `${label}: ${path} reads the values the careful path reads`,
    );
  }
}

for (const name of ['list', 'flow', 'multi-document', 'after-syntax-error', 'block-scalars']) {
  test(`positions in test/fixtures/positions/${name}.yaml agree with the yaml AST on every path`, () => {
    assertPathsAgree(readFileSync(path.join(POSITIONS, `${name}.yaml`), 'utf8'), name);
  });
}

test('List items: positions of fields inside items, block and indented', () => {
  const parsed = parse(readFileSync(path.join(POSITIONS, 'list.yaml'), 'utf8'));
  assert.equal(parsed.documents[0]?.parser, 'quick');
  assert.equal(at(parsed, 0, ['items', 0]), '4:3');
  assert.equal(at(parsed, 0, ['items', 0, 'metadata', 'name']), '6:14');
  assert.equal(at(parsed, 0, ['items', 0, 'spec', 'containers', 0, 'image']), '10:7');
  assert.equal(at(parsed, 0, ['items', 1]), '11:5');
  assert.equal(at(parsed, 0, ['items', 1, 'metadata', 'name']), '14:7');
  assert.equal(at(parsed, 0, ['items', 1, 'spec', 'containers', 0, 'securityContext', 'privileged']), '19:13');
  // A path that goes past what exists answers with its deepest existing ancestor.
  assert.equal(at(parsed, 0, ['items', 1, 'spec', 'containers', 0, 'securityContext', 'runAsUser']), '18:11 (inexact)');
  assert.equal(at(parsed, 0, ['items', 7]), '3:1 (inexact)');
});

test('flow mappings and sequences, across lines', () => {
  const parsed = parse(readFileSync(path.join(POSITIONS, 'flow.yaml'), 'utf8'));
  assert.equal(at(parsed, 0, ['metadata', 'labels', 'tier']), '3:43');
  assert.equal(at(parsed, 0, ['spec', 'containers', 0, 'ports', 1, 'containerPort']), '5:70');
  assert.equal(at(parsed, 0, ['spec', 'containers', 1]), '6:5');
  assert.equal(at(parsed, 0, ['spec', 'containers', 1, 'securityContext', 'privileged']), '8:8');
  assert.equal(at(parsed, 0, ['spec', 'containers', 1, 'securityContext', 'capabilities', 'add', 1]), '9:40');
});

test('multi-document files: comments before documents, content on the marker line, empty documents', () => {
  const parsed = parse(readFileSync(path.join(POSITIONS, 'multi-document.yaml'), 'utf8'));
  // Documents 3 and 4 are empty (`---` alone, `---` then `...`) but still count, as they do for the yaml package.
  assert.equal(parsed.documentCount, 6);
  assert.deepEqual(
    parsed.documents.map((document) => document.index),
    [0, 1, 2, 5],
  );
  assert.equal(at(parsed, 0, []), '4:1');
  assert.equal(at(parsed, 0, ['metadata', 'name']), '7:3');
  assert.equal(at(parsed, 1, []), '8:5');
  assert.equal(at(parsed, 1, ['metadata', 'name']), '8:50');
  assert.equal(at(parsed, 2, []), '12:1');
  assert.equal(at(parsed, 2, ['metadata', 'name']), '15:3');
  assert.equal(at(parsed, 5, ['kind']), '21:1');
});

test('documents after a syntax error keep their positions; the anchored one goes to the careful path', () => {
  const parsed = parse(readFileSync(path.join(POSITIONS, 'after-syntax-error.yaml'), 'utf8'));
  assert.deepEqual(
    parsed.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.documentIndex, diagnostic.line, diagnostic.column]),
    [['yaml-syntax', 1, 11, 1]],
  );
  assert.deepEqual(
    parsed.documents.map((document) => [document.index, document.parser]),
    [
      [0, 'quick'],
      [2, 'quick'],
      [3, 'yaml'],
    ],
  );
  assert.equal(at(parsed, 2, ['metadata', 'name']), '16:3');
  assert.equal(at(parsed, 2, ['spec', 'containers', 0, 'name']), '19:7');
  assert.equal(at(parsed, 3, ['metadata', 'labels', 'app']), '26:5');
  assert.deepEqual((parsed.documents[2]?.value as { metadata: unknown }).metadata, { name: 'anchored', labels: { app: 'anchored' } });
});

test('block scalars: the keys after them, and their content is not read as structure', () => {
  const parsed = parse(readFileSync(path.join(POSITIONS, 'block-scalars.yaml'), 'utf8'));
  assert.equal(at(parsed, 0, ['data', 'literal']), '6:3');
  assert.equal(at(parsed, 0, ['data', 'folded']), '11:3');
  assert.equal(at(parsed, 0, ['data', 'keep']), '14:3');
  assert.equal(at(parsed, 0, ['data', 'indented']), '17:3');
  assert.equal(at(parsed, 0, ['data', 'after']), '19:3');
  assert.equal(at(parsed, 0, ['binaryData', 'empty']), '21:3');
  const data = (parsed.documents[0]?.value as { data: Record<string, string> }).data;
  assert.equal(data.literal, '#!/bin/sh\necho "key: value"\n\n- not a list item\n');
  assert.equal(data.folded, 'one two');
  assert.equal(data.keep, 'kept\n\n');
  assert.equal(data.indented, '  two more spaces\n');
});

/** Shapes where js-yaml's events need care; each is compared with the yaml AST on both paths. */
const EDGE_CASES: Record<string, string> = {
  'empty sequence items (no node of their own)': 'items:\n- \n- a: 1\n-\n- b\n',
  'tags before nodes and keys': 'a: !!str 5\nb:\n  - !!map {x: 1}\n  - !!str y\n!!str c: 3\n',
  'explicit keys without a value': '? a\n: 1\n? b\n',
  'explicit keys with values': '? a\n: 1\n? b\n: [x, y]\n',
  'pairs inside a flow sequence': 'l: [a: 1, b]\n',
  'comments between keys and values': 'a: # c\n  b: 1\n  # another\n  c:\n    # x\n    - 1\n',
  'values on the next line': 'a:\n  1\nb:\n  [x, {y: 2}]\nc:\n  {d: 3}\n',
  'CRLF line endings': 'apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - name: a\r\n    image: b\r\n',
  'quoted keys': '"a b": 1\n\'c\': {"d": [1]}\n',
  'keys that resolve to other types': '1: a\n2:\n  - x\ntrue: y\n0x10: hex\n',
  'nested compact sequences': '- - a\n  - b\n- - - c\n',
  JSON: '{"a": [1, {"b": 2}], "c": {"d": null}}\n',
  'non-ASCII text (columns count UTF-16 units)': 'ä: "ü"\nlist: [ "€", {ß: 1} ]\nemoji😀: x\n',
  'a tab after the colon': 'a:\tb\nc:\t[1]\n',
  'empty values': 'a:\nb: 1\nc:\n',
  'an indented root mapping': '  a: 1\n  b:\n    - 2\n',
  'zero-indented sequences of mappings': 'containers:\n- name: a\n  ports:\n  - containerPort: 1\n- name: b\n',
  'multi-line plain scalars': 'a: this is\n  a long value\nb: 2\n',
  'anchors, aliases and merge keys': 'a: &x {p: 1}\nb: *x\nc:\n  <<: *x\n  q: 2\n',
  'an inline merge key without anchors': 'c:\n  <<: {p: 1}\n  q: 2\n',
  'an end marker only': 'a: 1\n...\n',
  'block scalars at the root': '--- |\nfoo\n--- >\n bar\n',
  'colons inside values': 'url: http://x:80/a\ntime: "12:30"\n',
  'multi-line flow collections': 'a: [\n  1,\n  2\n]\nb: {\n  c: 1,\n  d: 2 }\n',
  'a directive before the marker': '%YAML 1.2\n---\na: 1\n',
  'repeated keys': 'a: 1\nb: {x: 1, x: 2}\na: 3\n',
  'block scalars as sequence items': 'l:\n- |\n  a\n- >-\n  b\n  c\n- x\n',
  'comments after values, and # inside them': 'a: b # c\nd: e#f\ng: "h" # i\nj: [k, l] # m\n',
  'JSON with nested arrays ending lines': '{\n  "a": [\n    1,\n    [2, 3],\n    true\n  ],\n  "b": null\n}\n',
};

for (const [name, text] of Object.entries(EDGE_CASES)) {
  test(`positions and values agree with the yaml AST: ${name}`, () => {
    assertPathsAgree(text, name);
  });
}

test('which path reads what: the quick reader, js-yaml for the rest, the careful path for anchors and odd shapes', () => {
  const parserOf = (text: string): string[] => parse(text).documents.map((document) => document.parser);
  assert.deepEqual(parserOf('a: 1\n---\nb: [1, 2]\n'), ['quick', 'quick']);
  // Beyond the quick reader's subset: a multi-line plain scalar, a tag, content on the marker line.
  assert.deepEqual(parserOf('a: one\n  two\n---\nb: !!str 1\n--- {c: 1}\n'), ['js-yaml', 'js-yaml', 'js-yaml']);
  assert.deepEqual(parserOf('a: &x 1\nb: *x\n'), ['yaml']);
  assert.deepEqual(parserOf('items:\n-\n- b\n'), ['yaml']);
  assert.deepEqual(parserOf('region: !Ref AWS::Region\n'), ['yaml']);
  // Merge keys without anchors are applied by the fast path itself.
  const merged = parse('c:\n  <<: {p: 1}\n  q: 2\n');
  assert.equal(merged.documents[0]?.parser, 'js-yaml');
  assert.deepEqual(merged.documents[0]?.value, { c: { p: 1, q: 2 } });
});

test('repeated keys: every repeat is reported at its line, the last value is kept, and a flood is summarised', () => {
  const parsed = parse('a: 1\nb: {x: 1, x: 2}\na: 3\n');
  assert.deepEqual(parsed.documents[0]?.value, { a: 3, b: { x: 2 } });
  assert.deepEqual(
    parsed.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.severity, diagnostic.line, diagnostic.column]),
    [
      ['duplicate-key', 'error', 2, 11],
      ['duplicate-key', 'error', 3, 1],
    ],
  );
  assert.match(parsed.diagnostics[1]?.message ?? '', /key "a" repeats the one on line 1/);
  const flood = parse(Array.from({ length: 1000 }, (_, index) => `k${index % 10}: v`).join('\n'));
  assert.equal(flood.diagnostics.length, 3);
  assert.match(flood.diagnostics[2]?.message ?? '', /987 more repeated keys in this document are not listed/);
});

test('a lone CR is a line break (YAML 1.2), for values and for lines', () => {
  const parsed = parse('a: 1\rb:\r  - x\r  - y\r');
  assert.deepEqual(parsed.documents[0]?.value, { a: 1, b: ['x', 'y'] });
  assert.equal(at(parsed, 0, ['b', 1]), '4:5');
});

test('a byte order mark is not content: columns on the first line count from after it', () => {
  const parsed = parse('\ufeffapiVersion: v1\nkind: Pod\n');
  assert.equal(at(parsed, 0, ['apiVersion']), '1:1');
  assert.equal(at(parsed, 0, ['kind']), '2:1');
});

test('a syntax error in a large document is reported with js-yaml\'s message, without the slow careful parser', () => {
  const keys = Array.from({ length: 60_000 }, (_, index) => `k${index}: value`).join('\n');
  const parsed = parse(`${keys}\n bad: [\n`);
  // One diagnostic in js-yaml's words; the careful parser (the \`yaml\` package) would name the same
  // mistake differently and report three errors, as it does for the small document below.
  assert.deepEqual(
    parsed.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.line, diagnostic.message]),
    [['yaml-syntax', 60_001, 'invalid YAML: bad indentation of a mapping entry; document skipped']],
  );
  assert.ok(parse('a: 1\n bad: [\n').diagnostics.length > 1, 'the careful parser reads small documents');
});

test('a million empty documents are counted, not kept as a million objects', () => {
  const parsed = parse('---\n'.repeat(1_000_000));
  assert.equal(parsed.documentCount, 1_000_000);
  assert.deepEqual(parsed.documents, []);
});
