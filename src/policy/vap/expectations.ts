/**
 * Test-suite mode of `rampart policy test --expect FILE`: expected decisions,
 * messages, warnings and audit annotations per request, judged against the
 * evaluation, for CI (exit code and JUnit).
 *
 *   apiVersion: rampart.dev/v1alpha1
 *   kind: PolicyTestExpectations
 *   expectations:
 *   - name: big deployments are denied in test namespaces
 *     object: {kind: Deployment, name: big, namespace: test-ns}   # any of apiVersion, kind, name, namespace
 *     operation: CREATE                                            # optional
 *     allowed: false
 *     denials: ["replicas <= 5"]          # optional: each must be part of some deny message
 *     warnings: []                        # optional: [] means none
 *     auditAnnotations: {"demo/high-replica-count": "set to 7"}   # optional: key → part of the value
 */
import { isJsonObject, locate, type Diagnostic, type KubeObject } from '../../model/types.js';
import type { RequestOutcome } from './evaluate.js';

export interface Expectation {
  readonly name: string;
  readonly object: Readonly<Partial<Record<'apiVersion' | 'kind' | 'name' | 'namespace', string>>>;
  readonly operation: string | undefined;
  readonly allowed: boolean | undefined;
  readonly denials: readonly string[] | undefined;
  readonly warnings: readonly string[] | undefined;
  readonly auditAnnotations: Readonly<Record<string, string>> | undefined;
  readonly source: { readonly file: string; readonly line: number };
}

export interface ExpectationResult {
  readonly expectation: Expectation;
  readonly passed: boolean;
  /** Why it failed; empty when it passed. */
  readonly failures: readonly string[];
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

export function readExpectations(objects: readonly KubeObject[]): { expectations: Expectation[]; diagnostics: Diagnostic[] } {
  const expectations: Expectation[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const object of objects) {
    if (object.kind !== 'PolicyTestExpectations' || object.apiVersion !== 'rampart.dev/v1alpha1') continue;
    const list = object.raw.expectations;
    if (!Array.isArray(list)) {
      const location = locate(object, ['expectations']);
      diagnostics.push({ severity: 'error', code: 'expectations-invalid', message: 'PolicyTestExpectations: expectations must be a list', file: location.file, line: location.line, column: location.column });
      continue;
    }
    for (const [index, entry] of list.entries()) {
      const location = locate(object, ['expectations', index]);
      if (!isJsonObject(entry) || !isJsonObject(entry.object)) {
        diagnostics.push({ severity: 'error', code: 'expectations-invalid', message: `PolicyTestExpectations: expectations[${index}] needs an object to select the request`, file: location.file, line: location.line, column: location.column });
        continue;
      }
      const selector: Partial<Record<'apiVersion' | 'kind' | 'name' | 'namespace', string>> = {};
      for (const key of ['apiVersion', 'kind', 'name', 'namespace'] as const) if (typeof entry.object[key] === 'string') selector[key] = entry.object[key];
      const annotations = isJsonObject(entry.auditAnnotations) ? Object.fromEntries(Object.entries(entry.auditAnnotations).filter((pair): pair is [string, string] => typeof pair[1] === 'string')) : undefined;
      expectations.push({
        name: typeof entry.name === 'string' ? entry.name : `expectations[${index}]`,
        object: selector,
        operation: typeof entry.operation === 'string' ? entry.operation : undefined,
        allowed: typeof entry.allowed === 'boolean' ? entry.allowed : undefined,
        denials: strings(entry.denials),
        warnings: strings(entry.warnings),
        auditAnnotations: annotations,
        source: { file: location.file, line: location.line },
      });
    }
  }
  return { expectations, diagnostics };
}

function selects(expectation: Expectation, request: RequestOutcome): boolean {
  const { object } = expectation;
  const namespace = request.object.namespace ?? (request.resource.namespaced ? 'default' : undefined);
  return (
    (object.apiVersion === undefined || object.apiVersion === request.object.apiVersion) &&
    (object.kind === undefined || object.kind === request.object.kind) &&
    (object.name === undefined || object.name === request.object.name) &&
    (object.namespace === undefined || object.namespace === namespace) &&
    (expectation.operation === undefined || expectation.operation === request.operation)
  );
}

function expectParts(what: string, expected: readonly string[], actual: readonly string[]): string[] {
  if (expected.length === 0) return actual.length === 0 ? [] : [`expected no ${what}, got: ${actual.join(' | ')}`];
  return expected.filter((part) => !actual.some((message) => message.includes(part))).map((part) => `expected a ${what.replace(/s$/, '')} containing ${JSON.stringify(part)}, got: ${actual.length === 0 ? 'none' : actual.join(' | ')}`);
}

export function judgeExpectations(expectations: readonly Expectation[], requests: readonly RequestOutcome[]): ExpectationResult[] {
  return expectations.map((expectation) => {
    const matching = requests.filter((request) => selects(expectation, request));
    if (matching.length !== 1) {
      return { expectation, passed: false, failures: [matching.length === 0 ? 'no request matches the object selector' : `${matching.length} requests match the object selector; make it more specific`] };
    }
    const request = matching[0] as RequestOutcome;
    const failures: string[] = [];
    if (expectation.allowed !== undefined && expectation.allowed !== request.allowed) failures.push(`expected ${expectation.allowed ? 'admitted' : 'denied'}, was ${request.allowed ? 'admitted' : 'denied'}`);
    const denials = request.bindings.flatMap((binding) => binding.denials);
    const warnings = request.bindings.flatMap((binding) => binding.warnings);
    if (expectation.denials !== undefined) failures.push(...expectParts('denials', expectation.denials, denials));
    if (expectation.warnings !== undefined) failures.push(...expectParts('warnings', expectation.warnings, warnings));
    for (const [key, part] of Object.entries(expectation.auditAnnotations ?? {})) {
      const value = request.bindings.map((binding) => binding.auditAnnotations[key]).find((candidate) => candidate !== undefined);
      if (value === undefined || !value.includes(part)) failures.push(`expected audit annotation ${key} containing ${JSON.stringify(part)}, got ${value === undefined ? 'none' : JSON.stringify(value)}`);
    }
    return { expectation, passed: failures.length === 0, failures };
  });
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderExpectationsJunit(results: readonly ExpectationResult[]): string {
  const failures = results.filter((result) => !result.passed).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="rampart policy test" tests="${results.length}" failures="${failures}">`, `  <testsuite name="ValidatingAdmissionPolicy expectations" tests="${results.length}" failures="${failures}">`];
  for (const result of results) {
    const { expectation } = result;
    const open = `    <testcase classname="${xml(expectation.source.file)}" name="${xml(expectation.name)}" file="${xml(expectation.source.file)}" line="${expectation.source.line}"`;
    if (result.passed) lines.push(`${open}/>`);
    else lines.push(`${open}>`, `      <failure message="${xml(result.failures[0] ?? 'failed')}">${xml(result.failures.join('\n'))}</failure>`, '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}

export function renderExpectationsTable(results: readonly ExpectationResult[]): string {
  const lines = results.map((result) => `${result.passed ? 'PASS' : 'FAIL'}  ${result.expectation.name}  (${result.expectation.source.file}:${result.expectation.source.line})${result.failures.map((failure) => `\n      ${failure}`).join('')}`);
  const failed = results.filter((result) => !result.passed).length;
  lines.push('', `${results.length} expectations: ${results.length - failed} passed, ${failed} failed`);
  return `${lines.join('\n')}\n`;
}
