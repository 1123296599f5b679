import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadText } from './load.js';

function load(text: string): { objects: Array<[string, string, string]>; diagnostics: Array<[string, string, number | undefined]> } {
  const batch = loadText(text, 'test.yaml');
  return {
    objects: batch.objects.map((object) => [object.kind, object.name, JSON.stringify(object.source.pathInDocument)]),
    diagnostics: batch.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.severity, diagnostic.line]),
  };
}

test('kind: List and typed lists are expanded; each item keeps its path in the document', () => {
  const { objects, diagnostics } = load('apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod, metadata: {name: b}}\n');
  assert.deepEqual(objects, [
    ['Pod', 'a', '["items",0]'],
    ['Pod', 'b', '["items",1]'],
  ]);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(load('apiVersion: v1\nkind: PodList\nitems: [{apiVersion: v1, kind: Pod, metadata: {name: c}}]\n').objects, [['Pod', 'c', '["items",0]']]);
});

test('an empty List is no object and no diagnostic; items that are not a list are an error', () => {
  assert.deepEqual(load('apiVersion: v1\nkind: List\nitems: []\n'), { objects: [], diagnostics: [] });
  assert.deepEqual(load('apiVersion: v1\nkind: List\n'), { objects: [], diagnostics: [] });
  assert.deepEqual(load('apiVersion: v1\nkind: List\nitems: {a: 1}\n').diagnostics, [['invalid-field', 'error', 3]]);
});

test('a custom kind that merely ends in List, without items, is an object', () => {
  assert.deepEqual(load('apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: x}\nspec: {}\n').objects, [['AllowList', 'x', '[]']]);
});

test('a top-level list has its items scanned, with a warning', () => {
  const { objects, diagnostics } = load('- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- 5\n');
  assert.deepEqual(objects, [['Pod', 'a', '[0]']]);
  assert.deepEqual(diagnostics, [
    ['top-level-list', 'warning', 1],
    ['not-kubernetes-object', 'warning', 2],
  ]);
});

test('names: generateName stands in for a missing name; a name of the wrong type is an error', () => {
  assert.deepEqual(load('apiVersion: v1\nkind: Pod\nmetadata: {generateName: job-}\n').objects, [['Pod', 'job-*', '[]']]);
  assert.deepEqual(load('apiVersion: v1\nkind: Pod\n').objects, [['Pod', '<unnamed>', '[]']]);
  const wrong = load('apiVersion: v1\nkind: Pod\nmetadata:\n  name: 5\n  namespace: [a]\n');
  assert.deepEqual(wrong.diagnostics, [
    ['invalid-field', 'error', 4],
    ['invalid-field', 'error', 5],
  ]);
});

test('an empty file and a comments-only file each get one warning', () => {
  assert.deepEqual(load('').diagnostics, [['no-documents', 'warning', 1]]);
  assert.deepEqual(load('# nothing\n---\n').diagnostics, [['no-documents', 'warning', 1]]);
  // A file of only null documents has documents, just no objects: nothing to say.
  assert.deepEqual(load('~\n').diagnostics, []);
});

test('text over the file limit is refused with the limit named', () => {
  const batch = loadText('a: 1\n'.repeat(100), 'big.yaml', { maxFileBytes: 100, maxDocumentBytes: 100, maxDepth: 10, maxAliasCount: 10 });
  assert.deepEqual(
    batch.diagnostics.map((diagnostic) => diagnostic.code),
    ['file-too-large'],
  );
  assert.match(batch.diagnostics[0]?.message ?? '', /limits\.maxFileBytes/);
});
