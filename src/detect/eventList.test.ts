/** eventListItems: the items of an EventList read one by one agree with JSON.parse, and anything else is left to JSON.parse. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventListItems } from './eventList.js';
import { rawEvent } from './testSupport.js';

const items = (text: string): unknown[] | undefined => eventListItems(Buffer.from(text, 'utf8'));

test('EventLists in any layout give the same items as JSON.parse', () => {
  const events = [
    rawEvent({ verb: 'get', resource: 'pods', auditID: 'a1' }),
    { kind: 'Event', auditID: 'tricky', note: 'quote " backslash \\ brackets ]}[{ comma , colon : newline \n tab \t', unicode: 'é ü 中文 🚀 \u2028', nested: [[], {}, [1, [2, { x: null }]], { '': true, 'a"b': -1.5e3 }] },
    'a string item',
    42,
    null,
    [1, 2, 3],
  ];
  const bodies = [
    JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: events }),
    JSON.stringify({ items: events, apiVersion: 'audit.k8s.io/v1', kind: 'EventList' }, null, 2),
    `\r\n\t { "kind" : "EventList" ,\n "items" : [ ${events.map((event) => JSON.stringify(event, null, 1)).join(' ,\n ')} ] } \n`,
    JSON.stringify({ kind: 'EventList', items: [] }),
    '{"kind":"EventList","items":[ ]}',
    JSON.stringify({ kind: 'EventList', metadata: { resourceVersion: '1', continue: 'x]' }, items: events.slice(0, 2) }),
  ];
  for (const body of bodies) assert.deepEqual(items(body), (JSON.parse(body) as { items: unknown[] }).items, body.slice(0, 80));
});

test('random documents agree with JSON.parse', () => {
  let seed = 11;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const alphabet = ['a', 'Z', ' ', '"', '\\', '/', '{', '}', '[', ']', ',', ':', '\n', 'é', '中', '🚀', '\u0000', '\u001f'];
  const text = (): string => Array.from({ length: Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
  const value = (depth: number): unknown => {
    const roll = random();
    if (depth > 3 || roll < 0.3) return [text(), Math.floor(random() * 1e6) / 100 - 5000, true, false, null][Math.floor(random() * 5)];
    if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), value(depth + 1)]));
  };
  for (let round = 0; round < 300; round++) {
    const list = Array.from({ length: Math.floor(random() * 6) }, () => value(0));
    const body = JSON.stringify({ kind: 'EventList', x: value(1), items: list }, null, round % 3 === 0 ? 1 : undefined);
    assert.deepEqual(items(body), list, body);
  }
});

test('anything but a valid EventList is left to JSON.parse (undefined)', () => {
  const event = JSON.stringify(rawEvent({ verb: 'get', resource: 'pods', auditID: 'e1' }));
  for (const body of [
    event,
    '{"kind":"Event","items":[]}',
    '{"items":[]}',
    '{"kind":"EventList"}',
    '{"kind":"EventList","items":{}}',
    '{"kind":"EventList","items":[1,]}',
    '{"kind":"EventList","items":[1 2]}',
    '{"kind":"EventList","items":[{"a":1}}',
    '{"kind":"EventList","items":[tru]}',
    '{"kind":"EventList","items":["unterminated]}',
    '{"kind":"EventList","items":[]} trailing',
    '{"kind":"EventList","items":[],}',
    '{"kind":"EventList","kind":"Event","items":[]}',
    '{"kind":"EventList" "items":[]}',
    '{kind:"EventList","items":[]}',
    '[]',
    '',
    '   ',
    '{}',
    '{"kind":"EventList","items":[]',
  ])
    assert.equal(items(body), undefined, body);
});
