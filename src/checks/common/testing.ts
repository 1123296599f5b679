/** Test helpers for the catalogue: scan plain objects with chosen checks, and tables of valid and invalid cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scanner, type ScanResult } from '../../engine/scan.js';
import { loadText } from '../../load/load.js';
import type { Finding, JsonObject } from '../../model/types.js';
import type { Check } from '../types.js';

export function scanObjects(checks: readonly Check[], objects: readonly JsonObject[]): ScanResult {
  const scanner = new Scanner({ checks });
  const batch = loadText(objects.map((object) => JSON.stringify(object)).join('\n---\n'), 'test.yaml');
  scanner.addDiagnostics(batch.diagnostics);
  for (const object of batch.objects) scanner.add(object);
  return scanner.finish();
}

export function findings(check: Check, objects: readonly JsonObject[]): Finding[] {
  const result = scanObjects([check], objects);
  const internal = result.diagnostics.filter((diagnostic) => diagnostic.code === 'internal-error');
  assert.deepEqual(internal, [], 'no check may throw');
  return result.findings;
}

export function pod(spec: JsonObject, metadata: JsonObject = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'app', ...metadata }, spec };
}

export function deployment(podSpec: JsonObject, podMetadata: JsonObject = {}, namespace = 'app'): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace },
    spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' }, ...podMetadata }, spec: podSpec } },
  };
}

/** A pod spec with one container `app`; `container` fields are merged into it. */
export function withContainer(container: JsonObject = {}, spec: JsonObject = {}): JsonObject {
  return { containers: [{ name: 'app', image: 'registry.example/app:1.0', ...container }], ...spec };
}

export interface Case {
  readonly name: string;
  readonly objects: readonly JsonObject[];
  /** Expected number of findings (default 1 for invalid cases). */
  readonly count?: number;
  /** A substring every finding message must contain. */
  readonly message?: string;
}

/** ESLint-style table: valid cases must report nothing, invalid ones exactly `count` findings. */
export function checkCases(check: Check, cases: { valid: readonly Case[]; invalid: readonly Case[] }): void {
  for (const entry of cases.valid) {
    test(`${check.meta.id}: valid: ${entry.name}`, () => {
      assert.deepEqual(findings(check, entry.objects).map((finding) => finding.message), []);
    });
  }
  for (const entry of cases.invalid) {
    test(`${check.meta.id}: invalid: ${entry.name}`, () => {
      const found = findings(check, entry.objects);
      assert.equal(found.length, entry.count ?? 1, found.map((finding) => finding.message).join('\n'));
      if (entry.message !== undefined) for (const finding of found) assert.ok(finding.message.includes(entry.message), finding.message);
    });
  }
}
