import assert from 'node:assert/strict';
import test from 'node:test';
import { readEventList } from './eventList.js';

/** What JSON.parse of the whole body makes of it: the items and other members, or undefined when it throws. */
function wholeBody(text: string): { members: Record<string, unknown>; items: unknown } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { members: {}, items: undefined };
  const { items, ...members } = parsed as Record<string, unknown>;
  return { members, items };
}

const event = (index: number, extra: Record<string, unknown> = {}) => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  auditID: `id-${index}`,
  stage: 'ResponseComplete',
  verb: 'create',
  user: { username: 'système:nœud:ノード-1', groups: ['a', 'b'] },
  objectRef: { resource: 'pods', namespace: 'team', name: `p-${index}` },
  requestObject: { items: [{ nested: '}]"\\' }], note: 'a "quoted" [bracket] {brace} \\ back\nslash', emoji: '🛡️' },
  responseStatus: { code: 201 },
  ...extra,
});

const valid: string[] = [
  JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [event(1), event(2), event(3)] }),
  JSON.stringify({ items: [event(1)], kind: 'EventList' }, null, 2),
  ` \n\t{ "kind" : "EventList" , "items" : [ ${JSON.stringify(event(1))} ,\n ${JSON.stringify(event(2))} ] , "metadata" : { "resourceVersion" : "7" } } \n`,
  JSON.stringify({ kind: 'EventList', items: [] }),
  JSON.stringify({ kind: 'EventList', items: [1, 'two', null, true, [3], { four: 4 }, -5.5e3] }),
  '{"kind":"EventList","items":[{"a":1}],"items":[{"b":2}]}',
  '{"kind":"EventList","__proto__":{"polluted":true},"items":[{"__proto__":{"x":1}}]}',
  '{"kind":"Event\\u004cist","items":[{"a":"\\ud83d\\ude00"}]}',
];

test('an EventList read item by item equals JSON.parse of the whole body', () => {
  for (const text of valid) {
    const split = readEventList(Buffer.from(text, 'utf8'));
    const whole = wholeBody(text)!;
    assert.ok(split !== undefined, text.slice(0, 80));
    assert.deepEqual(split.items, whole.items);
    assert.deepEqual(split.members, whole.members);
    // __proto__ stays an own member, as JSON.parse keeps it.
    if (text.includes('"__proto__"')) {
      assert.ok(Object.hasOwn(split.members, '__proto__'));
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    }
  }
});

test('a body JSON.parse refuses is never read item by item: every truncation and corruption of a valid body', () => {
  const text = valid[0]!;
  const bytes = Buffer.from(text, 'utf8');
  let refused = 0;
  for (let end = 0; end < bytes.length; end++) {
    const cut = bytes.subarray(0, end);
    if (wholeBody(cut.toString('utf8')) === undefined) {
      refused++;
      assert.equal(readEventList(cut), undefined, `cut at ${end}`);
    }
  }
  assert.ok(refused > bytes.length - 5);
  for (const [from, to] of [[',', ';'], [':', ' '], ['[', '{'], ['"', "'"], ['}', ']'], ['1', 'x']] as const) {
    for (let at = text.indexOf(from); at >= 0; at = text.indexOf(from, at + 1)) {
      const corrupted = text.slice(0, at) + to + text.slice(at + 1);
      const whole = wholeBody(corrupted);
      const split = readEventList(Buffer.from(corrupted, 'utf8'));
      if (whole === undefined) assert.equal(split, undefined, corrupted.slice(Math.max(0, at - 20), at + 20));
      else if (split !== undefined) assert.deepEqual(split.items, whole.items);
    }
  }
});

test('what is not an object with an items array is left to the whole-body parse', () => {
  for (const text of ['', '[]', '"EventList"', '{}', '{"kind":"EventList"}', '{"kind":"EventList","items":{}}', '{"kind":"EventList","items":[1],"items":2}', '\ufeff{"kind":"EventList","items":[]}', '{"items":[1]} x', '{"items":[1],}', '{"items":[1,]}']) {
    assert.equal(readEventList(Buffer.from(text, 'utf8')), undefined, text);
  }
});

test('deep nesting and long bodies are walked without recursion', () => {
  const deep = `{"kind":"EventList","items":[${'['.repeat(100_000)}${']'.repeat(100_000)}]}`;
  // JSON.parse of the item throws (too deep) or succeeds; either way the verdict is the whole body's.
  const whole = wholeBody(deep);
  const split = readEventList(Buffer.from(deep));
  if (whole === undefined) assert.equal(split, undefined);
  else {
    // Walked as a loop: deepEqual and JSON.stringify recurse.
    let depth = 0;
    for (let value = split?.items[0]; Array.isArray(value); value = value[0]) depth++;
    assert.equal(depth, 100_000);
  }
  const many = JSON.stringify({ kind: 'EventList', items: Array.from({ length: 2000 }, (_, index) => event(index)) });
  assert.equal(readEventList(Buffer.from(many))?.items.length, 2000);
});
