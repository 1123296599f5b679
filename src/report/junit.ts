/**
 * JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure
 * Pipelines). One <testsuite> per manifest file; one <testcase> per object
 * and check (classname `Kind/namespace/name`, name the check ID), failing
 * when the check reported on the object. A document Rampart could not read
 * is an <error> testcase; warnings go to the suite's <system-err>.
 */
import type { ScanResult } from '../engine/scan.js';
import type { Diagnostic, Finding } from '../model/types.js';
import { compareText, formatLocation, groupByObject, objectPath, sortDiagnostics, type ObjectGroup, type ScannedObject } from './objects.js';

export interface JunitReportContext {
  readonly tool: { readonly name: string; readonly version: string };
  readonly objects?: readonly ScannedObject[];
}

/** Name of the passing testcase of an object no check reported on, when the checks that judged it are unknown. */
export const CLEAN_OBJECT_TESTCASE = 'no findings';

interface Testcase {
  readonly classname: string;
  readonly name: string;
  readonly file: string;
  readonly failure?: { readonly message: string; readonly type: string; readonly body: string };
  readonly error?: { readonly message: string; readonly type: string; readonly body: string };
}

interface Suite {
  readonly name: string;
  readonly testcases: Testcase[];
  readonly warnings: string[];
}

export function renderJunit(result: ScanResult, context: JunitReportContext): string {
  let text = '';
  for (const chunk of renderJunitChunks(result, context)) text += chunk;
  return text;
}

/** Testcases per written piece: big reports are written without one string of them all (a cluster's can pass V8's string limit). */
const TESTCASES_PER_CHUNK = 2_000;

/**
 * The report in pieces: the head with the totals, then each suite a few
 * thousand testcases at a time. Nothing spreads a list into a call's
 * arguments, so no count of findings overflows the stack.
 */
export function* renderJunitChunks(result: ScanResult, context: JunitReportContext): Generator<string> {
  const suites = new Map<string, Suite>();
  const suiteFor = (file: string): Suite => {
    let suite = suites.get(file);
    if (suite === undefined) {
      suite = { name: file, testcases: [], warnings: [] };
      suites.set(file, suite);
    }
    return suite;
  };
  for (const group of groupByObject(result.findings, context.objects)) {
    const testcases = suiteFor(group.file).testcases;
    for (const testcase of objectTestcases(group)) testcases.push(testcase);
  }
  for (const diagnostic of sortDiagnostics(result.diagnostics)) {
    const suite = suiteFor(diagnostic.file);
    if (diagnostic.severity === 'error') suite.testcases.push(diagnosticTestcase(diagnostic));
    else suite.warnings.push(diagnosticLine(diagnostic));
  }
  const ordered = [...suites.values()].sort((a, b) => compareText(a.name, b.name));
  const counted = ordered.map((suite) => ({ suite, counts: countCases(suite.testcases) }));
  const totals = { tests: 0, failures: 0, errors: 0 };
  for (const { counts } of counted) {
    totals.tests += counts.tests;
    totals.failures += counts.failures;
    totals.errors += counts.errors;
  }
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeAttribute(context.tool.name)}" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}">\n`;
  for (const { suite, counts } of counted) yield* renderSuite(suite, counts);
  yield '</testsuites>\n';
}

function objectTestcases(group: ObjectGroup): Testcase[] {
  const classname = objectPath(group.object);
  const byCheck = new Map<string, Finding[]>();
  for (const finding of group.findings) {
    const list = byCheck.get(finding.checkId);
    if (list === undefined) byCheck.set(finding.checkId, [finding]);
    else list.push(finding);
  }
  const checkIds = [...new Set([...(group.checks ?? []), ...byCheck.keys()])].sort(compareText);
  if (checkIds.length === 0) return [{ classname, name: CLEAN_OBJECT_TESTCASE, file: group.file }];
  return checkIds.map((checkId) => {
    const findings = byCheck.get(checkId);
    if (findings === undefined) return { classname, name: checkId, file: group.file };
    return { classname, name: checkId, file: group.file, failure: failureOf(findings) };
  });
}

function failureOf(findings: readonly Finding[]): NonNullable<Testcase['failure']> {
  const [first] = findings;
  if (first === undefined) throw new Error('a failure needs at least one finding');
  const message = findings.length === 1 ? first.message : `${first.message} (and ${findings.length - 1} more)`;
  const lines = [`${first.checkId} (${first.severity}): ${first.title}`, ...findings.map((finding) => `${formatLocation(finding.location)}: ${finding.message}`)];
  return { message, type: first.severity, body: lines.join('\n') };
}

function diagnosticTestcase(diagnostic: Diagnostic): Testcase {
  return {
    classname: diagnostic.file,
    name: diagnostic.code,
    file: diagnostic.file,
    error: { message: diagnostic.message, type: diagnostic.code, body: diagnosticLine(diagnostic) },
  };
}

function diagnosticLine(diagnostic: Diagnostic): string {
  return `${formatLocation(diagnostic, true)}: ${diagnostic.severity}: ${diagnostic.message} [${diagnostic.code}]`;
}

function countCases(testcases: readonly Testcase[]): { tests: number; failures: number; errors: number } {
  return {
    tests: testcases.length,
    failures: testcases.filter((testcase) => testcase.failure !== undefined).length,
    errors: testcases.filter((testcase) => testcase.error !== undefined).length,
  };
}

function* renderSuite(suite: Suite, counts: { tests: number; failures: number; errors: number }): Generator<string> {
  let lines = [`  <testsuite name="${escapeAttribute(suite.name)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="0">`];
  let pending = 0;
  for (const testcase of suite.testcases) {
    const open = `    <testcase classname="${escapeAttribute(testcase.classname)}" name="${escapeAttribute(testcase.name)}" file="${escapeAttribute(testcase.file)}"`;
    const outcome = testcase.failure !== undefined ? { element: 'failure', ...testcase.failure } : testcase.error !== undefined ? { element: 'error', ...testcase.error } : undefined;
    if (outcome === undefined) lines.push(`${open}/>`);
    else {
      lines.push(`${open}>`);
      lines.push(`      <${outcome.element} message="${escapeAttribute(outcome.message)}" type="${escapeAttribute(outcome.type)}">${escapeText(outcome.body)}</${outcome.element}>`);
      lines.push('    </testcase>');
    }
    if (++pending === TESTCASES_PER_CHUNK) {
      yield `${lines.join('\n')}\n`;
      lines = [];
      pending = 0;
    }
  }
  if (suite.warnings.length > 0) lines.push(`    <system-err>${escapeText(suite.warnings.join('\n'))}</system-err>`);
  lines.push('  </testsuite>');
  yield `${lines.join('\n')}\n`;
}

/**
 * Characters XML 1.0 cannot carry at all, not even as character references
 * (most C0 controls, lone surrogates, U+FFFE/U+FFFF), are written as visible
 * `\uXXXX` escapes.
 */
function replaceForbidden(text: string): string {
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function escapeText(text: string): string {
  return replaceForbidden(text).replace(/[&<>\r]/g, (character) => ENTITIES[character] ?? character);
}

/** Also escapes quotes and the whitespace an XML parser would otherwise normalise to spaces. */
export function escapeAttribute(text: string): string {
  return replaceForbidden(text).replace(/[&<>"'\t\n\r]/g, (character) => ENTITIES[character] ?? character);
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
