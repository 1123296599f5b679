import assert from 'node:assert/strict';
import test from 'node:test';
import { BoundedMap } from './engine.js';
import { OldestCursor } from './oldest.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

test('the cursor gives the same oldest key as a fresh iterator, through moves, deletes, clears and table rebuilds', () => {
  for (const seed of [1, 7, 42]) {
    const next = random(seed);
    const reference = new Map<number, number>();
    const cursored = new Map<number, number>();
    const cursor = new OldestCursor(cursored);
    const limit = 40;
    for (let step = 0; step < 50_000; step++) {
      const roll = next();
      const key = Math.floor(next() * 150);
      if (roll < 0.01) {
        reference.clear();
        cursored.clear();
      } else if (roll < 0.1) {
        reference.delete(key);
        cursored.delete(key);
      } else {
        // A write moves the key to the end, as BoundedMap does.
        reference.delete(key);
        reference.set(key, step);
        cursored.delete(key);
        cursored.set(key, step);
        if (reference.size > limit) {
          const expected = reference.keys().next().value!;
          reference.delete(expected);
          const got = cursored.size > 0 ? cursor.next() : undefined;
          assert.equal(got, expected, `seed ${seed}, step ${step}`);
          cursored.delete(got!);
        }
      }
    }
    assert.deepEqual([...cursored], [...reference]);
  }
});

test('the cursor over a Set, including one emptied and filled again', () => {
  const set = new Set<string>();
  const cursor = new OldestCursor(set);
  assert.equal(cursor.next(), undefined);
  for (let round = 0; round < 3; round++) {
    for (let index = 0; index < 1000; index++) set.add(`r${round}-${index}`);
    // Evict all but the newest ten, oldest first.
    for (let index = 0; index < 990; index++) {
      const oldest = cursor.next();
      assert.equal(oldest, `r${round}-${index}`);
      set.delete(oldest!);
    }
    assert.deepEqual([...set], Array.from({ length: 10 }, (_, index) => `r${round}-${990 + index}`));
    // Drained completely: the cursor reaches the end and must start again for the next round.
    for (let index = 990; index < 1000; index++) set.delete(cursor.next()!);
    assert.equal(set.size, 0);
    assert.equal(cursor.next(), undefined);
  }
});

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
