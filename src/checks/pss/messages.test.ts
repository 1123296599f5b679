/** Message building of the PSS checks: one subject is described as a list of one would be. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSubject, describeSubjects, offenseMessage } from './messages.js';
import type { Subject } from './types.js';

const NAMES = ['app', '', 'with "quotes"', 'back\\slash', 'ünïcode-名前', 'new\nline', 'x'.repeat(300)];

test('describeSubject says of one subject exactly what describeSubjects says of a list holding it', () => {
  const subjects: Subject[] = [{ kind: 'pod' }];
  for (const name of NAMES) subjects.push({ kind: 'container', name }, { kind: 'volume', name }, { kind: 'annotation', key: name });
  for (const subject of subjects) assert.equal(describeSubject(subject), describeSubjects([subject]), JSON.stringify(subject));
  assert.equal(describeSubject({ kind: 'container', name: 'with "quotes"' }), 'container "with \\"quotes\\""');
  assert.equal(describeSubject({ kind: 'annotation', key: 'a/b' }), 'annotation "a/b"');
  assert.equal(describeSubject({ kind: 'pod' }), 'pod');
});

test('an offense message is its subject and its predicate', () => {
  assert.equal(offenseMessage({ subject: { kind: 'volume', name: 'data' }, predicate: 'must not use hostPath', path: ['spec', 'volumes', 0, 'hostPath'] }), 'volume "data" must not use hostPath');
});
