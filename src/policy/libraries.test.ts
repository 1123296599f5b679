/**
 * Every Kubernetes CEL library function, with cases written from the
 * Kubernetes documentation ("CEL in Kubernetes", library reference), plus
 * errors and edge cases.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { value } from './testSupport.js';

type Case = readonly [expression: string, expected: unknown];

function table(name: string, cases: readonly Case[]): void {
  describe(name, () => {
    for (const [expression, expected] of cases) {
      it(expression, () => {
        const actual = value(expression);
        if (expected instanceof RegExp) {
          assert.ok(typeof actual === 'object' && actual !== null && 'error' in actual, `expected an error, got ${JSON.stringify(actual)}`);
          assert.match(String((actual as { error: string }).error), expected);
        } else assert.deepEqual(actual, expected);
      });
    }
  });
}

table('regex', [
  ["'abc 123'.find('[0-9]+')", '123'],
  ["'abc'.find('[0-9]+')", ''],
  ["'123 abc 456'.findAll('[0-9]+')", ['123', '456']],
  ["'123 abc 456'.findAll('[0-9]+', 1)", ['123']],
  ["'123 abc 456'.findAll('[0-9]+', 0)", []],
  ["'123 abc 456'.findAll('[0-9]+', -1)", ['123', '456']],
  ["'abc'.matches('^a.c$')", true],
  ["'abc'.matches('b')", true],
  ["'abc'.find('(')", /invalid regular expression/],
  // RE2 has no backreferences: a pattern that needs backtracking is refused, not run.
  ["'aa'.matches('(a)\\\\1')", /invalid regular expression/],
]);

table('lists', [
  ['[1, 2, 3].isSorted()', true],
  ["['a', 'b', 'b', 'c'].isSorted()", true],
  ['[2.0, 1.0].isSorted()', false],
  ['[].isSorted()', true],
  ['[1, 2, 3].sum() == 6', true],
  ['[1.0, 2.0, 3.0].sum() == 6.0', true],
  ['[].sum()', 0],
  ['[1, 2, 3].min() == 1', true],
  ["['b', 'a'].max()", 'b'],
  ['[].min()', /empty list/],
  ["[1, 'a'].max()", /no matching overload/],
  ['[1, 2, 2, 3].indexOf(2) == 1', true],
  ['[1, 2, 2, 3].lastIndexOf(2) == 2', true],
  ['[1, 2, 3].indexOf(4)', -1],
  ["['a', 'b'].indexOf('b')", 1],
]);

table('url', [
  ["url('https://example.com:80/').getHost()", 'example.com:80'],
  ["url('https://example.com/path with spaces/').getEscapedPath()", '/path%20with%20spaces/'],
  ["url('https://example.com:80/').getPort()", '80'],
  ["url('https://example.com/').getPort()", ''],
  ["url('https://example.com/').getScheme()", 'https'],
  ["url('https://[::1]:80/').getHostname()", '::1'],
  ["url('https://[::1]:80/').getHost()", '[::1]:80'],
  ["url('/absolute-path').getScheme()", ''],
  ["url('/absolute-path').getHost()", ''],
  ["url('https://example.com/?k=v&k=v2&x=').getQuery()", { k: ['v', 'v2'], x: [''] }],
  ["isURL('https://example.com:80/')", true],
  ["isURL('../relative-path')", false],
  ["isURL('https://example.com:port/')", false],
  ["url('../relative-path')", /URL parse error/],
]);

table('quantity', [
  ["quantity('1.5Gi') == quantity('1536Mi')", true],
  ["quantity('1Gi') == quantity('1G')", false],
  ["quantity('1') == quantity('1000m')", true],
  ["isQuantity('1.3G')", true],
  ["isQuantity('1.3Gi')", true],
  ["isQuantity('1,3G')", false],
  ["isQuantity('10000000000000000000000000000000000000000Ki')", true],
  ["quantity('50k').isInteger()", true],
  ["quantity('50m').isInteger()", false],
  ["quantity('50k').asInteger()", 50000],
  ["quantity('50m').asInteger()", /cannot convert/],
  ["quantity('9999999999999999999999999999999999999G').asInteger()", /cannot convert/],
  ["quantity('50.5m').asApproximateFloat()", 0.0505],
  ["quantity('-50m').sign()", -1],
  ["quantity('0').sign()", 0],
  ["quantity('50k').add(quantity('20k')) == quantity('70k')", true],
  ["quantity('50k').add(20) == quantity('50020')", true],
  ["quantity('50k').sub(quantity('20k')) == quantity('30k')", true],
  ["quantity('50k').sub(20) == quantity('49980')", true],
  ["quantity('200M').compareTo(quantity('0.2G'))", 0],
  ["quantity('1Gi').compareTo(quantity('1G'))", 1],
  ["quantity('50M').isGreaterThan(quantity('100M'))", false],
  ["quantity('50M').isLessThan(quantity('100M'))", true],
  ["quantity('0.1').add(quantity('0.2')) == quantity('0.3')", true],
  ["quantity('1e3') == quantity('1k')", true],
  ["quantity('abc')", /invalid quantity/],
  ["quantity('1e99999999')", /exponent out of range/],
]);

table('ip', [
  ["isIP('127.0.0.1')", true],
  ["isIP('::1')", true],
  ["isIP('127.0.0.256')", false],
  ["isIP('127.0.0.01')", false],
  ["isIP('fe80::1%eth0')", false],
  ["isIP(ip('::ffff:1.2.3.4').family() == 6 ? 'x' : 'y')", /IPv4-mapped/],
  ["ip('127.0.0.1').family()", 4],
  ["ip('::1').family()", 6],
  ["ip.isCanonical('127.0.0.1')", true],
  ["ip.isCanonical('2001:db8::abcd')", true],
  ["ip.isCanonical('2001:DB8::ABCD')", false],
  ["ip.isCanonical('2001:db8:0:0:0:0:0:abcd')", false],
  ["string(ip('2001:DB8:0:0:1:0:0:1'))", '2001:db8::1:0:0:1'],
  ["ip('0.0.0.0').isUnspecified()", true],
  ["ip('::').isUnspecified()", true],
  ["ip('127.0.0.1').isLoopback()", true],
  ["ip('::1').isLoopback()", true],
  ["ip('224.0.0.1').isLinkLocalMulticast()", true],
  ["ip('224.0.1.1').isLinkLocalMulticast()", false],
  ["ip('ff02::1').isLinkLocalMulticast()", true],
  ["ip('169.254.169.254').isLinkLocalUnicast()", true],
  ["ip('fe80::1').isLinkLocalUnicast()", true],
  ["ip('192.168.0.1').isGlobalUnicast()", true],
  ["ip('255.255.255.255').isGlobalUnicast()", false],
  ["ip('2001:db8::1').isGlobalUnicast()", true],
  ["ip('ff00::1').isGlobalUnicast()", false],
  ["ip('1.2.3.4') == ip('1.2.3.4')", true],
  ["ip('::1') == ip('0:0::1')", true],
]);

table('cidr', [
  ["isCIDR('192.168.0.0/16')", true],
  ["isCIDR('2001:db8::/32')", true],
  ["isCIDR('192.168.0.0/33')", false],
  ["isCIDR('192.168.0.0')", false],
  ["cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", true],
  ["cidr('192.168.0.0/24').containsIP('192.168.1.1')", false],
  ["cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))", true],
  ["cidr('2001:db8::/32').containsIP('2001:db9::1')", false],
  ["cidr('::/0').containsIP('1.2.3.4')", false],
  ["cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))", true],
  ["cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')", false],
  ["cidr('2001:db8::/32').containsCIDR('2001:db8:1::/48')", true],
  ["string(cidr('192.168.0.1/24').ip())", '192.168.0.1'],
  ["cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')", true],
  ["string(cidr('2001:db8::1/32').masked())", '2001:db8::/32'],
  ["cidr('192.168.0.0/16').prefixLength()", 16],
  ["cidr('::1/128').ip().family()", 6],
  ["cidr('1.2.3.4/x')", /bad bits/],
]);

table('format', [
  ["format.dns1123Label().validate('my-name').hasValue()", false],
  ["format.dns1123Label().validate('MyName').value().size() > 0", true],
  ["format.dns1123Subdomain().validate('example.com').hasValue()", false],
  ["format.dns1123Subdomain().validate('-example.com').hasValue()", true],
  ["format.dns1035Label().validate('123abc').hasValue()", true],
  ["format.qualifiedName().validate('example.com/MyName').hasValue()", false],
  ["format.qualifiedName().validate('a/b/c').hasValue()", true],
  ["format.dns1123LabelPrefix().validate('my-prefix-').hasValue()", false],
  ["format.labelValue().validate('').hasValue()", false],
  ["format.labelValue().validate('bad value').hasValue()", true],
  ["format.uri().validate('https://example.com').hasValue()", false],
  ["format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()", false],
  ["format.byte().validate('aGVsbG8=').hasValue()", false],
  ["format.date().validate('2024-02-30').hasValue()", true],
  ["format.datetime().validate('2024-02-28T10:00:00Z').hasValue()", false],
  ["format.named('dns1123Label').hasValue()", true],
  ["format.named('no-such-format').hasValue()", false],
  ["format.named('dns1123Label').value().validate('a').hasValue()", false],
]);

table('semver', [
  ["isSemver('1.0.0')", true],
  ["isSemver('v1.0.0')", false],
  ["isSemver('v1.0', true)", true],
  ["isSemver('1.0.0-rc.1+build.5')", true],
  ["isSemver('01.0.0')", false],
  ["isSemver('01.0.0', true)", true],
  ["isSemver('1.0.0-01')", false],
  ["semver('1.2.3').major()", 1],
  ["semver('1.2.3').minor()", 2],
  ["semver('1.2.3').patch()", 3],
  ["semver('v1.2', true).patch()", 0],
  ["semver('1.2.3').isLessThan(semver('1.10.0'))", true],
  ["semver('1.0.0-alpha').isLessThan(semver('1.0.0'))", true],
  ["semver('1.0.0-alpha.1').compareTo(semver('1.0.0-alpha.beta'))", -1],
  ["semver('1.0.0-2').compareTo(semver('1.0.0-10'))", -1],
  ["semver('2.0.0').isGreaterThan(semver('1.99.99'))", true],
  ["semver('1.0.0+a') == semver('1.0.0+b')", true],
  ["semver('1.2')", /invalid semver/],
  ["semver('1.0.0').isLessThan(quantity('1'))", /no matching overload/],
]);

table('sets', [
  ['sets.contains([1, 2, 3, 4], [2, 3])', true],
  ['sets.contains([1, 2, 3], [4])', false],
  ['sets.contains([1], [])', true],
  ['sets.equivalent([1, 2, 3], [3u, 2.0, 1])', true],
  ['sets.equivalent([1, 2], [2, 2, 2, 1])', true],
  ['sets.intersects([1, 2], [2, 3])', true],
  ['sets.intersects([1], [])', false],
]);

table('strings extension', [
  ["'hello'.charAt(1)", 'e'],
  ["'hello'.indexOf('l')", 2],
  ["'hello'.lastIndexOf('l')", 3],
  ["'TacoCat'.lowerAscii()", 'tacocat'],
  ["'hello'.replace('l', 'L', 1)", 'heLlo'],
  ["'a,b,c'.split(',')", ['a', 'b', 'c']],
  ["'tacocat'.substring(4)", 'cat'],
  ["'  trim  '.trim()", 'trim'],
  ["['a', 'b'].join('-')", 'a-b'],
  ["'%s is %d'.format(['x', 1])", 'x is 1'],
  ["strings.quote('a\"b')", '"a\\"b"'],
]);

table('jsonpatch', [
  ["jsonpatch.escapeKey('k8s.io/my~label')", 'k8s.io~1my~0label'],
  ["'/metadata/labels/' + jsonpatch.escapeKey('app.kubernetes.io/name')", '/metadata/labels/app.kubernetes.io~1name'],
]);

table('lists extension (1.34)', [
  ['[1, 2, 3, 4].slice(1, 3)', [2, 3]],
  ['[1, 2, 3].slice(2, 1)', /start index/],
  ['[1, [2, [3, 4]]].flatten()', [1, 2, [3, 4]]],
  ['[1, [2, [3, 4]]].flatten(2)', [1, 2, 3, 4]],
  ['lists.range(4)', [0, 1, 2, 3]],
  ['[1, 2, 2, 1].distinct()', [1, 2]],
  ['[1, 2, 3].reverse()', [3, 2, 1]],
  ["['b', 'c', 'a'].sort()", ['a', 'b', 'c']],
  ['[1, 2].first().value()', 1],
  ['[].last().hasValue()', false],
]);

table('optional types', [
  ['optional.of(1).hasValue()', true],
  ['optional.none().hasValue()', false],
  ['optional.ofNonZeroValue(0).hasValue()', false],
  ["optional.ofNonZeroValue('x').value()", 'x'],
  ['optional.none().orValue(5)', 5],
  ['optional.none().or(optional.of(2)).value()', 2],
  ['optional.none().value()', /optional.none\(\) dereference/],
  ['optional.of(1) == optional.of(1)', true],
  ["{'a': {'b': 1}}.?a.?b.value()", 1],
  ["{'a': {'b': 1}}.?x.?b.hasValue()", false],
  ["{'a': {'b': 1}}.?a.c.orValue(7)", 7],
  ['[1, 2][?1].value()', 2],
  ['[1, 2][?9].hasValue()', false],
  ["{'k': 'v'}[?'k'].orValue('')", 'v'],
  ["'a.?b'.size()", 4],
  ['optional.of(3).optMap(x, x + 1).value()', 4],
  ['optional.none().optMap(x, x + 1).hasValue()', false],
  ['optional.of(3).optFlatMap(x, x > 5 ? optional.of(x) : optional.none()).hasValue()', false],
]);

table('two-variable comprehensions (1.32)', [
  ['[1, 2, 3].all(i, v, v == i + 1)', true],
  ["{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)", true],
  ['[5, 6].existsOne(i, v, i == 1)', true],
  ['[1, 2, 3].transformList(i, v, v * i)', [0, 2, 6]],
  ['[1, 2, 3].transformList(i, v, i > 0, v)', [2, 3]],
  ["{'a': 1}.transformMap(k, v, v + 1)", { a: 2 }],
  ["{'a': 1, 'b': 2}.transformMap(k, v, v > 1, k)", { b: 'b' }],
  ["{'a': 1}.transformMapEntry(k, v, {v: k})", { '1': 'a' }],
  ["{'a': 1, 'b': 1}.transformMapEntry(k, v, {v: k})", /already exists/],
  ['[[1, 2], [3]].all(i, row, row.all(j, cell, cell > i))', true],
]);

describe('Kubernetes typing of JSON', () => {
  const object = { spec: { replicas: 3, ratio: 0.5, 'x-y': 'dash', 'a.b': 'dot', 'k8s.io/name': 'slash', __private: 'under', namespace: 'kw', items: [1, 2] } };
  const cases: Case[] = [
    ['object.spec.replicas + 1', 4],
    ['object.spec.replicas + 1 == 4', true],
    ['type(object.spec.replicas) == int', true],
    ['type(object.spec.ratio) == double', true],
    ['object.spec.x__dash__y', 'dash'],
    ['object.spec.a__dot__b', 'dot'],
    ['object.spec.k8s__dot__io__slash__name', 'slash'],
    ['object.spec.__underscores__private', 'under'],
    ['object.spec.__namespace__', 'kw'],
    ["object.spec['x-y']", 'dash'],
    ["has(object.spec.x__dash__y)", true],
    ['has(object.spec.missing)', false],
    ['object.spec.items.size()', 2],
    ['object.spec.missing', /not found|no such key/],
  ];
  for (const [expression, expected] of cases) {
    it(expression, () => {
      const actual = value(expression, { object });
      if (expected instanceof RegExp) assert.match(String((actual as { error?: string }).error), expected);
      else assert.deepEqual(actual, expected);
    });
  }
});
