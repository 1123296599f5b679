import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadText } from '../load/load.js';
import { PodTemplateFinder } from '../model/podTemplates.js';
import { buildPodView, type PodView } from '../model/podView.js';
import type { ImageScanResult } from './scan.js';
import { combineImageAndWorkload, containerImages } from './workloads.js';

function podOf(text: string): PodView {
  const [object] = loadText(text, 'test.yaml').objects;
  assert.ok(object);
  const template = new PodTemplateFinder().find(object);
  if (template.kind !== 'template') throw new Error('no pod template');
  return buildPodView(template.template);
}

function scanResult(rootImage: boolean, criticalCount: number): ImageScanResult {
  const found = { name: 'openssl', version: '3.0.0', type: 'deb' as const, location: '/var/lib/dpkg/status', layer: 0 };
  return {
    inventory: { image: { source: 'app:1', kind: 'registry', repoTags: [], config: { config: rootImage ? {} : { User: '1000' } }, layers: [] }, packages: [found], attributed: [], setuidFiles: [], warnings: [], stats: { layers: 0, entries: 0, bytes: 0 } },
    configFindings: rootImage ? [{ id: 'IMG-ROOT-USER', severity: 'medium', title: 'Image runs as root', message: '' }] : [],
    vulnerabilities: Array.from({ length: criticalCount }, (_, index) => ({ id: `CVE-2026-000${index}`, advisoryIds: [], sources: ['osv'], package: found, severity: 'critical' as const, reason: '' })),
    suppressed: [],
    unmatched: [],
    purls: new Map(),
  };
}

const deployment = (securityContext: string, containerContext = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
${securityContext}
      containers:
      - name: app
        image: registry.example/app:1
${containerContext}
`;

test('a root image in a pod that forces a non-root user is not reported as running as root', () => {
  const forced = podOf(deployment('      securityContext: {runAsNonRoot: true}'));
  const [entry] = containerImages(forced);
  assert.equal(entry?.image, 'registry.example/app:1');
  assert.deepEqual(combineImageAndWorkload(entry!.container, entry!.image, scanResult(true, 2)), []);
  const uid = podOf(deployment('      securityContext: {runAsUser: 1000}'));
  assert.deepEqual(combineImageAndWorkload(containerImages(uid)[0]!.container, 'app', scanResult(true, 2)), []);
});

test('critical vulnerabilities combine with root and privileged containers', () => {
  const plain = podOf(deployment('      securityContext: {}'));
  const rootFindings = combineImageAndWorkload(containerImages(plain)[0]!.container, 'app:1', scanResult(true, 2));
  assert.deepEqual(rootFindings.map((finding) => [finding.id, finding.severity]), [['IMG-WL-RUNS-AS-ROOT', 'medium'], ['IMG-WL-CRITICAL-ROOT', 'high']]);
  assert.match(rootFindings[1]!.message, /runs as root \(the image's USER is root and the pod does not override it\) and its image app:1 has 2 critical vulnerabilities \(CVE-2026-0000 in openssl 3\.0\.0, CVE-2026-0001 in openssl 3\.0\.0\)/);
  const privileged = podOf(deployment('      securityContext: {runAsUser: 1000}', '        securityContext: {privileged: true}'));
  assert.deepEqual(combineImageAndWorkload(containerImages(privileged)[0]!.container, 'app:1', scanResult(false, 1)).map((finding) => finding.id), ['IMG-WL-CRITICAL-PRIVILEGED']);
  assert.deepEqual(combineImageAndWorkload(containerImages(privileged)[0]!.container, 'app:1', scanResult(false, 0)), []);
  const explicitRoot = podOf(deployment('      securityContext: {runAsUser: 0}'));
  assert.match(combineImageAndWorkload(containerImages(explicitRoot)[0]!.container, 'app:1', scanResult(false, 0))[0]!.message, /runAsUser is 0 \(pod level\)/);
});
