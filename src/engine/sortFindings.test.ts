/** sortFindings: one order whether the findings are at one place (a webhook's object) or spread over files. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SEVERITIES, type Finding, type Severity } from '../model/types.js';
import { sortFindings } from './scan.js';

/** A small deterministic generator (xorshift), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function finding(next: () => number, onePlace: boolean): Finding {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  const location = onePlace
    ? { file: '<admission request>', documentIndex: 0, line: 1, column: 1 }
    : { file: pick(['a.yaml', 'b.yaml']), documentIndex: pick([0, 1]), line: pick([1, 2, 3]), column: pick([1, 5]) };
  return {
    checkId: pick(['PSS-privileged', 'container-run-as-non-root', 'image-latest-tag', 'PSS-hostNamespaces']),
    severity: pick(SEVERITIES) as Severity,
    title: 't',
    message: pick(['container "a" must', 'container "b" must', 'pod must']),
    object: { apiVersion: 'v1', kind: 'Pod', name: 'p' },
    location,
    frameworks: [],
  };
}

/** The documented order, spelled out: file, document, line, severity (most severe first), check, column, message. */
function reference(findings: readonly Finding[]): Finding[] {
  const rank = (severity: Severity): number => SEVERITIES.length - SEVERITIES.indexOf(severity);
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...findings].sort(
    (a, b) =>
      text(a.location.file, b.location.file) ||
      a.location.documentIndex - b.location.documentIndex ||
      a.location.line - b.location.line ||
      rank(b.severity) - rank(a.severity) ||
      text(a.checkId, b.checkId) ||
      a.location.column - b.location.column ||
      text(a.message, b.message),
  );
}

test('findings at one place and findings over several places are sorted in the documented order, ties kept in input order', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const next = random(seed);
    const onePlace = seed % 2 === 0;
    const findings = Array.from({ length: 1 + Math.floor(next() * 40) }, () => finding(next, onePlace));
    // One object shared by every finding, as the Scanner shares locations, in a third of the cases.
    if (onePlace && seed % 3 === 0) for (const entry of findings) (entry as { location: Finding['location'] }).location = findings[0]!.location;
    const expected = reference(findings);
    const sorted = [...findings];
    sortFindings(sorted);
    assert.ok(sorted.every((entry, index) => entry === expected[index]), `seed ${seed}: same order, same objects`);
  }
});

test('one finding elsewhere is enough to sort by place', () => {
  const next = random(7);
  const findings = Array.from({ length: 20 }, () => finding(next, true));
  findings.push({ ...finding(next, true), location: { file: '<admission request>', documentIndex: 0, line: 1, column: 0 } });
  const sorted = [...findings];
  sortFindings(sorted);
  assert.deepEqual(sorted, reference(findings));
});
