/** badPods: verdict and failing checks at both levels match the labels, with the label corrections stated. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badPodsAllMatch, renderBadPodsScore, scoreBadPods } from './badpods.js';

test('every badPods workload matches at baseline and restricted', () => {
  const score = scoreBadPods();
  assert.ok(badPodsAllMatch(score), renderBadPodsScore(score));
  assert.equal(score.documents, 144);
  assert.equal(score.results.length, 256, '128 workloads × 2 levels');
  assert.equal(new Set(score.results.map((result) => result.kind)).size, 8);
  assert.equal(score.skipped.length, 16);
});

test('the only label corrections are the restricted override of hostPathVolumes', () => {
  const score = scoreBadPods();
  assert.equal(score.corrections.length, 32);
  for (const correction of score.corrections) {
    assert.equal(correction.level, 'restricted');
    assert.ok(correction.label.includes('hostPathVolumes') && !correction.corrected.includes('hostPathVolumes'));
    assert.ok(correction.corrected.includes('restrictedVolumes'));
  }
  assert.equal(score.results.filter((result) => !result.matchesLabelAsWritten).length, 32);
});
