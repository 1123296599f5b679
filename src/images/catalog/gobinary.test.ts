import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goBinaryBytes } from '../testing/images.js';
import { scanGoBinary } from './gobinary.js';

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

test('build info is found wherever the chunk boundaries fall, including inside the marker', async () => {
  const bytes = goBinaryBytes('go1.22.1', 'path\tex.com/x\nmod\tex.com/x\tv0.1.0\th1:x\ndep\tex.com/y\tv2.0.0\th1:y\n');
  const marker = bytes.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
  for (const size of [4096, 65536, marker + 5, marker + 1, marker + 13, 7]) {
    const info = await scanGoBinary(chunks(bytes, size));
    assert.equal(info?.goVersion, 'go1.22.1', `chunk size ${size}`);
    assert.deepEqual(info?.mainModule, { path: 'ex.com/x', version: 'v0.1.0' });
    assert.deepEqual(info?.dependencies, [{ path: 'ex.com/y', version: 'v2.0.0' }]);
  }
  // Not an ELF file: not read.
  assert.equal(await scanGoBinary(chunks(Buffer.concat([Buffer.from('#!/bin/sh\n'), bytes]), 4096)), undefined);
});
