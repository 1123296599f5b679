import assert from 'node:assert/strict';
import test from 'node:test';
import { BoundedMap } from './engine.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test('BoundedMap forgets the least recently written entry, like the plain Map it replaced', () => {
  const next = random(3);
  const bounded = new BoundedMap<number, number>(25);
  const reference = new Map<number, number>();
  for (let step = 0; step < 20_000; step++) {
    const key = Math.floor(next() * 80);
    if (next() < 0.05) {
      bounded.delete(key);
      reference.delete(key);
      continue;
    }
    bounded.set(key, step);
    reference.delete(key);
    reference.set(key, step);
    if (reference.size > 25) reference.delete(reference.keys().next().value!);
    assert.equal(bounded.size, reference.size);
  }
  assert.deepEqual([...bounded.entries()], [...reference]);
});
