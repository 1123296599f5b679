/** The young-generation cap the webhook applies to its own process (src/admission/heap.ts). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { capYoungGeneration, mayGrow } from './heap.js';

const MB = 1024 * 1024;

/**
 * Allocates about 300 MB of short-lived objects (a few thousand kept at any time, so scavenges have
 * survivors and V8 wants to grow) in a fresh process, yielding to the event loop every 2,000 objects
 * as a server does between requests, and prints the largest new space seen, in MB, before and after
 * the cap is released.
 */
function largestNewSpace(capMb: number | undefined): { capped: number; released: number } {
  const heap = pathToFileURL(path.join(REPO_ROOT, 'dist', 'admission', 'heap.js')).href;
  const script = `
    import { capYoungGeneration, newSpaceBytes } from ${JSON.stringify(heap)};
    const release = ${capMb === undefined ? 'undefined' : `capYoungGeneration(${capMb})`};
    const keep = [];
    const churn = async () => {
      let largest = 0;
      for (let round = 0; round < 1500; round++) {
        for (let index = 0; index < 2000; index++) {
          const object = { index, list: [index, index + 1], text: 'x' + index };
          if (index % 4 === 0) keep.push(object);
          if (keep.length > 5000) keep.length = 0;
        }
        largest = Math.max(largest, newSpaceBytes());
        // The cap looks after each collection from a PerformanceObserver: let it run.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return largest / ${MB};
    };
    const capped = await churn();
    release?.();
    const released = await churn();
    process.stdout.write(JSON.stringify({ capped, released }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as { capped: number; released: number };
}

describe('young generation cap', () => {
  it('lets the new space double only while each semi-space stays within the cap', () => {
    assert.equal(mayGrow(2 * MB, 1), false, '1 MB semi-spaces under a 1 MB cap');
    assert.equal(mayGrow(2 * MB, 2), true);
    assert.equal(mayGrow(4 * MB, 2), false);
    assert.equal(mayGrow(8 * MB, 8), true);
    assert.equal(mayGrow(16 * MB, 8), false);
    assert.equal(mayGrow(4 * MB, 3), false, 'a cap between powers of two stops at the lower one');
    assert.throws(() => capYoungGeneration(0), /positive number of MB/);
    assert.throws(() => capYoungGeneration(Number.NaN), /positive number of MB/);
  });

  it('keeps a churning process at the capped size, and V8 grows it again once released; without a cap it grows', () => {
    const uncapped = largestNewSpace(undefined);
    assert.ok(uncapped.capped > 4, `V8 grows the new space of this churn past 4 MB on its own (${uncapped.capped} MB)`);
    const one = largestNewSpace(1);
    assert.ok(one.capped <= 2, `1 MB semi-spaces: new space ${one.capped} MB`);
    assert.ok(one.released > 2, `growth resumes after release (${one.released} MB)`);
    const two = largestNewSpace(2);
    assert.ok(two.capped <= 4, `2 MB semi-spaces: new space ${two.capped} MB`);
  });

  it('rampart admission serve refuses a cap that is not a whole number of MB: exit 2, no stack trace', () => {
    for (const value of ['-1', '1.5', 'lots']) {
      const result = spawnSync(process.execPath, [CLI, 'admission', 'serve', '--self-signed', 'x', '--max-semi-space-mb', value], { encoding: 'utf8' });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /--max-semi-space-mb.*expected a whole number of MB/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
  });
});
