/** The JSON report: a documented, versioned schema (docs/json-output.md). */
import type { ScanResult } from '../engine/scan.js';

export const JSON_SCHEMA_VERSION = '1.0';

export interface JsonReportContext {
  readonly tool: { readonly name: string; readonly version: string };
  readonly pss?: { readonly level: string; readonly version: string; readonly requestedVersion: string };
}

export function renderJson(result: ScanResult, context: JsonReportContext): string {
  return `${JSON.stringify(
    {
      schemaVersion: JSON_SCHEMA_VERSION,
      tool: context.tool,
      ...(context.pss !== undefined ? { pss: context.pss } : {}),
      findings: result.findings,
      diagnostics: result.diagnostics,
      summary: result.summary,
    },
    null,
    2,
  )}\n`;
}
