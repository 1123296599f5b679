import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitDocuments } from './documentSlices.js';

function pieces(text: string): Array<[string, boolean, number]> {
  return splitDocuments(text).map((slice) => [text.slice(slice.start, slice.end), slice.empty, slice.count]);
}

test('a bare document is one slice; blank text and comments are none', () => {
  assert.deepEqual(pieces('a: 1\n'), [['a: 1\n', false, 1]]);
  assert.deepEqual(pieces(''), []);
  assert.deepEqual(pieces('# nothing\n\n'), []);
});

test('comments and directives before the first marker belong to its document', () => {
  assert.deepEqual(pieces('# lead\n%YAML 1.2\n---\na: 1\n'), [['# lead\n%YAML 1.2\n---\na: 1\n', false, 1]]);
});

test('markers split documents; content on the marker line stays with its document', () => {
  assert.deepEqual(pieces('a: 1\n--- {b: 2}\n---\nc: 3\n'), [
    ['a: 1\n', false, 1],
    ['--- {b: 2}\n', false, 1],
    ['---\nc: 3\n', false, 1],
  ]);
});

test('runs of empty documents share one slice', () => {
  assert.deepEqual(pieces('---\n---\n# c\n---\na: 1\n'), [
    ['---\n---\n# c\n', true, 2],
    ['---\na: 1\n', false, 1],
  ]);
});

test('an end marker closes a document; what follows is a new one only if it has content', () => {
  assert.deepEqual(pieces('a: 1\n...\nb: 2\n...\n'), [
    ['a: 1\n...\n', false, 1],
    ['b: 2\n...\n', false, 1],
  ]);
});

test('only whole marker lines count: not indented ones, not ---- or ---x, and CRLF is fine', () => {
  assert.deepEqual(pieces('a: |\n  ---\n----\nb: ---x\n'), [['a: |\n  ---\n----\nb: ---x\n', false, 1]]);
  assert.deepEqual(pieces('a: 1\r\n---\r\nb: 2\r\n'), [
    ['a: 1\r\n', false, 1],
    ['---\r\nb: 2\r\n', false, 1],
  ]);
});
