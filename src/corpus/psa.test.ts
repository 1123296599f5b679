/** The official Pod Security Admission fixtures must all be judged as labelled. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderPsaScore, scorePsaFixtures } from './psa.js';

test('every PSA fixture (v1.0–v1.34, both levels) is judged as labelled', () => {
  const score = scorePsaFixtures();
  assert.equal(score.total, 4093);
  assert.deepEqual(score.mismatches, [], renderPsaScore(score));
  assert.equal(score.correct, score.total);
  assert.equal(score.rows.length, 70, '35 versions × 2 levels');
});
