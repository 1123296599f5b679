/**
 * Version orderings against their reference implementations: dpkg through
 * `dpkg --compare-versions`, PEP 440 through Python's `packaging`, semver
 * through node-semver, rpm through rpm's own `rpm.vercmp` (Debian's `rpm`
 * package); apk and Maven (no reference binary on this machine) against the
 * orderings their own test suites state.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { compareApk } from './apk.js';
import { compareDpkg } from './dpkg.js';
import { schemeForEcosystem } from './index.js';
import { compareMaven } from './maven.js';
import { comparePep440, parsePep440 } from './pep440.js';
import { compareRpm, compareRpmSegments } from './rpm.js';
import { compareSemver } from './semver.js';
import { seededRandom } from '../../testing/random.js';

/** A small deterministic generator, so a run can be replayed. */
const random = seededRandom;

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function dpkgVersion(next: () => number): string {
  const part = (alphabet: string, maxLength: number): string => {
    let text = String(Math.floor(next() * 12));
    const length = Math.floor(next() * maxLength);
    for (let index = 0; index < length; index++) text += pick(next, [...alphabet]);
    return text;
  };
  const epoch = next() < 0.15 ? `${Math.floor(next() * 3)}:` : '';
  const upstream = part('0123456789.+~abzAZ', 6);
  const revision = next() < 0.6 ? `-${part('0123456789.+~abu', 4)}` : '';
  return epoch + upstream + revision;
}

function sign(value: number): number {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}

test('dpkg ordering equals dpkg --compare-versions on every pair of 300 generated versions', () => {
  const next = random(10);
  const versions = new Set<string>(['1.0', '1.0-1', '1.0~rc1', '1:0.1', '1.0+dfsg-1', '2.36-9+deb12u7', '2.36-9+deb12u10', '0.0', '00', '1.0.', '1.0~', '1.0~~']);
  while (versions.size < 300) versions.add(dpkgVersion(next));
  const sorted = [...versions].sort(compareDpkg);
  // dpkg's ordering is a total preorder, so agreeing with it on each adjacent pair of our sorted list
  // (less, or equal exactly where we say equal) means agreeing on all 44,850 pairs: one dpkg call per step.
  const script = 'while read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const pairs = sorted.slice(1).map((version, index) => `${sorted[index]} ${version}`);
  const reference = spawnSync('sh', ['-c', script], { input: `${pairs.join('\n')}\n`, encoding: 'utf8' });
  assert.equal(reference.status, 0, reference.stderr);
  const answers = reference.stdout.trim().split('\n').map(Number);
  assert.equal(answers.length, pairs.length);
  const disagreements = pairs.filter((pair, index) => {
    const [a, b] = pair.split(' ') as [string, string];
    return answers[index] !== sign(compareDpkg(a, b));
  });
  assert.deepEqual(disagreements, []);
  assert.ok(answers.filter((answer) => answer === -1).length > 250, 'the generated versions are mostly distinct');
  // Transitivity is what the argument above rests on; check ours directly on random triples.
  for (let index = 0; index < 2000; index++) {
    const [a, b, c] = [pick(next, sorted), pick(next, sorted), pick(next, sorted)];
    if (compareDpkg(a, b) <= 0 && compareDpkg(b, c) <= 0) assert.ok(compareDpkg(a, c) <= 0, `${a} ${b} ${c}`);
  }
});

function pep440Version(next: () => number): string {
  let text = next() < 0.1 ? `${Math.floor(next() * 3)}!` : '';
  const parts = 1 + Math.floor(next() * 4);
  text += Array.from({ length: parts }, () => String(Math.floor(next() * 4))).join('.');
  if (next() < 0.35) text += pick(next, ['a', 'b', 'rc', 'alpha', 'beta', 'c', 'pre', 'preview', '.a', '-b', '_rc']) + (next() < 0.7 ? String(Math.floor(next() * 3)) : '');
  if (next() < 0.3) text += pick(next, ['.post', 'post', '-', '.rev', 'r', '-post']) + String(Math.floor(next() * 3));
  if (next() < 0.3) text += pick(next, ['.dev', 'dev', '-dev', '_dev']) + (next() < 0.7 ? String(Math.floor(next() * 3)) : '');
  if (next() < 0.2) text += `+${pick(next, ['ubuntu', 'abc', '1', '2', 'ubuntu.1', '1.abc', 'a-b', '0'])}`;
  if (next() < 0.05) text = `v${text}`;
  if (next() < 0.05) text = text.toUpperCase();
  return text;
}

test('PEP 440 ordering equals Python packaging on 6,000 generated pairs', (context) => {
  const python = ['/root/.pyenv/shims/python3', 'python3'].find((candidate) => spawnSync(candidate, ['-c', 'import packaging.version'], { encoding: 'utf8' }).status === 0);
  if (python === undefined) {
    context.skip('no Python with the packaging module on this machine');
    return;
  }
  const next = random(440);
  const pairs: [string, string][] = [];
  for (let index = 0; index < 6000; index++) {
    const a = pep440Version(next);
    pairs.push([a, next() < 0.1 ? a.replace('.', '_').replace(/^v/, '') : pep440Version(next)]);
  }
  const script = [
    'import sys, json',
    'from packaging.version import Version, InvalidVersion',
    'def parse(text):',
    '    try: return Version(text)',
    '    except InvalidVersion: return None',
    'out = []',
    'for a, b in json.load(sys.stdin):',
    '    x, y = parse(a), parse(b)',
    '    out.append(None if x is None or y is None else (x > y) - (x < y))',
    'print(json.dumps(out))',
  ].join('\n');
  const reference = spawnSync(python, ['-c', script], { input: JSON.stringify(pairs), encoding: 'utf8' });
  assert.equal(reference.status, 0, reference.stderr);
  const answers = JSON.parse(reference.stdout) as (number | null)[];
  const disagreements: string[] = [];
  let compared = 0;
  pairs.forEach(([a, b], index) => {
    const expected = answers[index];
    const valid = parsePep440(a) !== undefined && parsePep440(b) !== undefined;
    if (expected === null || expected === undefined) {
      if (valid) disagreements.push(`${a} ${b}: packaging rejects one, we accept both`);
      return;
    }
    if (!valid) {
      disagreements.push(`${a} ${b}: we reject one`);
      return;
    }
    compared++;
    if (sign(comparePep440(a, b)) !== expected) disagreements.push(`${a} ${b}: packaging ${expected}`);
  });
  assert.deepEqual(disagreements, []);
  assert.ok(compared > 5000, `compared ${compared} valid pairs`);
});

function semverVersion(next: () => number): string {
  let text = [0, 1, 2].map(() => String(Math.floor(next() * 3))).join('.');
  if (next() < 0.5) {
    const count = 1 + Math.floor(next() * 3);
    text += `-${Array.from({ length: count }, () => pick(next, ['alpha', 'beta', 'rc', '0', '1', '2', '10', 'x-y', '1a', 'A'])).join('.')}`;
  }
  if (next() < 0.2) text += `+build.${Math.floor(next() * 5)}`;
  return text;
}

test('semver ordering equals node-semver on 20,000 generated pairs', async () => {
  // node-semver is in node_modules as a dependency of our dependencies; it is used here only as a reference.
  const require = createRequire(import.meta.url);
  const reference = require('semver') as { compare: (a: string, b: string) => number };
  const next = random(2);
  const disagreements: string[] = [];
  for (let index = 0; index < 20000; index++) {
    const a = semverVersion(next);
    const b = semverVersion(next);
    if (sign(compareSemver(a, b)) !== reference.compare(a, b)) disagreements.push(`${a} ${b}`);
  }
  assert.deepEqual(disagreements, []);
});

/** Facts from apk-tools' test/version.data (a selection): "a op b". */
const APK_FACTS = `
2.34 > 0.1.0_alpha
23_foo > 4_beta
1.0 < 1.0bc
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha < 0.1.3_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
1.0.4-r3 < 1.0.4-r4
1.1 > 1.1_alpha1
1.2.1 > 1.2
1.2 < 1.3_alpha
1.3_alpha2 < 1.3_alpha3
0.7.0 < 0.8_beta1
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
0.13_beta5 > 0.9.12
1.2.11 < 1.2.12.1
0.2.0-r1 < 3.1_p16
3.1_p16 < 3.1_p17
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
2.59 < 20050718-r1
3.9.8-r5 > 2.01.01_alpha10
2.01.01_alpha10 > 0.94
1.0 > 0.99.3.20040818
0.90.1-r1 > 0.10.2
1.39 > 1.00_beta2
1.02 < 1.03-r1
4.2.52_p2-r1 < 4.2.52_p4-r2
4.2.52_p4-r2 > 1.02.07
1.02.07 < 1.02.10-r1
2.18.3-r10 > 1.05-r18
20060720 > 3.0.20060720
2.5.1-r8 < 2.5.1a-r1
1.3.5-r10 > 1.3.5-r8
20040401 > 2.0.0_rc3-r1
3.0.0-r2 < 021109-r3
021109-r3 < 20060512
0.9.16-r1 < 3.9_pre20060124
3.9_pre20060124 > 0.01
1.1.7 < 6b-r7
6b-r7 > 1.12-r7
0.10.0 < 0.10.1_rc1
2.0.2 > 1.1a
1.1a < 1.3a
1.0-r1 > 0.15.1b
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
22.7 > 2.1_pre20
2.10.1 > 02.08.01b
3.81 > 1.6d
1.6d > 1.2.07.8
1.2.07.8 < 1.2.12.04
1.07-r1 < 1.07.5
0.1_pre20060810 < 0.1_pre20060817
3.3.17 > 0.59s-r11
0.59s-r11 < 0.65
4.20 > 0.20070118
0.20070118 < 0.20070207_rc1
4.5_p1-r1 > 4.5_p1
4.5_p1 > 0.9.8c-r1
0.9.8c-r1 < 0.9.8d
2.2.3-r2 < 013
013 < 014-r1
1.7 < 1.7b
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
1.6.8_p12-r1 > 1.6.8_p9-r2
0.9.28-r2 < 0.9.28.1
0.9.28.1 < 087-r1
104-r11 > 104-r9
5.52-r1 > 1.2.5_rc2
20040406-r1 > 2.12r-r4
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.1.1-r3 > 0.3.4_pre20061029
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
`;

test('apk ordering agrees with the facts of apk-tools test/version.data', () => {
  const wrong: string[] = [];
  let count = 0;
  for (const line of APK_FACTS.trim().split('\n')) {
    const [a, op, b] = line.split(' ') as [string, '<' | '>' | '=', string];
    const expected = op === '<' ? -1 : op === '>' ? 1 : 0;
    count++;
    if (sign(compareApk(a, b)) !== expected) wrong.push(line);
    if (sign(compareApk(b, a)) !== -expected) wrong.push(`${line} (reversed)`);
  }
  assert.deepEqual(wrong, []);
  assert.ok(count > 80);
});

/** Facts from rpm's tests/rpmvercmp.at: "a op b". */
const RPM_FACTS = `
1.0 = 1.0
1.0 < 2.0
2.0.1 = 2.0.1
2.0 < 2.0.1
2.0.1a = 2.0.1a
2.0.1a > 2.0.1
5.5p1 < 5.5p2
5.5p1 < 5.5p10
10xyz < 10.1xyz
xyz10 < xyz10.1
xyz.4 < 8
xyz.4 < 2
5.5p2 < 5.6p1
5.6p1 < 6.5p1
6.0.rc1 > 6.0
10b2 > 10a1
10a2 < 10b2
1.0a < 1.0aa
10.0001 = 10.1
10.0001 < 10.0039
4.999.9 < 5.0
20101121 < 20101122
2_0 = 2.0
a+ = a_
+a = _a
+_ = _+
+ = _
1.0~rc1 < 1.0
1.0~rc1 < 1.0~rc2
1.0~rc1~git123 < 1.0~rc1
1.0^ > 1.0
1.0^git1 > 1.0
1.0^git1 < 1.0^git2
1.0^git1 < 1.01
1.0^20160101 < 1.0.1
1.0^20160102 > 1.0^20160101^git1
1.0~rc1^git1 > 1.0~rc1
1.0^git1~pre < 1.0^git1
1:1.0 > 0:2.0
1.0-2 > 1.0-1
1.0-10.el8 > 1.0-9.el8
`;

test('rpm ordering agrees with the facts of rpm tests/rpmvercmp.at', () => {
  const wrong: string[] = [];
  for (const line of RPM_FACTS.trim().split('\n')) {
    const [a, op, b] = line.split(' ') as [string, string, string];
    const expected = op === '<' ? -1 : op === '>' ? 1 : 0;
    if (sign(compareRpm(a, b)) !== expected) wrong.push(line);
    if (sign(compareRpm(b, a)) !== -expected) wrong.push(`${line} (reversed)`);
  }
  assert.deepEqual(wrong, []);
});

function rpmVersion(next: () => number): string {
  const length = 1 + Math.floor(next() * 6);
  let text = '';
  for (let index = 0; index < length; index++) text += pick(next, ['0', '1', '2', '9', '10', '007', 'a', 'b', 'rc', 'Z', '.', '.', '_', '+', '~', '^']);
  return text;
}

test('rpm ordering equals rpm.vercmp of the rpm binary on 4,000 generated pairs', { skip: spawnSync('rpm', ['--version']).status !== 0 ? 'no rpm binary (apt-get install rpm)' : false }, async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const next = random(40);
  const pairs: [string, string][] = [['1.0', '1.0'], ['1.0~rc1', '1.0'], ['1.0^', '1.0'], ['1.0^git1', '1.0.1'], ['a', '1'], ['1.0a', '1.0.a'], ['007', '7'], ['1_0', '1.0']];
  while (pairs.length < 4000) pairs.push([rpmVersion(next), rpmVersion(next)]);
  // One rpm process: a Lua script (run by rpm's embedded interpreter) prints rpm.vercmp of each pair; rpm's print adds no newline.
  const script = path.join(mkdtempSync(path.join(os.tmpdir(), 'rampart-rpmvercmp-')), 'pairs.lua');
  writeFileSync(script, pairs.map(([a, b]) => `print(rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}) .. '\\n')`).join('\n'));
  const reference = spawnSync('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.equal(reference.status, 0, reference.stderr);
  const answers = reference.stdout.trim().split('\n').map(Number);
  assert.equal(answers.length, pairs.length);
  const disagreements = pairs.filter(([a, b], index) => answers[index] !== sign(compareRpmSegments(a, b))).map(([a, b], index) => `${a} vs ${b}: rpm ${answers[index]}`);
  assert.deepEqual(disagreements, []);
  assert.ok(answers.filter((answer) => answer !== 0).length > 3000, 'the generated pairs are mostly unequal');
});

test('Maven ordering follows ComparableVersionTest (Maven 3.9) orderings and equalities', () => {
  const qualifiers = ['1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2', '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot', '1-1', '1-2', '1-123'];
  const numbers = ['2.0', '2.0.a', '2-1', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2', '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m'];
  const wrong: string[] = [];
  for (const list of [qualifiers, numbers]) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        if (compareMaven(list[i]!, list[j]!) >= 0) wrong.push(`${list[i]} < ${list[j]}`);
        if (compareMaven(list[j]!, list[i]!) <= 0) wrong.push(`${list[j]} > ${list[i]}`);
      }
    }
  }
  const equal = [
    ['1', '1.0', '1.0.0', '1-0', '1.0-0', '1ga', '1-ga', '1.0.ga', '1final', '1-release', '1.0.0.release'],
    ['1a1', '1-a1', '1-alpha-1', '1alpha1', '1alpha-1'],
    ['1b2', '1-b2', '1beta2', '1-beta-2'],
    ['1m3', '1-m3', '1milestone3', '1-milestone-3'],
    ['1rc4', '1-rc4', '1cr4', '1-cr-4'],
    ['1x', '1-x', '1.x'],
  ];
  for (const group of equal) for (const version of group) if (compareMaven(group[0]!, version) !== 0) wrong.push(`${group[0]} = ${version}`);
  assert.deepEqual(wrong, []);
});

test('ecosystems map to their version scheme; unknown ones have none', () => {
  assert.equal(schemeForEcosystem('Debian:12'), 'dpkg');
  assert.equal(schemeForEcosystem('Alpine:v3.20'), 'apk');
  assert.equal(schemeForEcosystem('PyPI'), 'pep440');
  assert.equal(schemeForEcosystem('Maven'), 'maven');
  assert.equal(schemeForEcosystem('Rocky Linux:9'), 'rpm');
  assert.equal(schemeForEcosystem('npm'), 'semver');
  assert.equal(schemeForEcosystem('Packagist'), undefined);
  assert.throws(() => compareSemver('1.0', '1.0.0'), /not a valid semver version/);
  assert.throws(() => comparePep440('not a version', '1'), /not a valid PEP 440 version/);
});
