import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from './limits.js';
import { decode, firstInvalidUtf8, manifestFiles, readSource } from './sources.js';
import { tempDir } from '../testing/tempDir.js';

test('decode: UTF-8 with or without a byte order mark, UTF-16 in both byte orders', () => {
  assert.deepEqual(decode(Buffer.from('a: 1\n'), 'f'), { file: 'f', text: 'a: 1\n' });
  assert.deepEqual(decode(Buffer.from('\ufeffa: 1\n'), 'f'), { file: 'f', text: 'a: 1\n' });
  assert.deepEqual(decode(Buffer.from('\ufeffa: é\n', 'utf16le'), 'f'), { file: 'f', text: 'a: é\n' });
  const bigEndian = Buffer.from('\ufeffa: é\n', 'utf16le').swap16();
  assert.deepEqual(decode(bigEndian, 'f'), { file: 'f', text: 'a: é\n' });
});

test('decode: bytes that are not UTF-8 are reported at their line and column', () => {
  const result = decode(Buffer.from([0x61, 0x3a, 0x20, 0x31, 0x0a, 0xc3, 0xa9, 0x3a, 0x20, 0xff, 0x0a]), 'f');
  assert.ok('diagnostic' in result);
  assert.equal(result.diagnostic.code, 'not-text');
  assert.equal(result.diagnostic.line, 2);
  // "é: " is three characters: the bad byte is the fourth.
  assert.equal(result.diagnostic.column, 4);
  assert.match(result.diagnostic.message, /0xff/);
});

test('firstInvalidUtf8 rejects overlong forms, surrogates, truncation and stray continuation bytes', () => {
  assert.equal(firstInvalidUtf8(Buffer.from('ok €😀')), -1);
  assert.equal(firstInvalidUtf8(Uint8Array.from([0x41, 0xc0, 0x80])), 1);
  assert.equal(firstInvalidUtf8(Uint8Array.from([0xed, 0xa0, 0x80])), 0);
  assert.equal(firstInvalidUtf8(Uint8Array.from([0x41, 0xe2, 0x82])), 1);
  assert.equal(firstInvalidUtf8(Uint8Array.from([0x80])), 0);
  assert.equal(firstInvalidUtf8(Uint8Array.from([0xf4, 0x90, 0x80, 0x80])), 0);
});

test('readSource: a device or pipe is read only up to the limit', () => {
  const result = readSource('/dev/zero', { ...DEFAULT_LIMITS, maxFileBytes: 100_000 });
  assert.ok('diagnostic' in result);
  assert.equal(result.diagnostic.code, 'file-too-large');
  assert.match(result.diagnostic.message, /limits\.maxFileBytes/);
});

test('readSource: a directory or a missing file is a diagnostic, not an exception', () => {
  for (const file of [tmpdir(), path.join(tmpdir(), 'rampart-no-such-file.yaml')]) {
    const result = readSource(file, DEFAULT_LIMITS);
    assert.ok('diagnostic' in result);
    assert.equal(result.diagnostic.code, 'unreadable');
  }
});

test('manifestFiles: sorted, manifests only, hidden folders skipped, symbolic links followed once', () => {
  const root = tempDir('rampart-walk-');
  mkdirSync(path.join(root, 'b'));
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'b', 'z.yml'), 'a: 1\n');
  writeFileSync(path.join(root, 'a.yaml'), 'a: 1\n');
  writeFileSync(path.join(root, 'c.JSON'), '{}\n');
  writeFileSync(path.join(root, 'notes.txt'), 'x\n');
  writeFileSync(path.join(root, '.git', 'config.yaml'), 'a: 1\n');
  symlinkSync(path.join(root, 'a.yaml'), path.join(root, 'link.yaml'));
  symlinkSync('missing.yaml', path.join(root, 'dangling.yaml'));
  // A loop: b/up → root.
  symlinkSync(root, path.join(root, 'b', 'up'));
  const entries = [...manifestFiles([root])].map((entry) => [path.relative(root, entry.file), 'diagnostic' in entry ? entry.diagnostic.code : 'file']);
  rmSync(root, { recursive: true, force: true });
  assert.deepEqual(entries, [
    ['a.yaml', 'file'],
    ['b/z.yml', 'file'],
    ['c.JSON', 'file'],
    ['dangling.yaml', 'unreadable'],
    ['link.yaml', 'file'],
  ]);
});

test('manifestFiles: a missing path is a path-not-found diagnostic; stdin is passed through', () => {
  const entries = [...manifestFiles(['-', '/no/such/dir'])];
  assert.deepEqual(entries[0], { file: '-' });
  assert.ok('diagnostic' in (entries[1] ?? {}));
});
