/** One formatter per output format, all fed the same scan result. See docs/output-formats.md. */
import type { ScanResult } from '../engine/scan.js';
import type { TextReplacement } from '../fix/replacements.js';
import type { Finding } from '../model/types.js';
import { renderJson, renderJsonChunks, type JsonReportContext } from './json.js';
import { renderJunit, renderJunitChunks } from './junit.js';
import type { ScannedObject } from './objects.js';
import { renderSarif } from './sarif.js';
import { renderTable, renderTableChunks } from './table.js';

export type { ScannedObject } from './objects.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportContext extends JsonReportContext {
  /** Colour for the table format (TTY and NO_COLOR decide). */
  readonly color: boolean;
  /**
   * Every object the scan judged, clean or not, when the front-end has the
   * list: the JUnit report then shows clean objects as passing testcases and
   * the table names where each object starts. Optional: without it only
   * objects with findings appear.
   */
  readonly objects?: readonly ScannedObject[];
  /** Directory relative file paths are relative to, for SARIF artifact URIs; default: the working directory. */
  readonly baseDirectory?: string;
  /** Fixable findings' fixes as text replacements, carried by SARIF results as `fixes`. */
  readonly fixes?: ReadonlyMap<Finding, TextReplacement>;
}

export function renderReport(format: ReportFormat, result: ScanResult, context: ReportContext): string {
  switch (format) {
    case 'table':
      return renderTable(result, context);
    case 'json':
      return renderJson(result, context);
    case 'sarif':
      return renderSarif(result, { ...context, baseDirectory: context.baseDirectory ?? process.cwd() });
    case 'junit':
      return renderJunit(result, context);
  }
}

/** The report in pieces, for writing without one large string: JSON streams finding by finding, the table object by object, JUnit a few thousand testcases at a time; SARIF is one piece. */
export function renderReportChunks(format: ReportFormat, result: ScanResult, context: ReportContext): Iterable<string> {
  if (format === 'json') return renderJsonChunks(result, context);
  if (format === 'table') return renderTableChunks(result, context);
  if (format === 'junit') return renderJunitChunks(result, context);
  return [renderReport(format, result, context)];
}
