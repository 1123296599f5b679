import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRealWorldCorpus } from './realWorld.js';

test('the real-world corpus: no crash, no internal error, every diagnostic explained, every listed object loaded once', async () => {
  const result = await checkRealWorldCorpus();
  assert.equal(result.stderr, '');
  // 2: the five upstream files with a repeated key are errors (src/cli/scan.ts); findings alone would give 1.
  assert.equal(result.exitCode, 2);
  assert.equal(result.indexedFiles, 547);
  assert.equal(result.files, 548, 'the 547 listed files and index.json');
  assert.equal(result.indexedObjects, 893);
  assert.equal(result.objects, 893);
  assert.deepEqual(result.missing, []);
  assert.deepEqual(result.unexpected, []);
  assert.deepEqual(
    result.diagnostics.filter(({ diagnostic }) => diagnostic.code === 'internal-error').map(({ diagnostic }) => diagnostic.message),
    [],
  );
  assert.deepEqual(
    result.diagnostics.filter(({ why }) => why === undefined).map(({ diagnostic, file }) => `${diagnostic.code} ${file}: ${diagnostic.message}`),
    [],
  );
});
