/** One formatter per output format, all fed the same scan result. */
import type { ScanResult } from '../engine/scan.js';
import { renderJson, type JsonReportContext } from './json.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'junit'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportContext extends JsonReportContext {
  /** Colour for the table format (TTY and NO_COLOR decide). */
  readonly color: boolean;
}

export function renderReport(format: ReportFormat, result: ScanResult, context: ReportContext): string {
  switch (format) {
    case 'json':
    case 'table':
    case 'sarif':
    case 'junit':
      return renderJson(result, context);
  }
}
