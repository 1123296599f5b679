/** The node table keeps only mapping keys' values: paths match keys (never values), in every document of a file. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from './limits.js';
import { parseYamlFile } from './yamlDocuments.js';

function positionsOf(text: string): Array<(path: Array<string | number>) => string> {
  const parsed = parseYamlFile(text, 'test.yaml', DEFAULT_LIMITS);
  assert.deepEqual(parsed.diagnostics, []);
  return parsed.documents.map((document) => (path) => {
    const position = document.positions.locate(path);
    return `${position.line}:${position.column}${position.exact ? '' : ' (ancestor)'}`;
  });
}

test('a segment matches a key, not a value equal to it, and the last of a repeated key', () => {
  const [first, second] = positionsOf('a: b\nb: {c: b}\nlist:\n  - b\n  - {b: 1}\n---\nx: 1\n80: port\n"quoted key": 2\nb: 3\n');
  assert.ok(first && second);
  assert.equal(first(['b']), '2:1');
  assert.equal(first(['b', 'c']), '2:5');
  assert.equal(first(['list', 1, 'b']), '5:6');
  assert.equal(first(['list', 0, 'b']), '4:5 (ancestor)');
  assert.equal(first(['port']), '1:1 (ancestor)');
  // The second document's nodes follow the first's in the file's table.
  assert.equal(second(['80']), '8:1');
  assert.equal(second(['quoted key']), '9:1');
  assert.equal(second(['b']), '10:1');
  assert.equal(second(['a']), '7:1 (ancestor)');
});

test('documents js-yaml reads (anchors) match keys the same way', () => {
  const [document] = positionsOf('base: &base {b: 1}\nother:\n  <<: *base\n  b: 2\n  0x10: hex\n');
  assert.ok(document);
  assert.equal(document(['other', 'b']), '4:3');
  assert.equal(document(['base', 'b']), '1:14');
  assert.equal(document(['other', '16']), '5:3');
});
