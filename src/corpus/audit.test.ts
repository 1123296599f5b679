/** The Falco k8saudit corpus: Rampart's verdict agrees with Falco's on at least 95% of mapped cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderAuditScore, scoreAuditCorpus } from './audit.js';

test('Falco k8saudit traces: detect / no-detect agreement of at least 95%, disagreements explained', () => {
  const score = scoreAuditCorpus();
  assert.ok(score.cases.length >= 60, `${score.cases.length} cases scored`);
  assert.ok(score.rate >= 0.95, renderAuditScore(score));
  for (const result of score.cases.filter((item) => !item.agrees)) assert.ok(result.explanation !== undefined, `${result.name} disagrees without an explanation`);
  // Both kinds of case are present, and the malformed trace is reported, not alerted on.
  assert.ok(score.cases.some((item) => item.expectDetect) && score.cases.some((item) => !item.expectDetect));
  const malformed = score.cases.find((item) => item.name === 'fal_01_003');
  assert.equal(malformed?.malformed.length, 1);
  assert.equal(malformed?.alerts.length, 0);
});
