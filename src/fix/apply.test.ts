import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixText, type ObjectFix } from './apply.js';
import { unifiedDiff } from './diff.js';

const CONTAINER = ['spec', 'containers', 0, 'securityContext'];

function podFix(edits: ObjectFix['edits'], documentIndex = 0): ObjectFix {
  return { documentIndex, pathInDocument: [], kind: 'Pod', name: 'p', edits };
}

const POD = `# header comment
apiVersion: v1
kind: Pod
metadata:
  name: p   # the name
spec:
  containers:
    - name: app
      image: app:1   # pinned
      securityContext:
        runAsUser: 1000
`;

test('a set keeps comments, key order and the file’s spacing, and adds only the field', () => {
  const result = fixText(POD, [podFix([{ op: 'set', path: [...CONTAINER, 'allowPrivilegeEscalation'], value: false }])]);
  assert.equal(result.status, 'fixed');
  assert.equal(result.status === 'fixed' ? result.text : '', POD.replace('runAsUser: 1000\n', 'runAsUser: 1000\n        allowPrivilegeEscalation: false\n'));
});

test('an explicit value that is already what the fix wants is left alone', () => {
  const text = POD.replace('runAsUser: 1000', 'runAsUser: 1000\n        readOnlyRootFilesystem: true   # keep');
  const result = fixText(text, [podFix([{ op: 'set', path: [...CONTAINER, 'readOnlyRootFilesystem'], value: true }])]);
  assert.deepEqual(result, { status: 'unchanged', skipped: [] });
});

test('a scalar is changed in place and keeps its comment', () => {
  const text = POD.replace('runAsUser: 1000', 'allowPrivilegeEscalation: true # legacy');
  const result = fixText(text, [podFix([{ op: 'set', path: [...CONTAINER, 'allowPrivilegeEscalation'], value: false }])]);
  assert.equal(result.status === 'fixed' ? result.text : '', text.replace('allowPrivilegeEscalation: true # legacy', 'allowPrivilegeEscalation: false # legacy'));
});

test('append adds to a flow list in flow style and does not repeat ALL', () => {
  const text = POD.replace('runAsUser: 1000', 'capabilities: {drop: [NET_RAW]}');
  const edit = { op: 'append', path: [...CONTAINER, 'capabilities', 'drop'], value: 'ALL' } as const;
  const once = fixText(text, [podFix([edit])]);
  assert.equal(once.status === 'fixed' ? once.text : '', text.replace('[NET_RAW]', '[NET_RAW, ALL]'));
  assert.equal(fixText(text.replace('[NET_RAW]', '[cap_all]'), [podFix([edit])]).status, 'unchanged');
});

test('delete removes only the key', () => {
  const text = POD.replace('runAsUser: 1000', 'runAsUser: 1000\n        privileged: true');
  const result = fixText(text, [podFix([{ op: 'delete', path: [...CONTAINER, 'privileged'] }])]);
  assert.equal(result.status === 'fixed' ? result.text : '', POD);
});

test('only the edited document of a stream is re-rendered; the others keep their bytes', () => {
  const other = `---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name:   odd }\ndata:\n    key:    value\n`;
  const text = `${POD}${other}`;
  const result = fixText(text, [podFix([{ op: 'set', path: ['spec', 'automountServiceAccountToken'], value: false }])]);
  assert.equal(result.status, 'fixed');
  assert.ok(result.status === 'fixed' && result.text.endsWith(other));
  assert.ok(result.status === 'fixed' && result.text.includes('  automountServiceAccountToken: false\n'));
});

test('files with anchors or aliases, templates or syntax errors are refused with a reason', () => {
  const edit = podFix([{ op: 'set', path: [...CONTAINER, 'runAsNonRoot'], value: true }]);
  const anchored = POD.replace('securityContext:\n        runAsUser: 1000', 'securityContext: &sc\n        runAsUser: 1000\n      env: *sc');
  const cases: Array<[string, RegExp]> = [
    [anchored, /anchors or aliases/],
    [POD.replace('app:1', '{{ .Values.image }}'), /template/],
    [`${POD}  bad: [unclosed\n`, /does not parse/],
    ['{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "securityContext": {}}]}}\n', /JSON files are not edited/],
  ];
  for (const [text, reason] of cases) {
    const result = fixText(text, [edit]);
    assert.equal(result.status, 'refused');
    assert.match(result.status === 'refused' ? result.reason : '', reason);
  }
});

test('a document that is not the scanned object is skipped, not edited', () => {
  const result = fixText(POD, [{ ...podFix([{ op: 'set', path: ['spec', 'x'], value: 1 }]), kind: 'Deployment' }]);
  assert.equal(result.status, 'unchanged');
  assert.match(result.status === 'unchanged' ? (result.skipped[0] ?? '') : '', /not the object that was scanned/);
});

test('a scalar where a mapping is needed is reported, not overwritten', () => {
  const text = POD.replace('securityContext:\n        runAsUser: 1000', 'securityContext: "x"');
  const result = fixText(text, [podFix([{ op: 'set', path: [...CONTAINER, 'runAsNonRoot'], value: true }])]);
  assert.equal(result.status, 'unchanged');
});

test('unifiedDiff prints hunks with context and line numbers', () => {
  const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n';
  const after = before.replace('e\n', 'e\nE\n');
  assert.equal(unifiedDiff(before, after, 'a/x.yaml', 'b/x.yaml'), '--- a/x.yaml\n+++ b/x.yaml\n@@ -3,6 +3,7 @@\n c\n d\n e\n+E\n f\n g\n h\n');
  assert.equal(unifiedDiff(before, before, 'a', 'b'), '');
  const changed = unifiedDiff('x\n', 'y\n', 'a', 'b');
  assert.equal(changed, '--- a\n+++ b\n@@ -1,1 +1,1 @@\n-x\n+y\n');
});

test('a file that mixes sequence styles keeps each list in its own style; a new item follows its siblings', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    securityContext:\n      capabilities:\n        drop:\n          - NET_RAW\n        add:\n          - SYS_ADMIN\n          - NET_ADMIN\n';
  const edits = [
    { op: 'append' as const, path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'drop'], value: 'ALL' },
    { op: 'removeItem' as const, path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'add'], value: 'SYS_ADMIN' },
  ];
  const result = fixText(text, [{ documentIndex: 0, pathInDocument: [], kind: 'Pod', name: 'p', edits }]);
  assert.equal(result.status, 'fixed');
  assert.equal(result.status === 'fixed' ? result.text : '', text.replace('          - NET_RAW\n', '          - NET_RAW\n          - ALL\n').replace('          - SYS_ADMIN\n', ''));
});

test('removeItem removes by value (or by a key of mapping items) and drops the emptied list', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    sysctls:\n    - {name: kernel.msgmax, value: "1"}\n  containers:\n  - name: a\n    securityContext:\n      capabilities: {add: [SYS_ADMIN]}\n';
  const edits = [
    { op: 'removeItem' as const, path: ['spec', 'securityContext', 'sysctls'], value: 'kernel.msgmax', key: 'name' },
    { op: 'removeItem' as const, path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'add'], value: 'SYS_ADMIN' },
    { op: 'removeItem' as const, path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'add'], value: 'SYS_ADMIN' },
  ];
  const result = fixText(text, [{ documentIndex: 0, pathInDocument: [], kind: 'Pod', name: 'p', edits }]);
  assert.equal(result.status, 'fixed');
  assert.equal(result.status === 'fixed' ? result.applied : 0, 2, 'the repeated removal finds nothing left to remove');
  assert.equal(result.status === 'fixed' ? result.text : '', 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {}\n  containers:\n  - name: a\n    securityContext:\n      capabilities: {}\n');
});

test('the no-newline marker follows the last line only where that line is shown, as diff -u writes it', () => {
  assert.equal(unifiedDiff('a\nb\nc', 'a\nb\nC', 'o', 'n'), '--- o\n+++ n\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+C\n\\ No newline at end of file\n');
  const far = 'x\n1\n2\n3\n4\n5\n6\n7\n8\nend';
  assert.doesNotMatch(unifiedDiff(far, far.replace('x', 'y'), 'o', 'n'), /No newline/);
});
