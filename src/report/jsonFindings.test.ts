/**
 * The hand-written findings text (jsonFindings.ts) against the report
 * JSON.stringify writes from `toJsonReport`: every comparison is of the whole
 * text, so one differing byte fails.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfigForCommand, VERSION, writeOutput } from '../cli/common.js';
import { runScan } from '../cli/scan.js';
import type { ScanResult } from '../engine/scan.js';
import type { FieldPath, Finding, FrameworkMapping, FrameworkName, ObjectRef, Severity } from '../model/types.js';
import { CLI, CORPORA } from '../testing/paths.js';
import { tempDir } from '../testing/tempDir.js';
import { renderJsonChunks, toJsonReport, type JsonReportContext } from './json.js';
import { FindingTextWriter } from './jsonFindings.js';
import { scanResult, TOOL } from './testing/fixtures.js';

const REAL_WORLD = path.join(CORPORA, 'real-world-manifests');

/** What the report must be: JSON.stringify's generic walk over the plain report object. */
function expectedText(result: ScanResult, context: JsonReportContext): string {
  return `${JSON.stringify(toJsonReport(result, context), null, 2)}\n`;
}

function assertSameReport(result: ScanResult, context: JsonReportContext): string {
  const text = [...renderJsonChunks(result, context)].join('');
  const expected = expectedText(result, context);
  if (text !== expected) {
    let at = 0;
    while (at < text.length && text[at] === expected[at]) at++;
    assert.fail(`first difference at character ${at}: got ${JSON.stringify(text.slice(at - 80, at + 80))}, want ${JSON.stringify(expected.slice(at - 80, at + 80))}`);
  }
  assert.deepEqual(JSON.parse(text), JSON.parse(expected));
  return text;
}

/** Strings JSON must escape, or that only look like they need it. */
const HOSTILE = [
  '',
  'plain',
  'say "hi"',
  'back\\slash\\',
  'line\nbreak\r\n\ttab',
  Array.from({ length: 32 }, (_, code) => String.fromCharCode(code)).join(''),
  '\u007f delete, \u0085 next line',
  'separators \u2028 and \u2029',
  'lone high \ud800 surrogate',
  'lone low \udfff surrogate',
  '\udc00\ud800 reversed pair',
  'emoji 😀 and 🏳️‍🌈 and 𝔘',
  'non-Latin ünïcødé Ελληνικά 中文',
  '</script><!-- \u0000 -->',
  '{"looks": ["like", "json"]}',
];

const EDGE_NUMBERS = [0, -0, 1, 7, 123.456, 1e-7, 1e21, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, -5, NaN, Infinity, -Infinity];

interface Parts {
  readonly object: ObjectRef;
  readonly frameworks: readonly FrameworkMapping[];
  readonly path?: FieldPath;
}

function hostileFinding(index: number, parts: Parts, options: { container?: string } = {}): Finding {
  const pick = (offset: number): string => HOSTILE[(index + offset) % HOSTILE.length] as string;
  const number = (offset: number): number => EDGE_NUMBERS[(index + offset) % EDGE_NUMBERS.length] as number;
  return {
    checkId: `CHECK-${pick(1)}`,
    severity: (['critical', 'high', 'medium', 'low', 'info'] as const)[index % 5] as Severity,
    title: `title ${pick(2)}`,
    message: pick(3),
    object: parts.object,
    location: { file: `dir/${pick(4)}.yaml`, documentIndex: number(1), line: number(2), column: number(3) },
    frameworks: parts.frameworks,
    ...(options.container !== undefined ? { container: options.container } : {}),
    ...(parts.path !== undefined ? { path: parts.path } : {}),
  };
}

describe('findings written as text', () => {
  test('the real-world corpus scan gives the report JSON.stringify writes, with the parts the Scanner shares', async () => {
    const config = await loadConfigForCommand(undefined);
    const run = await runScan([REAL_WORLD], config, { policies: [], inlineExceptions: true });
    const { findings } = run.result;
    assert.ok(findings.length > 1000, `the corpus gives many findings (${findings.length})`);
    // The caches are exercised only if the scan really shares parts between findings.
    const distinct = (part: (entry: Finding) => unknown): number => new Set(findings.map(part).filter((value) => value !== undefined)).size;
    assert.ok(distinct((entry) => entry.object) < findings.length / 2, 'findings share object references');
    assert.ok(distinct((entry) => entry.frameworks) < findings.length / 10, 'findings share frameworks arrays');
    assert.ok(distinct((entry) => entry.path) < findings.filter((entry) => entry.path !== undefined).length / 2, 'findings share paths');
    const context = { tool: { name: 'rampart', version: VERSION }, pss: run.pss, suppressed: run.exceptions.suppressed };
    const text = assertSameReport(run.result, context);
    assert.equal((JSON.parse(text) as { findings: unknown[] }).findings.length, findings.length);
  });

  test('the CLI writes the same bytes to a pipe and to --output', { timeout: 120_000 }, async () => {
    const config = await loadConfigForCommand(undefined);
    const run = await runScan([REAL_WORLD], config, { policies: [], inlineExceptions: true });
    const expected = expectedText(run.result, { tool: { name: 'rampart', version: VERSION }, pss: run.pss, suppressed: run.exceptions.suppressed });
    const output = path.join(tempDir('rampart-jsonfindings-'), 'report.json');
    const runCli = (extra: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, 'scan', REAL_WORLD, '--format', 'json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
        const stdout: Buffer[] = [];
        let stderr = '';
        child.stdout.on('data', (data: Buffer) => stdout.push(data));
        child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
      });
    const piped = await runCli([]);
    // The corpus holds files that are not valid Kubernetes objects: exit 2, and the report is written all the same.
    assert.equal(piped.code, 2, piped.stderr);
    assert.ok(piped.stdout.equals(Buffer.from(expected)), 'stdout is the expected report');
    const written = await runCli(['--output', output]);
    assert.equal(written.code, 2, written.stderr);
    assert.equal(written.stdout.length, 0);
    assert.ok(readFileSync(output).equals(Buffer.from(expected)), '--output holds the expected report');
  });

  test('hostile strings and edge numbers in every field, every optional field present and absent', () => {
    const findings: Finding[] = [];
    for (let index = 0; index < 4 * HOSTILE.length * EDGE_NUMBERS.length; index++) {
      const text = HOSTILE[index % HOSTILE.length] as string;
      const object: ObjectRef = {
        apiVersion: `group/${text}`,
        kind: text,
        name: `name ${text}`,
        ...(index % 3 === 0 ? {} : { namespace: `ns ${text}` }),
      };
      const frameworks: FrameworkMapping[] =
        index % 7 === 0
          ? []
          : [
              { framework: 'PSS', id: text, ...(index % 2 === 0 ? { level: `level ${text}` } : {}) },
              { framework: 'MITRE-ATTACK', id: `T${index}` },
              { framework: text as FrameworkName, id: '' },
            ];
      const segments: (string | number)[] = [text, EDGE_NUMBERS[index % EDGE_NUMBERS.length] as number, 'spec'];
      const pathChoice = index % 4;
      const parts: Parts = { object, frameworks, ...(pathChoice === 0 ? {} : { path: pathChoice === 1 ? [] : segments.slice(0, pathChoice) }) };
      findings.push(hostileFinding(index, parts, index % 5 === 0 ? {} : { container: `c ${HOSTILE[(index + 5) % HOSTILE.length]}` }));
    }
    assert.ok(findings.some((entry) => entry.frameworks.length === 0) && findings.some((entry) => entry.path?.length === 0));
    for (const context of [{ tool: TOOL }, { tool: { name: 'rampart "x"', version: '\u2028' }, pss: { level: 'restricted', version: 'v1.34', requestedVersion: 'latest' }, baseline: { file: 'old\n.json', unchanged: 3 } }]) {
      assertSameReport(scanResult(findings), context);
      assertSameReport(scanResult(findings.slice(0, 1)), context);
    }
  });

  test('parts shared by reference and equal parts that are not shared give the same text', () => {
    const object: ObjectRef = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web' };
    const frameworks: FrameworkMapping[] = [{ framework: 'PSS', id: 'runAsNonRoot', level: 'restricted' }];
    const fieldPath: FieldPath = ['spec', 'containers', 0, 'securityContext'];
    const shared: Finding[] = [];
    const own: Finding[] = [];
    for (let index = 0; index < 3000; index++) {
      shared.push(hostileFinding(index, { object, frameworks, path: fieldPath }, { container: 'app' }));
      own.push(hostileFinding(index, { object: { ...object }, frameworks: frameworks.map((entry) => ({ ...entry })), path: [...fieldPath] }, { container: 'app' }));
    }
    const context = { tool: TOOL };
    const sharedText = assertSameReport(scanResult(shared), context);
    assert.equal(assertSameReport(scanResult(own), context), sharedText);
    // Shared findings interleaved with findings of other objects that look alike, some with a path member set to undefined.
    const mixed = shared.map((entry, index) => (index % 2 === 0 ? entry : { ...entry, object: { ...object, name: `web-${index}` }, path: index % 3 === 0 ? undefined : ['metadata', index] }));
    assertSameReport(scanResult(mixed), context);
  });

  test('one check ID seen with another severity or title is written as each finding has it', () => {
    const object: ObjectRef = { apiVersion: 'v1', kind: 'Pod', name: 'a' };
    const base = { checkId: 'X-1', message: 'm', object, location: { file: 'f.yaml', documentIndex: 0, line: 1, column: 1 }, frameworks: [] };
    const findings: Finding[] = [
      { ...base, severity: 'high', title: 'First title' },
      { ...base, severity: 'low', title: 'First title' },
      { ...base, severity: 'high', title: 'Second title' },
      { ...base, severity: 'high', title: 'First title' },
    ];
    const text = assertSameReport(scanResult(findings), { tool: TOOL });
    const parsed = JSON.parse(text) as { findings: { severity: string; title: string }[] };
    assert.deepEqual(
      parsed.findings.map((entry) => `${entry.severity}/${entry.title}`),
      ['high/First title', 'low/First title', 'high/Second title', 'high/First title'],
    );
  });

  test('a writer renders one finding as the item JSON.stringify indents inside the findings array', () => {
    const single = hostileFinding(11, { object: { apiVersion: 'v1', kind: 'Pod', name: 'p' }, frameworks: [{ framework: 'CIS', id: '5.2.1' }], path: ['spec', 0] }, { container: 'c' });
    const whole = JSON.stringify(toJsonReport(scanResult([single]), { tool: TOOL }), null, 2);
    const start = whole.indexOf('  "findings": [\n') + '  "findings": [\n'.length;
    const end = whole.indexOf('\n  ],\n  "diagnostics"');
    assert.equal(new FindingTextWriter().finding(single), whole.slice(start, end));
  });

  test('the findings come in pieces of bounded size, not one string', () => {
    const object: ObjectRef = { apiVersion: 'v1', kind: 'Pod', name: 'p' };
    const findings = Array.from({ length: 5000 }, (_, index) => hostileFinding(index, { object, frameworks: [] }));
    const chunks = [...renderJsonChunks(scanResult(findings), { tool: TOOL })];
    const longest = Math.max(...chunks.map((chunk) => chunk.length));
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    assert.ok(total > 500_000, `a large report (${total} characters)`);
    assert.ok(longest < 40 * 1024, `no piece much over 32 K characters (longest ${longest})`);
  });
});

describe('writeOutput', () => {
  const cases: Record<string, string[]> = {
    'many tiny pieces': Array.from({ length: 300_000 }, (_, index) => `${index},`),
    'multi-byte characters and lone surrogates across the 1 MB buffer boundary': Array.from({ length: 8000 }, (_, index) => `${'é😀'.repeat(index % 97)}ü${index}${index % 10 === 0 ? '\ud800' : ''}\n`),
    'pieces larger than the buffer between small ones': ['start', 'x'.repeat(3 * 1024 * 1024 + 5), 'mid', '€'.repeat(600_000), 'end'],
    'a piece that exactly fills the buffer': ['a'.repeat(1 << 20), 'b', 'c'.repeat((1 << 20) - 1), 'd'],
    'no pieces': [],
  };
  for (const [name, chunks] of Object.entries(cases)) {
    test(`writes exactly the pieces' UTF-8 bytes to a file: ${name}`, async () => {
      const file = path.join(tempDir('rampart-write-'), 'out.txt');
      await writeOutput(chunks, file);
      assert.ok(readFileSync(file).equals(Buffer.from(chunks.join(''), 'utf8')));
    });
  }
});
