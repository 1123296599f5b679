/**
 * The JSON report: a documented, versioned schema (docs/json-output.md,
 * docs/json-output.schema.json). Every field is copied explicitly, so a new
 * field in the internal model never reaches the output unless it is added
 * here, to the documentation and to the schema.
 */
import type { ScanResult } from '../engine/scan.js';
import type { SuppressedFinding } from '../exceptions/exceptions.js';
import type { Diagnostic, Finding, FrameworkMapping, Severity } from '../model/types.js';
import { FindingTextWriter } from './jsonFindings.js';

/** Bump the minor version when fields are added, the major version when a field changes or goes away. */
export const JSON_SCHEMA_VERSION = '1.1';

export interface JsonReportContext {
  readonly tool: { readonly name: string; readonly version: string };
  readonly pss?: { readonly level: string; readonly version: string; readonly requestedVersion: string };
  /** Findings an exception in force suppressed (docs/exceptions.md); listed only when there are some. */
  readonly suppressed?: readonly SuppressedFinding[];
  /** `--baseline`: the earlier report, and how many of this scan's findings it already had (left out of `findings`). */
  readonly baseline?: { readonly file: string; readonly unchanged: number };
}

export interface JsonReport {
  readonly schemaVersion: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly pss?: { readonly level: string; readonly version: string; readonly requestedVersion: string };
  readonly findings: readonly JsonFinding[];
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly suppressed?: readonly JsonSuppressedFinding[];
  readonly baseline?: { readonly file: string; readonly unchanged: number };
  readonly summary: JsonSummary;
}

export interface JsonSuppressedFinding extends JsonFinding {
  readonly exception: {
    readonly source: 'inline' | 'config';
    readonly reason: string;
    readonly owner?: string;
    readonly expires?: string;
    readonly file: string;
    readonly line: number;
  };
}

export interface JsonFinding {
  readonly checkId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly object: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly location: { readonly file: string; readonly documentIndex: number; readonly line: number; readonly column: number };
  readonly frameworks: readonly { readonly framework: string; readonly id: string; readonly level?: string }[];
  readonly container?: string;
  readonly path?: readonly (string | number)[];
}

export interface JsonDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly documentIndex?: number;
  readonly line?: number;
  readonly column?: number;
}

export interface JsonSummary {
  readonly files: number;
  readonly objects: number;
  readonly findings: number;
  readonly bySeverity: Record<Severity, number>;
  readonly diagnostics: { readonly errors: number; readonly warnings: number };
  /** Findings suppressed by exceptions, not counted in `findings`; present when there are some. */
  readonly suppressed?: number;
}

export function renderJson(result: ScanResult, context: JsonReportContext): string {
  return `${JSON.stringify(toJsonReport(result, context), null, 2)}\n`;
}

/**
 * The same text as `renderJson`, in pieces: the findings are written as text
 * one at a time and handed over about 32 K characters at a time, so a scan with
 * hundreds of thousands of findings never holds the whole report (as objects
 * or as one string) in memory.
 */
export function* renderJsonChunks(result: ScanResult, context: JsonReportContext): Generator<string> {
  // The report without its findings gives every other member, in order and formatted as JSON.stringify does.
  const shell = toJsonReport({ ...result, findings: [] }, context);
  const entries = Object.entries(shell);
  yield '{\n';
  for (const [index, [key, value]] of entries.entries()) {
    const comma = index < entries.length - 1 ? ',' : '';
    if (key === 'findings' && result.findings.length > 0) {
      // The findings are written as text by hand (jsonFindings.ts): the same bytes, without converting each finding to
      // an object and walking it, and with the parts findings share rendered once.
      const writer = new FindingTextWriter();
      const { findings } = result;
      let piece = '  "findings": [\n';
      for (let position = 0; position < findings.length; position++) {
        piece += writer.finding(findings[position] as Finding);
        piece += position < findings.length - 1 ? ',\n' : '\n';
        if (piece.length >= PIECE_CHARACTERS) {
          yield piece;
          piece = '';
        }
      }
      yield `${piece}  ]${comma}\n`;
      continue;
    }
    yield `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}${comma}\n`;
  }
  yield '}\n';
}

/**
 * Findings text is handed over in pieces of about this many characters (writeOutput packs them into 1 MB writes). Small
 * enough that a piece, flattened when written, stays an ordinary young-generation string even if it holds two-byte
 * characters: strings over 128 KB go to the large-object space, and filling that brings on full collections.
 */
const PIECE_CHARACTERS = 32 * 1024;

export function toJsonReport(result: ScanResult, context: JsonReportContext): JsonReport {
  const { summary } = result;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: context.tool.name, version: context.tool.version },
    ...(context.pss !== undefined ? { pss: { level: context.pss.level, version: context.pss.version, requestedVersion: context.pss.requestedVersion } } : {}),
    findings: result.findings.map(toJsonFinding),
    diagnostics: result.diagnostics.map(toJsonDiagnostic),
    ...(context.suppressed !== undefined && context.suppressed.length > 0 ? { suppressed: context.suppressed.map(toJsonSuppressed) } : {}),
    ...(context.baseline !== undefined ? { baseline: { file: context.baseline.file, unchanged: context.baseline.unchanged } } : {}),
    summary: {
      files: summary.files,
      objects: summary.objects,
      findings: summary.findings,
      bySeverity: {
        critical: summary.bySeverity.critical,
        high: summary.bySeverity.high,
        medium: summary.bySeverity.medium,
        low: summary.bySeverity.low,
        info: summary.bySeverity.info,
      },
      diagnostics: { errors: summary.diagnostics.errors, warnings: summary.diagnostics.warnings },
      ...(context.suppressed !== undefined && context.suppressed.length > 0 ? { suppressed: context.suppressed.length } : {}),
    },
  };
}

function toJsonSuppressed({ finding, exception }: SuppressedFinding): JsonSuppressedFinding {
  return {
    ...toJsonFinding(finding),
    exception: {
      source: exception.source,
      reason: exception.reason,
      ...(exception.owner !== undefined ? { owner: exception.owner } : {}),
      ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
      file: exception.file,
      line: exception.line,
    },
  };
}

function toJsonFinding(finding: Finding): JsonFinding {
  const { object, location } = finding;
  return {
    checkId: finding.checkId,
    severity: finding.severity,
    title: finding.title,
    message: finding.message,
    object: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
      name: object.name,
    },
    location: { file: location.file, documentIndex: location.documentIndex, line: location.line, column: location.column },
    frameworks: finding.frameworks.map(toJsonFramework),
    ...(finding.container !== undefined ? { container: finding.container } : {}),
    ...(finding.path !== undefined ? { path: [...finding.path] } : {}),
  };
}

function toJsonFramework(mapping: FrameworkMapping): JsonFinding['frameworks'][number] {
  return { framework: mapping.framework, id: mapping.id, ...(mapping.level !== undefined ? { level: mapping.level } : {}) };
}

function toJsonDiagnostic(diagnostic: Diagnostic): JsonDiagnostic {
  return {
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    file: diagnostic.file,
    ...(diagnostic.documentIndex !== undefined ? { documentIndex: diagnostic.documentIndex } : {}),
    ...(diagnostic.line !== undefined ? { line: diagnostic.line } : {}),
    ...(diagnostic.column !== undefined ? { column: diagnostic.column } : {}),
  };
}
