/**
 * The terminal report, grouped by object in the manner of kube-score: an
 * object header, one line per finding, then diagnostics and a summary line.
 *
 *   Deployment shop/api  manifests/api.yaml:1
 *     CRITICAL  PSS-privileged    container "app" must not set securityContext.privileged=true  manifests/api.yaml:24
 *
 *   manifests/broken.yaml:3:7: error: unexpected end of the stream [yaml-syntax]
 *
 *   Scanned 2 objects in 2 files: 1 finding (1 critical), 1 diagnostic (1 error).
 *
 * Findings left out of the table are counted in the summary: those an
 * exception suppressed and, with --baseline, those the baseline already had.
 */
import type { ScanResult } from '../engine/scan.js';
import type { SuppressedFinding } from '../exceptions/exceptions.js';
import { SEVERITIES, type Diagnostic, type Finding, type Severity } from '../model/types.js';
import { formatLocation, groupByObject, namespacedName, sortDiagnostics, type ScannedObject } from './objects.js';

export interface TableReportContext {
  /** ANSI colour; the CLI decides from the TTY and NO_COLOR. */
  readonly color: boolean;
  readonly objects?: readonly ScannedObject[];
  /** Findings an exception in force suppressed: counted in the summary line when there are some. */
  readonly suppressed?: readonly SuppressedFinding[];
  /** `--baseline`: how many findings the earlier report already had, counted in the summary line. */
  readonly baseline?: { readonly file: string; readonly unchanged: number };
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  boldRed: '\u001b[1;31m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  gray: '\u001b[90m',
} as const;

const SEVERITY_STYLE: Record<Severity, string> = {
  critical: ANSI.boldRed,
  high: ANSI.red,
  medium: ANSI.yellow,
  low: ANSI.cyan,
  info: ANSI.gray,
};

const SEVERITY_WIDTH = Math.max(...SEVERITIES.map((severity) => severity.length));
/** Check IDs longer than this are not padded further, so one odd ID cannot push every message to the right. */
const MAX_CHECK_ID_WIDTH = 32;

export function renderTable(result: ScanResult, context: TableReportContext): string {
  return [...renderTableChunks(result, context)].join('');
}

/** The table in pieces, one per object, so a scan with hundreds of thousands of findings never makes one string of them. */
export function* renderTableChunks(result: ScanResult, context: TableReportContext): Generator<string> {
  const paint = (style: string, text: string): string => (context.color ? `${style}${text}${ANSI.reset}` : text);
  // Clean objects are left out: the summary counts them, and the report stays about what needs doing.
  const groups = groupByObject(result.findings, context.objects).filter((group) => group.findings.length > 0);
  let checkIdWidth = 0;
  // A loop, not Math.max(...spread): a large scan has more findings than a call can take arguments.
  for (const finding of result.findings) checkIdWidth = Math.max(checkIdWidth, Math.min(MAX_CHECK_ID_WIDTH, printable(finding.checkId).length));
  for (const group of groups) {
    const where = group.location !== undefined ? formatLocation(group.location) : group.file;
    const lines = [`${paint(ANSI.bold, `${printable(group.object.kind)} ${printable(namespacedName(group.object))}`)}  ${paint(ANSI.dim, printable(where))}`];
    for (const finding of group.findings) lines.push(findingLine(finding, checkIdWidth, paint));
    yield `${lines.join('\n')}\n\n`;
  }
  const diagnostics = sortDiagnostics(result.diagnostics);
  const tail: string[] = [];
  for (const diagnostic of diagnostics) tail.push(diagnosticLine(diagnostic, paint));
  if (diagnostics.length > 0) tail.push('');
  tail.push(summaryLine(result, context));
  yield `${tail.join('\n')}\n`;
}

function findingLine(finding: Finding, checkIdWidth: number, paint: (style: string, text: string) => string): string {
  const tag = paint(SEVERITY_STYLE[finding.severity], finding.severity.toUpperCase().padEnd(SEVERITY_WIDTH));
  const checkId = printable(finding.checkId).padEnd(checkIdWidth);
  return `    ${tag}  ${checkId}  ${printable(finding.message)}  ${paint(ANSI.dim, printable(formatLocation(finding.location)))}`;
}

function diagnosticLine(diagnostic: Diagnostic, paint: (style: string, text: string) => string): string {
  const severity = paint(diagnostic.severity === 'error' ? ANSI.boldRed : ANSI.yellow, diagnostic.severity);
  return `${printable(formatLocation(diagnostic, true))}: ${severity}: ${printable(diagnostic.message)} [${printable(diagnostic.code)}]`;
}

function summaryLine(result: ScanResult, context: TableReportContext): string {
  const { summary } = result;
  const scanned = `Scanned ${count(summary.objects, 'object')} in ${count(summary.files, 'file')}`;
  const perSeverity = SEVERITIES.filter((severity) => summary.bySeverity[severity] > 0).map((severity) => `${summary.bySeverity[severity]} ${severity}`);
  const findings = summary.findings === 0 ? 'no findings' : `${count(summary.findings, 'finding')} (${perSeverity.join(', ')})`;
  const { errors, warnings } = summary.diagnostics;
  const diagnosticParts = [...(errors > 0 ? [count(errors, 'error')] : []), ...(warnings > 0 ? [count(warnings, 'warning')] : [])];
  const diagnostics = errors + warnings === 0 ? 'no diagnostics' : `${count(errors + warnings, 'diagnostic')} (${diagnosticParts.join(', ')})`;
  const suppressed = context.suppressed?.length ?? 0;
  const leftOut = [
    ...(suppressed > 0 ? [`${suppressed} suppressed by exceptions`] : []),
    ...(context.baseline !== undefined ? [`${context.baseline.unchanged} unchanged since the baseline`] : []),
  ];
  return `${scanned}: ${[findings, ...leftOut, diagnostics].join(', ')}.`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * Names and messages come from the scanned manifests, which may be hostile:
 * control characters (terminal escapes, newlines) and bidirectional overrides
 * are shown as escapes instead of being sent to the terminal.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (character) => {
    switch (character) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}
