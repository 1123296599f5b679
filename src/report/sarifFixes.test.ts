/**
 * SARIF `fixes`: every fixable finding of a scan carries the replacement
 * `rampart fix` would make, valid against the SARIF schema, and applying one
 * replacement to the file (as an editor or code-scanning service would)
 * makes exactly that finding go away without adding any.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { lineReplacement, type TextReplacement } from '../fix/replacements.js';
import { CLI } from '../testing/paths.js';
import type { SarifLog } from './sarif.js';
import { describeErrors, sarifValidator } from './testing/schemas.js';
import { tempDir } from '../testing/tempDir.js';

/** Applies a replacement to a text, as a SARIF consumer does. */
function applyReplacement(text: string, replacement: TextReplacement): string {
  const offset = (line: number, column: number): number => {
    let at = 0;
    for (let current = 1; current < line; current++) at = text.indexOf('\n', at) + 1;
    return at + column - 1;
  };
  return text.slice(0, offset(replacement.startLine, replacement.startColumn)) + replacement.text + text.slice(offset(replacement.endLine, replacement.endColumn));
}

function rampart(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const MANIFEST = `# a service account first, so the pod is the second document
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  hostPID: true
  containers:
    - name: app   # main
      image: registry.example.com/web:1.2
      ports: [{containerPort: 80, hostPort: 80}]
      securityContext:
        privileged: true
        capabilities: {add: [SYS_ADMIN, NET_ADMIN]}`;

type Keyed = { ruleId: string; message: { text: string }; properties: { object: { kind: string; name: string }; container?: string; path?: string } };

/** A finding by check, object and container: a fix may move where a remaining finding points, not whether it exists. */
function key(result: Keyed): string {
  return `${result.ruleId} ${result.properties.object.kind}/${result.properties.object.name} ${result.properties.container ?? ''}`;
}

/** A finding down to its message: a check that fires twice in one container (two added capabilities) is told apart. */
function exactKey(result: Keyed): string {
  return `${key(result)} ${result.message.text}`;
}

test('fixable SARIF results carry fixes; each one applied alone removes its finding and adds none', () => {
  const dir = tempDir('rampart-sarif-fixes-');
  writeFileSync(path.join(dir, 'web.yaml'), MANIFEST);
  const scan = (): SarifLog => JSON.parse(rampart(['scan', '.', '--format', 'sarif', '--fail-on', 'critical'], dir).stdout) as SarifLog;
  const log = scan();
  const validate = sarifValidator();
  assert.ok(validate(log), `SARIF schema violations: ${describeErrors(validate)}`);
  const results = log.runs[0].results;
  const withFixes = results.filter((result) => result.fixes !== undefined);
  assert.ok(withFixes.length >= 8, `only ${withFixes.length} results with fixes`);
  for (const id of ['pod-host-pid', 'container-privileged', 'container-host-port', 'container-capability-sys-admin', 'container-capabilities-added', 'service-account-default-automount']) {
    assert.ok(withFixes.some((result) => result.ruleId === id), `${id} carries a fix`);
  }
  // Findings without a fixable check carry none.
  assert.ok(results.filter((result) => result.ruleId === 'pod-sensitive-host-path' || result.ruleId === 'image-not-pinned-by-digest').every((result) => result.fixes === undefined));
  const before = new Set(results.map(key));
  for (const result of withFixes) {
    const fix = result.fixes?.[0];
    assert.ok(fix !== undefined);
    assert.match(fix.description.text, /^(set|remove|add) /);
    const change = fix.artifactChanges[0];
    assert.equal(change?.artifactLocation.uri, 'web.yaml');
    const replacement = change.replacements[0];
    assert.ok(replacement !== undefined);
    writeFileSync(path.join(dir, 'web.yaml'), applyReplacement(MANIFEST, { file: 'web.yaml', ...replacement.deletedRegion, text: replacement.insertedContent.text }));
    const rescanned = scan().runs[0].results;
    assert.ok(!rescanned.map(exactKey).includes(exactKey(result)), `${exactKey(result)} is gone after its fix (${fix.description.text})`);
    assert.deepEqual(rescanned.map(key).filter((entry) => !before.has(entry)), [], `${result.ruleId}: no new finding`);
    assert.match(readFileSync(path.join(dir, 'web.yaml'), 'utf8'), /- name: app {3}# main\n/, 'comments survive');
  }
});

test('line replacements: insertion, change, deletion, and a change at the end of a file without a final newline', () => {
  const cases: Array<[string, string]> = [
    ['a\nb\nc\n', 'a\nb\nx\nc\n'],
    ['a\nb\nc\n', 'a\nB\nc\n'],
    ['a\nb\nc\n', 'a\nc\n'],
    ['a\nb\nc', 'a\nb\nC'],
    ['a\nb', 'a\nb\nc'],
    ['a\n', 'x\na\n'],
  ];
  for (const [before, after] of cases) {
    const replacement = lineReplacement('f', before, after) as TextReplacement;
    assert.ok(replacement !== undefined);
    assert.equal(applyReplacement(before, replacement), after, JSON.stringify([before, after, replacement]));
  }
  assert.equal(lineReplacement('f', 'same\n', 'same\n'), undefined);
  assert.deepEqual(lineReplacement('f', 'a\nb\nc\n', 'a\nb\nx\nc\n'), { file: 'f', startLine: 3, startColumn: 1, endLine: 3, endColumn: 1, text: 'x\n' });
});
