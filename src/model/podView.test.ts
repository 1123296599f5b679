/** Wrong types in a pod: each is a problem at its field, treated as unset, and the rest of the pod is still read. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadText } from '../load/load.js';
import { PodTemplateFinder } from './podTemplates.js';
import { buildPodView, type PodView } from './podView.js';
import { locate, type KubeObject } from './types.js';

function podOf(text: string): { object: KubeObject; pod: PodView } {
  const [object] = loadText(text, 'test.yaml').objects;
  assert.ok(object);
  const template = new PodTemplateFinder().find(object);
  assert.equal(template.kind, 'template');
  if (template.kind !== 'template') throw new Error('unreachable');
  return { object, pod: buildPodView(template.template) };
}

function problemsOf(object: KubeObject, pod: PodView): Array<[string, string]> {
  return pod.problems.map((problem) => {
    const location = locate(object, problem.path);
    return [`${location.line}:${location.column}`, problem.message];
  });
}

test('containers: "x" is a problem at containers, and the pod keeps its other settings', () => {
  const { object, pod } = podOf('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  hostNetwork: true\n  containers: "x"\n  initContainers:\n    - name: init\n');
  assert.deepEqual(problemsOf(object, pod), [['6:3', 'containers must be a list, found a string ("x")']]);
  assert.deepEqual(
    pod.containers.map((container) => container.name),
    ['init'],
  );
});

test('a container that is not a mapping is skipped with a problem; its siblings are read', () => {
  const { object, pod } = podOf('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n    - just-a-name\n    - name: real\n      securityContext: {privileged: true}\n');
  assert.deepEqual(problemsOf(object, pod), [['6:7', 'containers[0] must be a mapping, found a string ("just-a-name")']]);
  assert.deepEqual(
    pod.containers.map((container) => [container.name, container.effective.privileged?.value]),
    [['real', true]],
  );
});

test('wrong scalar types in a security context are problems, and treated as unset', () => {
  const { object, pod } = podOf(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  securityContext:\n    runAsUser: "0"\n    runAsNonRoot: "true"\n  containers:\n    - name: app\n      securityContext:\n        privileged: "yes"\n        capabilities: {add: [NET_ADMIN, 5]}\n',
  );
  assert.deepEqual(problemsOf(object, pod), [
    ['6:5', 'runAsUser must be an integer, found a string ("0")'],
    ['7:5', 'runAsNonRoot must be a boolean, found a string ("true")'],
    ['11:9', 'privileged must be a boolean, found a string ("yes")'],
    ['12:41', 'capabilities.add[1] must be a string, found a number (5)'],
  ]);
  const [container] = pod.containers;
  assert.ok(container);
  assert.equal(container.effective.runAsUser, undefined);
  assert.equal(container.effective.privileged, undefined);
  assert.deepEqual(
    container.effective.capabilitiesAdd.map((setting) => setting.value),
    ['NET_ADMIN'],
  );
});

test('securityContext: "privileged" on a container is a problem; the pod-level context is still inherited', () => {
  const { object, pod } = podOf(
    'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n    - name: app\n      securityContext: "privileged"\n',
  );
  assert.deepEqual(problemsOf(object, pod), [['8:7', 'securityContext must be a mapping, found a string ("privileged")']]);
  assert.equal(pod.containers[0]?.effective.runAsNonRoot?.value, true);
  assert.equal(pod.containers[0]?.effective.runAsNonRoot?.level, 'pod');
});
