/** Pod views take their paths from a bounded tree of shared arrays: equal paths are one array, and every path is still right. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadText } from '../load/load.js';
import { PodTemplateFinder } from './podTemplates.js';
import { buildPodView, childPath, type PodView } from './podView.js';

function podsOf(text: string): PodView[] {
  const finder = new PodTemplateFinder();
  return loadText(text, 'test.yaml').objects.map((object) => {
    const template = finder.find(object);
    if (template.kind !== 'template') throw new Error(`no pod template in ${object.kind} ${object.name}`);
    return buildPodView(template.template);
  });
}

const deployment = (name: string, user: number): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  template:\n    spec:\n      securityContext: {runAsUser: ${user}}\n      containers:\n        - name: app\n          securityContext: {privileged: true, capabilities: {add: [NET_ADMIN]}}\n          ports: [{containerPort: 80, hostPort: 80}]\n`;

test('two Deployments share the arrays of equal paths, and the paths name the right fields', () => {
  const [first, second] = podsOf(`${deployment('a', 1)}---\n${deployment('b', 2)}`);
  assert.ok(first && second);
  const [one] = first.containers;
  const [two] = second.containers;
  assert.ok(one && two);
  assert.deepEqual(one.path, ['spec', 'template', 'spec', 'containers', 0]);
  assert.equal(one.path, two.path);
  assert.deepEqual(one.effective.privileged?.path, ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged']);
  assert.equal(one.effective.privileged?.path, two.effective.privileged?.path);
  assert.deepEqual(one.effective.capabilitiesAdd[0]?.path, ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'capabilities', 'add', 0]);
  assert.equal(one.effective.capabilitiesAdd[0]?.path, two.effective.capabilitiesAdd[0]?.path);
  assert.deepEqual(one.hostPorts[0]?.path, ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'hostPort']);
  // The values are each pod's own; only the paths are shared.
  assert.equal(first.podLevel.runAsUser?.value, 1);
  assert.equal(second.podLevel.runAsUser?.value, 2);
  assert.equal(first.podLevel.runAsUser?.path, second.podLevel.runAsUser?.path);
  assert.deepEqual(one.effective.runAsUser?.path, ['spec', 'template', 'spec', 'securityContext', 'runAsUser']);
});

test('a string segment and a number segment are different paths', () => {
  const parent = ['spec', 'containers'] as const;
  const byNumber = childPath(parent, 0);
  const byString = childPath(parent, '0');
  assert.notEqual(byNumber, byString);
  assert.deepEqual(byNumber, ['spec', 'containers', 0]);
  assert.deepEqual(byString, ['spec', 'containers', '0']);
  assert.equal(childPath(parent, 0), byNumber);
});

test('past the limit of shared paths, new paths are fresh copies, still right', () => {
  const parent = ['spec', 'volumes'] as const;
  for (let index = 0; index < 60_000; index++) childPath(parent, index);
  const late = childPath(parent, 70_000);
  assert.deepEqual(late, ['spec', 'volumes', 70_000]);
  assert.notEqual(childPath(parent, 70_000), late);
  // Paths shared before the limit stay shared.
  assert.equal(childPath(parent, 5), childPath(parent, 5));
});
