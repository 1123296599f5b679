import assert from 'node:assert/strict';
import test from 'node:test';
import { DigestSet } from './digestSet.js';

const hex = (index: number): string => index.toString(16).padStart(8, '0').repeat(4);

test('keys are remembered, forgotten on delete, and any string is a key', () => {
  const set = new DigestSet(100);
  set.add(hex(1));
  set.add('b0-e1/ResponseComplete');
  assert.ok(set.has(hex(1)));
  assert.ok(set.has('b0-e1/ResponseComplete'));
  assert.ok(!set.has(hex(2)));
  assert.ok(!set.has('b0-e2/ResponseComplete'));
  // Upper-case hex is another string, hashed like any other: not the same key.
  set.add('abcdef01'.repeat(4));
  assert.ok(set.has('abcdef01'.repeat(4)));
  assert.ok(!set.has('ABCDEF01'.repeat(4)));
  set.delete(hex(1));
  assert.ok(!set.has(hex(1)));
  set.add(hex(1));
  assert.ok(set.has(hex(1)));
});

test('a delete leaves the keys that probed past it findable', () => {
  // Same first lane and a zero second lane: the same home slot, so each probes past the ones before it.
  const colliding = [0, 1, 2, 3].map((index) => `00000001${'00000000'}${index.toString(16).padStart(8, '0')}00000001`);
  const set = new DigestSet(16);
  for (const key of colliding) set.add(key);
  set.delete(colliding[0]!);
  set.delete(colliding[2]!);
  assert.deepEqual(colliding.map((key) => set.has(key)), [false, true, false, true]);
  set.add(colliding[2]!);
  assert.ok(set.has(colliding[2]!));
});

test('the newest keys are remembered: at least (generations - 1) tables of them, at most all', () => {
  const set = new DigestSet(1000, 3); // two tables of 512 keys must hold 1,000: three tables of 1,024 slots
  for (let index = 0; index < 6000; index++) {
    set.add(hex(index));
    // The last 1,000 are always there.
    if (index % 97 === 0) for (let back = Math.max(0, index - 999); back <= index; back += 31) assert.ok(set.has(hex(back)), `key ${back} after ${index}`);
  }
  let remembered = 0;
  for (let index = 0; index < 6000; index++) if (set.has(hex(index))) remembered++;
  assert.ok(remembered >= 1024 && remembered <= 1536, `${remembered}`);
  // Keys older than the generations are gone.
  assert.ok(!set.has(hex(0)));
  assert.ok(!set.has(hex(4000)));
  // Adding a key already there changes nothing.
  const before = set.size;
  set.add(hex(5999));
  assert.equal(set.size, before);
});
