import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadText } from '../load/load.js';
import { locate, type KubeObject } from './types.js';
import { PodTemplateFinder } from './podTemplates.js';

const finder = new PodTemplateFinder();

function only(text: string): KubeObject {
  const [object] = loadText(text, 'test.yaml').objects;
  assert.ok(object);
  return object;
}

test('every built-in workload kind has its pod template found, CronJob two levels down', () => {
  const kinds: Array<[string, string, string]> = [
    ['v1', 'Pod', 'spec: {containers: []}'],
    ['v1', 'ReplicationController', 'spec: {template: {spec: {containers: []}}}'],
    ['apps/v1', 'Deployment', 'spec: {template: {spec: {containers: []}}}'],
    ['extensions/v1beta1', 'DaemonSet', 'spec: {template: {spec: {containers: []}}}'],
    ['apps/v1', 'StatefulSet', 'spec: {template: {spec: {containers: []}}}'],
    ['batch/v1', 'Job', 'spec: {template: {spec: {containers: []}}}'],
    ['batch/v1beta1', 'CronJob', 'spec: {jobTemplate: {spec: {template: {spec: {containers: []}}}}}'],
  ];
  for (const [apiVersion, kind, body] of kinds) {
    const result = finder.find(only(`apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x}\n${body}\n`));
    assert.equal(result.kind, 'template', kind);
  }
  assert.equal(finder.find(only('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')).kind, 'none');
  // Deployment lives in apps, not in the core group.
  assert.equal(finder.find(only('apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {spec: {}}}\n')).kind, 'none');
});

test('a wrong type on the way to the template is reported at that field, which has a source position', () => {
  const cases: Array<[string, string, string]> = [
    ['apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: 5\n', 'spec', '4:1'],
    ['apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template: "x"\n', 'spec.template', '5:3'],
    ['apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec: [a]\n', 'spec.template.spec', '6:5'],
    ['apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec:\n  jobTemplate: 7\n', 'spec.jobTemplate', '5:3'],
  ];
  for (const [text, field, where] of cases) {
    const object = only(text);
    const result = finder.find(object);
    assert.equal(result.kind, 'invalid', field);
    if (result.kind !== 'invalid') continue;
    assert.match(result.message, new RegExp(`^${field.replace(/\./g, '\\.')} must be a mapping`), field);
    const location = locate(object, result.path);
    assert.equal(`${location.line}:${location.column}`, where, field);
  }
});

test('a workload without a pod spec is invalid; its position is that of the deepest field that exists', () => {
  const object = only('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 1\n');
  const result = finder.find(object);
  assert.equal(result.kind, 'invalid');
  if (result.kind !== 'invalid') return;
  assert.deepEqual(result.path, ['spec', 'template']);
  assert.equal(locate(object, result.path).line, 4);
});
