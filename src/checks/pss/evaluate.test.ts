/** judgePod's modes, kept as bits: every combination reads back in PSS_MODES order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadText } from '../../load/load.js';
import { ClusterIndex } from '../../model/clusterIndex.js';
import { buildPodView } from '../../model/podView.js';
import { PodTemplateFinder } from '../../model/podTemplates.js';
import { judgePod, modeBit, modesOf } from './evaluate.js';
import { PSS_MODES, type PssMode } from './namespacePolicy.js';

test('modesOf(bits) lists exactly the modes whose bit is set, in PSS_MODES order, for all eight sets', () => {
  assert.deepEqual(PSS_MODES.map(modeBit), [1, 2, 4]);
  for (let bits = 0; bits < 8; bits++) {
    const expected = PSS_MODES.filter((mode) => (bits & modeBit(mode)) !== 0);
    assert.deepEqual(modesOf(bits), expected);
    let back = 0;
    for (const mode of modesOf(bits)) back |= modeBit(mode);
    assert.equal(back, bits);
  }
});

test('a violation that two modes at different levels hit names both, in PSS_MODES order, whatever order the levels are evaluated in', () => {
  const text = [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    '  name: shop',
    '  labels:',
    '    pod-security.kubernetes.io/warn: baseline',
    '    pod-security.kubernetes.io/enforce: restricted',
    '    pod-security.kubernetes.io/audit: baseline',
    '---',
    'apiVersion: v1',
    'kind: Pod',
    'metadata: {name: web, namespace: shop}',
    'spec:',
    '  hostPID: true',
    '  containers: [{name: app, image: app:1}]',
    '',
  ].join('\n');
  const loaded = loadText(text, 'pod.yaml');
  const cluster = new ClusterIndex();
  for (const object of loaded.objects) cluster.addObject(object);
  const pod = loaded.objects.find((object) => object.kind === 'Pod');
  assert.ok(pod !== undefined);
  const template = new PodTemplateFinder().find(pod);
  assert.equal(template.kind, 'template');
  if (template.kind !== 'template') return;
  const judgement = judgePod(pod, buildPodView(template.template), cluster, { level: 'restricted', minor: 30 });
  const modesOfCheck = (id: string): readonly PssMode[] | undefined => judgement.violations.find((violation) => violation.check.id === id)?.modes;
  // hostPID breaks baseline (and so restricted): every mode; runAsNonRoot only restricted: enforce alone.
  assert.deepEqual(modesOfCheck('hostNamespaces'), ['enforce', 'audit', 'warn']);
  assert.deepEqual(modesOfCheck('runAsNonRoot'), ['enforce']);
  assert.equal(judgement.allowed, false);
});
