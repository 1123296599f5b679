import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../load/limits.js';
import { loadNamespaceFiles } from './namespaces.js';

describe('namespaces from files', () => {
  it('reads Namespace objects and Lists of them with the loader, ignores other kinds, and reports broken documents', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'rampart-namespaces-'));
    try {
      const file = path.join(directory, 'namespaces.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Namespace',
          'metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}',
          '---',
          'apiVersion: v1',
          'kind: List',
          'items:',
          '  - {apiVersion: v1, kind: Namespace, metadata: {name: dev}}',
          '  - {apiVersion: v1, kind: ConfigMap, metadata: {name: not-a-namespace}}',
          '---',
          'kind: [broken',
          '',
        ].join('\n'),
      );
      const { source, diagnostics } = await loadNamespaceFiles([file], DEFAULT_LIMITS);
      assert.deepEqual(source.labels('shop'), { 'pod-security.kubernetes.io/enforce': 'restricted' });
      assert.deepEqual(source.labels('dev'), {});
      assert.equal(source.labels('not-a-namespace'), undefined);
      assert.equal(source.labels('elsewhere'), undefined);
      assert.deepEqual(source.names().sort(), ['dev', 'shop']);
      assert.equal(source.ready(), true);
      assert.ok(diagnostics.some((diagnostic) => diagnostic.severity === 'error' && diagnostic.documentIndex === 2), JSON.stringify(diagnostics));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
