/** The quick reader either reads a document exactly as js-yaml does, or gives up on it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFast } from './fastYaml.js';
import { parseQuick } from './quickYaml.js';

function jsYamlValue(text: string): unknown {
  const result = parseFast(text, 256);
  assert.equal(result.kind, 'documents', `js-yaml reads ${JSON.stringify(text)}`);
  if (result.kind !== 'documents') return undefined;
  assert.equal(result.documents.length, 1);
  return result.documents[0]?.value;
}

const READ: Record<string, string> = {
  'scalars the core schema types': 'a: 1\nb: -2.5\nc: 0x1F\nd: 0o17\ne: true\nf: False\ng: ~\nh: null\ni: .inf\nj: 1e3\nk: yes\nl: 012\nm: 1_000\nn: +7\n',
  'keys the core schema types, then turned to strings': '1: a\ntrue: b\nnull: c\n0x10: d\n1.50: e\n',
  'plain scalars with indicators inside': 'a: http://x:80/y\nb: a#b\nc: -x\nd: ?y\ne: :z\nf: not [flow], {either}\n',
  'comments and trailing spaces': 'a: b   # comment\nc: "d"  # comment\n# whole line\ne:    \n',
  'double-quoted escapes': 'a: "tab\\there \\"q\\" \\\\ \\/ \\x41 \\u00e9 \\U0001F600 \\N \\_ \\0"\n',
  'single-quoted escapes': "a: 'it''s'\nb: ''\nc: '#not a comment'\n",
  'literal block scalars and chomping': 'a: |\n  one\n\n  two\n\nb: |-\n  x\nc: |+\n  y\n\n\nd: |2\n    indented\ne: |\n\nf: end\n',
  'folded block scalars with more-indented lines': 'a: >\n  one\n  two\n\n  three\n    more\n  four\nb: >-\n  x\n  y\n',
  'block scalars in sequences and at the end of the text': '- |\n  a\n- >\n  b\n  c',
  'nested block collections, zero-indented sequences': 'a:\n  b:\n  - c: 1\n    d: [1, {e: 2}]\n  -   f: 3\n- x\n'.replace('- x\n', ''),
  'compact nested sequences': '- - a\n  - b\n- - - c\n',
  'flow collections over several lines (JSON)': '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {"c": null, "d": true},\n  "e": "f"\n}\n',
  'flow trailing comma and empty collections': 'a: [1, 2, ]\nb: {}\nc: []\nd: {x: [], y: {}}\n',
  'CRLF line endings': 'a: 1\r\nb:\r\n  - x\r\n  - "y"\r\nc: |\r\n  z\r\n',
  'a document marker with a comment, and an end marker': '# lead\n--- # here\na: 1\n...\n',
  'an indented root mapping': '  a: 1\n  b: 2\n',
  'a root scalar': 'just text\n',
  'tabs after colons and inside values': 'a:\tb\nc: d\te\n',
  'non-ASCII keys and values': 'ä: ü\n€: "😀"\n',
  'comments where a value or an item could start': 'spec: # the spec\n  a: 1\nl:\n  - # first\n    b: 2\nc: |  # a block scalar\n  text\n',
};

for (const [name, text] of Object.entries(READ)) {
  test(`reads, as js-yaml does: ${name}`, () => {
    const quick = parseQuick(text, 256);
    assert.ok(quick !== undefined, 'the quick reader takes it');
    assert.deepStrictEqual(quick.value, jsYamlValue(text));
  });
}

const GIVE_UP: Record<string, string> = {
  'anchors and aliases': 'a: &x 1\nb: *x\n',
  tags: 'a: !!str 1\n',
  'explicit keys': '? a\n: 1\n',
  'repeated keys': 'a: 1\na: 2\n',
  'merge keys': 'a:\n  <<: {b: 1}\n',
  'multi-line plain scalars': 'a: one\n  two\n',
  'multi-line quoted scalars': 'a: "one\n  two"\n',
  'an empty sequence item': '- \n- a\n',
  'tabs in indentation': 'a:\n\tb: 1\n',
  'content on the marker line': '--- {a: 1}\n',
  'a directive': '%YAML 1.2\n---\na: 1\n',
  'a flow mapping used as a key': '{a: 1}: b\n',
  'pairs inside a flow sequence': 'a: [b: 1]\n',
  'a lone CR': 'a: 1\rb: 2\r',
  'bad indentation': 'a: 1\n  b: 2\n',
  'a mapping then a sequence at the same indentation': 'a: 1\n- b\n',
  'an unknown escape': 'a: "\\q"\n',
  'a non-printable character': 'a: "\u0007"\n',
  '__proto__ as a key': '__proto__: 1\n',
  'nesting deeper than the limit': 'a: '.repeat(1) + '[[[[[[[[1]]]]]]]]\n',
};

for (const [name, text] of Object.entries(GIVE_UP)) {
  test(`gives up (js-yaml decides): ${name}`, () => {
    assert.equal(parseQuick(text, 4), undefined);
  });
}

test('positions: every node starts at its content, keys and items in preorder', () => {
  const quick = parseQuick('a:\n  - b: "x"\n    c: [1, 2]\n', 256);
  assert.ok(quick);
  // root mapping, key a, sequence, item mapping, key b, "x", key c, [1, 2], 1, 2
  const count = quick.nodes.ends[0] ?? 0;
  assert.deepEqual([...quick.nodes.starts.subarray(0, count)], [0, 0, 5, 7, 7, 10, 18, 21, 22, 25]);
  assert.deepEqual([...quick.nodes.ends.subarray(0, count)], [10, 2, 10, 10, 5, 6, 7, 10, 9, 10]);
});
