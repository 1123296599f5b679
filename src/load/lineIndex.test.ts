import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from './lineIndex.js';

test('lines and columns are 1-based; LF, CRLF and a lone CR all end a line', () => {
  const lines = new LineIndex('ab\ncd\r\nef\rgh');
  assert.deepEqual(lines.position(0), { line: 1, column: 1 });
  assert.deepEqual(lines.position(4), { line: 2, column: 2 });
  assert.deepEqual(lines.position(7), { line: 3, column: 1 });
  assert.deepEqual(lines.position(10), { line: 4, column: 1 });
});

test('an offset at the very end is on the last line', () => {
  assert.deepEqual(new LineIndex('a\n').position(2), { line: 2, column: 1 });
  assert.deepEqual(new LineIndex('').position(0), { line: 1, column: 1 });
});
