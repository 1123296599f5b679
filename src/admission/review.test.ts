import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../testing/random.js';
import { jsonDepth } from './review.js';

/** The nesting depth of a parsed value, the reference jsonDepth must agree with. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((deepest: number, entry) => Math.max(deepest, depthOf(entry)), 0);
  if (value !== null && typeof value === 'object') return 1 + Object.values(value).reduce((deepest: number, entry) => Math.max(deepest, depthOf(entry)), 0);
  return 0;
}

/** Strings full of what could fool a scanner: quotes, runs of backslashes, brackets, unicode. */
function trickyString(random: () => number): string {
  const pieces = ['"', '\\', '\\\\', '\\"', '{', '}', '[', ']', 'a', 'é', '😀', '\n', '\u0000', ' '];
  let text = '';
  const length = Math.floor(random() * 12);
  for (let index = 0; index < length; index++) text += pieces[Math.floor(random() * pieces.length)];
  return text;
}

function randomValue(random: () => number, depth: number): unknown {
  const roll = random();
  if (depth > 0 && roll < 0.3) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth - 1));
  if (depth > 0 && roll < 0.6) {
    const object: Record<string, unknown> = {};
    for (let index = Math.floor(random() * 4); index > 0; index--) object[trickyString(random)] = randomValue(random, depth - 1);
    return object;
  }
  if (roll < 0.85) return trickyString(random);
  return roll < 0.95 ? Math.floor(random() * 1000) : null;
}

describe('jsonDepth, the nesting bound checked before a body is parsed', () => {
  it('agrees with the depth of the parsed value for 2,000 generated documents with tricky strings', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 2000; round++) {
      const text = JSON.stringify(randomValue(random, 1 + Math.floor(random() * 8)));
      assert.equal(jsonDepth(text, 1000), depthOf(JSON.parse(text)), text);
    }
  });

  it('stops counting past the limit, and reads structure after strings that end in backslashes', () => {
    assert.equal(jsonDepth('['.repeat(500) + ']'.repeat(500), 100), 101);
    assert.equal(jsonDepth(JSON.stringify({ a: '\\', b: [['\\\\"']] }), 100), 3);
    assert.equal(jsonDepth(JSON.stringify([`${'\\'.repeat(10_001)}"`, [[[]]]]), 100), 4);
    // An unterminated string hides nothing after it from JSON.parse, which refuses the text.
    assert.equal(jsonDepth('[["abc', 100), 2);
  });
});
