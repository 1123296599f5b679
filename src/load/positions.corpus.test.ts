/**
 * Differential test of source positions over every file of the real-world
 * corpus: for every mapping key and every sequence item of every document,
 * the fast path's position (js-yaml events, fastYaml.ts) must equal the one
 * the `yaml` package's AST gives (positionDifferences.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CORPORA } from '../testing/paths.js';
import { DEFAULT_LIMITS } from './limits.js';
import { comparePositions } from './positionDifferences.js';
import { decode } from './sources.js';
import { parseYamlFile } from './yamlDocuments.js';

const CORPUS = path.join(CORPORA, 'real-world-manifests');

test('fast-path positions equal the yaml AST for every key and item of the real-world corpus', () => {
  const files = readdirSync(CORPUS, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ya?ml|json)$/i.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  // The 547 manifests listed in index.json, and index.json itself (a 200 kB JSON document).
  assert.equal(files.length, 548);
  let compared = 0;
  let quickDocuments = 0;
  let fastDocuments = 0;
  let carefulDocuments = 0;
  const differences: string[] = [];
  for (const file of files) {
    const read = decode(readFileSync(file), file);
    assert.ok('text' in read, `${file} is not text`);
    const comparison = comparePositions(read.text, parseYamlFile(read.text, file, DEFAULT_LIMITS), path.relative(CORPUS, file));
    compared += comparison.compared;
    quickDocuments += comparison.documents.quick;
    fastDocuments += comparison.documents['js-yaml'];
    carefulDocuments += comparison.documents.yaml;
    differences.push(...comparison.differences);
  }
  assert.deepEqual(differences.slice(0, 30), [], `${differences.length} of ${compared} positions differ`);
  // Every document took a fast path (nearly all the quick reader), so this compared the fast paths and nothing else.
  assert.equal(carefulDocuments, 0);
  assert.ok(quickDocuments >= 870, `the quick reader read ${quickDocuments} documents`);
  assert.ok(quickDocuments + fastDocuments >= 880, `compared ${quickDocuments + fastDocuments} documents`);
  assert.ok(compared > 70_000, `compared ${compared} positions`);
});
