/**
 * Every document of every corpus under ../shared/corpora (about 9,300): when
 * the quick reader takes one, its value must be the one js-yaml gives, and
 * js-yaml must accept it too. Its positions are held to the yaml AST by
 * positions.corpus.test.ts and the unit tests.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { CORPORA } from '../testing/paths.js';
import { splitDocuments } from './documentSlices.js';
import { parseFast } from './fastYaml.js';
import { parseQuick } from './quickYaml.js';
import { decode } from './sources.js';

test('the quick reader reads every corpus document it takes exactly as js-yaml does', () => {
  let documents = 0;
  let taken = 0;
  const differences: string[] = [];
  for (const corpus of readdirSync(CORPORA, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const files = readdirSync(path.join(CORPORA, corpus.name), { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.(ya?ml|json)$/i.test(entry.name))
      .map((entry) => path.join(entry.parentPath, entry.name));
    for (const file of files) {
      const read = decode(readFileSync(file), file);
      if (!('text' in read)) continue;
      for (const slice of splitDocuments(read.text)) {
        if (slice.empty) continue;
        const text = read.text.slice(slice.start, slice.end);
        documents++;
        const quick = parseQuick(text, 256);
        if (quick === undefined) continue;
        taken++;
        const reference = parseFast(text, 256);
        const where = `${path.relative(CORPORA, file)} @${slice.start}`;
        if (reference.kind !== 'documents') differences.push(`${where}: js-yaml rejects what the quick reader took (${reference.kind})`);
        else if (reference.documents.length !== 1 || !isDeepStrictEqual(reference.documents[0]?.value, quick.value)) differences.push(`${where}: values differ`);
      }
    }
  }
  assert.deepEqual(differences.slice(0, 20), [], `${differences.length} differences`);
  assert.ok(documents > 9000, `${documents} documents`);
  // Most of the work is the quick reader's; the measured share is in BENCHMARKS.md.
  assert.ok(taken / documents > 0.95, `the quick reader took ${taken} of ${documents}`);
});
