import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT } from '../testing/paths.js';
import { JSON_SCHEMA_VERSION, renderJson, renderJsonChunks, type JsonReport } from './json.js';
import { diagnostic, finding, scanResult, TOOL } from './testing/fixtures.js';
import { describeErrors, JSON_REPORT_SCHEMA_PATH, jsonReportValidator } from './testing/schemas.js';
import { tempDir } from '../testing/tempDir.js';

const validate = jsonReportValidator();
const PSS = { level: 'restricted', version: 'v1.34', requestedVersion: 'latest' };

function assertValid(report: unknown): void {
  assert.ok(validate(report), `schema violations: ${describeErrors(validate)}`);
}

test('real scan output validates against docs/json-output.schema.json', () => {
  const directory = tempDir('rampart-json-');
  writeFileSync(path.join(directory, 'broken.yaml'), 'kind: Pod\nmetadata: {name: [x\n');
  writeFileSync(path.join(directory, 'values.yaml'), 'replicas: 3\n');
  const result = spawnSync(process.execPath, [CLI, 'scan', path.join(REPO_ROOT, 'examples', 'demo-shop'), directory, '--format', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // A file that cannot be parsed is an input error: the report is still written, and the exit code is 2.
  assert.equal(result.status, 2, result.stderr);
  const report = JSON.parse(result.stdout) as JsonReport;
  assertValid(report);
  assert.equal(report.schemaVersion, JSON_SCHEMA_VERSION);
  assert.ok(report.pss !== undefined, 'the CLI reports the PSS policy it applied');
  assert.ok(report.diagnostics.length >= 1, 'the broken file is reported');
  assert.ok(report.summary.objects > 0);
  assert.equal(report.summary.findings, report.findings.length);
});

test('every field is written, in a fixed shape, and validates', () => {
  const full = finding({ checkId: 'TEST-privileged', severity: 'critical', container: 'app', path: ['spec', 'containers', 0, 'securityContext', 'privileged'], line: 21, column: 11 });
  const clusterScoped = finding({ checkId: 'TEST-rbac', severity: 'low', object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespace: undefined, name: 'wide' }, file: 'rbac.yaml', line: 1, column: 1 });
  const report = JSON.parse(renderJson(scanResult([full, clusterScoped], [diagnostic()]), { tool: TOOL, pss: PSS })) as JsonReport;
  assertValid(report);
  assert.deepEqual(Object.keys(report), ['schemaVersion', 'tool', 'pss', 'findings', 'diagnostics', 'summary']);
  assert.deepEqual(report.tool, TOOL);
  assert.deepEqual(report.pss, PSS);
  assert.deepEqual(report.findings[0], {
    checkId: 'TEST-privileged',
    severity: 'critical',
    title: 'Privileged containers',
    message: 'container "app" must not set securityContext.privileged=true',
    object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'api' },
    location: { file: 'manifests/api.yaml', documentIndex: 0, line: 21, column: 11 },
    frameworks: [{ framework: 'PSS', id: 'privileged', level: 'baseline' }],
    container: 'app',
    path: ['spec', 'containers', 0, 'securityContext', 'privileged'],
  });
  assert.ok(!('namespace' in (report.findings[1]?.object ?? {})), 'cluster-scoped objects have no namespace field');
  assert.ok(!('container' in (report.findings[1] ?? {})) && !('path' in (report.findings[1] ?? {})));
  assert.deepEqual(report.diagnostics, [{ severity: 'error', code: 'yaml-syntax', message: 'unexpected end of the stream', file: 'manifests/broken.yaml', line: 3, column: 7 }]);
  assert.deepEqual(report.summary, {
    files: 3,
    objects: 2,
    findings: 2,
    bySeverity: { critical: 1, high: 0, medium: 0, low: 1, info: 0 },
    diagnostics: { errors: 1, warnings: 0 },
  });
});

test('findings keep the engine order; the reporter does not regroup them', () => {
  const findings = [finding({ file: 'z.yaml', line: 1 }), finding({ file: 'a.yaml', line: 9 }), finding({ file: 'a.yaml', line: 2 })];
  const report = JSON.parse(renderJson(scanResult(findings), { tool: TOOL })) as JsonReport;
  assert.deepEqual(report.findings.map((entry) => `${entry.location.file}:${entry.location.line}`), ['z.yaml:1', 'a.yaml:9', 'a.yaml:2']);
});

test('an empty result and a diagnostics-only result validate; pss is left out when not given', () => {
  const empty = JSON.parse(renderJson(scanResult(), { tool: TOOL })) as JsonReport;
  assertValid(empty);
  assert.deepEqual(Object.keys(empty), ['schemaVersion', 'tool', 'findings', 'diagnostics', 'summary']);
  assert.deepEqual(empty.findings, []);
  assert.deepEqual(empty.summary.bySeverity, { critical: 0, high: 0, medium: 0, low: 0, info: 0 });
  const diagnosticsOnly = JSON.parse(
    renderJson(scanResult([], [diagnostic(), diagnostic({ severity: 'warning', code: 'not-kubernetes-object', line: undefined, column: undefined, documentIndex: 2 })]), { tool: TOOL }),
  ) as JsonReport;
  assertValid(diagnosticsOnly);
  assert.deepEqual(diagnosticsOnly.summary.diagnostics, { errors: 1, warnings: 1 });
  assert.deepEqual(diagnosticsOnly.diagnostics[1], { severity: 'warning', code: 'not-kubernetes-object', message: 'unexpected end of the stream', file: 'manifests/broken.yaml', documentIndex: 2 });
});

test('fields outside the internal model do not leak into the report', () => {
  const extended = { ...finding(), internalNote: 'not for users', object: { ...finding().object, uid: 'x' } };
  const report = JSON.parse(renderJson(scanResult([extended]), { tool: { ...TOOL, secret: 'x' } as typeof TOOL })) as JsonReport;
  assertValid(report);
  assert.ok(!('internalNote' in (report.findings[0] ?? {})));
  assert.ok(!('uid' in (report.findings[0]?.object ?? {})));
  assert.deepEqual(report.tool, TOOL);
});

test('the schema is strict: unknown fields and wrong types are rejected', () => {
  const report = JSON.parse(renderJson(scanResult([finding()]), { tool: TOOL })) as Record<string, unknown> & { findings: Array<Record<string, unknown>> };
  assertValid(report);
  assert.equal(validate({ ...report, extra: true }), false);
  assert.equal(validate({ ...report, schemaVersion: '2.0' }), false);
  assert.equal(validate({ ...report, findings: [{ ...report.findings[0], severity: 'severe' }] }), false);
  assert.equal(validate({ ...report, findings: [{ ...report.findings[0], location: { file: 'a', documentIndex: 0, line: 0, column: 1 } }] }), false);
});

test('docs/json-output.md documents every field of the schema, and names the schema version', () => {
  const schema = JSON.parse(readFileSync(JSON_REPORT_SCHEMA_PATH, 'utf8')) as { properties: Record<string, { const?: string }> };
  assert.equal(schema.properties.schemaVersion?.const, JSON_SCHEMA_VERSION);
  const documentation = readFileSync(path.join(REPO_ROOT, 'docs', 'json-output.md'), 'utf8');
  assert.ok(documentation.includes(`"schemaVersion": "${JSON_SCHEMA_VERSION}"`), 'the example shows the current version');
  const fields = new Set<string>();
  const collect = (node: unknown, prefix: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const record = node as { properties?: Record<string, unknown>; items?: unknown; $ref?: string };
    if (record.$ref !== undefined) {
      const target = (schema as unknown as { definitions: Record<string, unknown> }).definitions[record.$ref.replace('#/definitions/', '')];
      collect(target, prefix);
    }
    for (const [name, child] of Object.entries(record.properties ?? {})) {
      const field = prefix === '' ? name : `${prefix}.${name}`;
      fields.add(field);
      collect(child, field);
    }
    if (record.items !== undefined) collect(record.items, `${prefix}[]`);
  };
  collect(schema, '');
  assert.ok(fields.size > 30);
  for (const field of fields) assert.ok(documentation.includes(`\`${field}\``), `docs/json-output.md documents \`${field}\``);
});

test('the streamed report is the same text as the one-piece report, finding by finding', () => {
  const findings = [finding({ checkId: 'a' }), finding({ checkId: 'b', message: 'line "quoted"\nand more' }), finding({ checkId: 'c' })];
  const cases = [
    scanResult(),
    scanResult([], [diagnostic()]),
    scanResult(findings.slice(0, 1)),
    scanResult(findings, [diagnostic(), diagnostic({ severity: 'warning' })], { files: 3, objects: 7 }),
    // Several batches of findings, the last one partial.
    scanResult(Array.from({ length: 1203 }, (_, index) => finding({ checkId: `check-${index}` }))),
  ];
  for (const result of cases) {
    for (const context of [{ tool: TOOL }, { tool: TOOL, pss: { level: 'restricted' as const, version: 'v1.37', requestedVersion: 'latest' }, baseline: { file: 'old.json', unchanged: 4 } }]) {
      const chunks = [...renderJsonChunks(result, context)];
      assert.equal(chunks.join(''), renderJson(result, context));
      assert.ok(chunks.length >= 3, 'pieces, not one string');
    }
  }
});
