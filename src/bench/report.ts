/**
 * Bench output: a kube-bench-like table (PASS/FAIL/WARN/INFO per control,
 * remediations, section summaries), a bench JSON document, and the core's
 * SARIF and JUnit through a mapping to findings.
 */
import type { ScanResult, ScannedObject } from '../engine/scan.js';
import type { Finding, Severity } from '../model/types.js';
import { CIS_1_12, BENCHMARKS } from './catalogue.js';
import type { BenchResult } from './evaluate.js';
import type { ControlResult, ControlStatus } from './model.js';

export const BENCH_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type BenchFormat = (typeof BENCH_FORMATS)[number];

/** Bump the minor version when fields are added, the major version when one changes or goes away. */
export const BENCH_JSON_SCHEMA_VERSION = '1.1';

const COLORS: Record<ControlStatus, string> = { PASS: '\u001b[32m', FAIL: '\u001b[31m', WARN: '\u001b[33m', INFO: '\u001b[34m' };
const RESET = '\u001b[0m';

export interface BenchReportContext {
  readonly tool: { readonly name: string; readonly version: string };
  readonly color: boolean;
}

/** The core reporters (and the check catalogue SARIF describes) load only when SARIF or JUnit is asked for. */
export async function renderBench(format: BenchFormat, result: BenchResult, context: BenchReportContext): Promise<string> {
  switch (format) {
    case 'table':
      return renderBenchTable(result, context.color);
    case 'json':
      return `${JSON.stringify(benchJson(result, context), null, 2)}\n`;
    case 'sarif': {
      const { renderReport } = await import('../report/index.js');
      return renderReport('sarif', toScanResult(result, true), { tool: context.tool, color: false, baseDirectory: '/' });
    }
    case 'junit': {
      const { renderReport } = await import('../report/index.js');
      const scan = toScanResult(result, false);
      return renderReport('junit', scan, { tool: context.tool, color: false, objects: scan.objects });
    }
  }
}

function tag(status: ControlStatus, color: boolean): string {
  return color ? `${COLORS[status]}[${status}]${RESET}` : `[${status}]`;
}

export function renderBenchTable(result: BenchResult, color: boolean): string {
  const lines: string[] = [];
  lines.push(`${result.benchmark.title} (${result.benchmark.id})`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  for (const component of result.components) lines.push(`  found: ${component.name} (${component.origin}, ${component.file})`);
  lines.push('');
  for (const section of result.sections) {
    lines.push(`${tag('INFO', color)} ${section.id} ${section.title}`);
    for (const control of section.results) {
      lines.push(`${tag(control.status, color)} ${control.id} ${control.title}${control.rampartOnly === true ? ' (Rampart, not in CIS)' : control.automated ? '' : control.automatedByRampart ? ' (Manual in CIS, automated)' : ' (Manual)'}`);
      if (control.status !== 'PASS') for (const detail of control.details) lines.push(`       ${detail}`);
    }
    lines.push('');
  }
  const remediations = result.sections.flatMap((section) => section.results.filter((control) => control.status === 'FAIL' || control.status === 'WARN'));
  if (remediations.length > 0) {
    lines.push('== Remediations ==');
    for (const control of remediations) lines.push(`${control.id} ${control.remediation}`, '');
  }
  lines.push('== Summary ==');
  for (const section of result.sections) lines.push(`${section.id} ${section.title}: ${summaryLine(section.counts)}`);
  lines.push(`Total: ${summaryLine(result.counts)}`, '');
  return lines.join('\n');
}

function summaryLine(counts: Record<ControlStatus, number>): string {
  return `${counts.PASS} PASS, ${counts.FAIL} FAIL, ${counts.WARN} WARN, ${counts.INFO} INFO`;
}

export function benchJson(result: BenchResult, context: Pick<BenchReportContext, 'tool'>): object {
  return {
    schemaVersion: BENCH_JSON_SCHEMA_VERSION,
    tool: context.tool,
    benchmark: result.benchmark,
    kubernetesVersion: { minor: result.kubernetesVersion.minor, version: result.kubernetesVersion.text ?? null, source: result.kubernetesVersion.source },
    notes: result.notes,
    components: result.components,
    sections: result.sections.map((section) => ({
      id: section.id,
      title: section.title,
      target: section.target,
      counts: section.counts,
      results: section.results.map((control) => ({
        id: control.id,
        title: control.title,
        status: control.status,
        automated: control.automated,
        automatedByRampart: control.automatedByRampart,
        rampartOnly: control.rampartOnly === true,
        details: control.details,
        remediation: control.remediation,
        ...(control.file === undefined ? {} : { file: control.file }),
        ...(control.line === undefined ? {} : { line: control.line }),
      })),
    })),
    counts: result.counts,
  };
}

function severityOf(benchmarkId: string, id: string): Severity {
  const benchmark = BENCHMARKS.find((candidate) => candidate.id === benchmarkId) ?? CIS_1_12;
  return benchmark.controls.find((control) => control.id === id)?.severity ?? 'medium';
}

/**
 * FAIL results become findings at their control's severity; WARN results
 * become `info` findings (unknown is not passing); PASS results are clean
 * checks; INFO results (not applicable) are left out. For SARIF the finding
 * points at the evidence file and line; for JUnit every control of a section
 * is one testcase of that section.
 */
export function toScanResult(result: BenchResult, evidenceLocations: boolean): ScanResult {
  const findings: Finding[] = [];
  const objects: ScannedObject[] = [];
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  const node = '<node>';
  for (const section of result.sections) {
    const object = { apiVersion: 'bench.rampart.dev/v1', kind: 'CISSection', name: `${section.id} ${section.title}` };
    const judged: string[] = [];
    for (const control of section.results) {
      if (control.status === 'INFO') continue;
      const checkId = `${result.benchmark.id}/${control.id}`;
      judged.push(checkId);
      if (control.status === 'PASS') continue;
      const severity: Severity = control.status === 'FAIL' ? severityOf(result.benchmark.id, control.id) : 'info';
      bySeverity[severity]++;
      findings.push({
        checkId,
        severity,
        title: `${control.id} ${control.title}`,
        message: `${control.status}: ${control.details.join('; ')}`,
        object,
        location: { file: evidenceLocations ? (control.file ?? node) : node, documentIndex: 0, line: evidenceLocations ? (control.line ?? 1) : 1, column: 1 },
        frameworks: [{ framework: 'CIS', id: control.id, level: result.benchmark.id }],
      });
    }
    objects.push({ object, location: { file: node, documentIndex: 0, line: 1, column: 1 }, checks: judged });
  }
  return {
    findings,
    objects,
    diagnostics: [],
    summary: { files: 0, objects: objects.length, findings: findings.length, bySeverity, diagnostics: { errors: 0, warnings: 0 } },
  };
}

export function statusCounts(results: readonly ControlResult[]): Record<ControlStatus, number> {
  const counts: Record<ControlStatus, number> = { PASS: 0, FAIL: 0, WARN: 0, INFO: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}
