/**
 * Objects read from a cluster share one pseudo-file and line, so the engine's
 * file:line order leaves their findings in arrival order, which depends on
 * which list answered first. This puts them in a stable order: mapped
 * objects by file and line, then by kind, namespace and name.
 */
import type { ScanResult } from '../engine/scan.js';
import { severityRank, type Finding, type ObjectRef, type SourceLocation } from '../model/types.js';

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareObjects(a: { object: ObjectRef; location: SourceLocation }, b: { object: ObjectRef; location: SourceLocation }): number {
  return (
    compareText(a.location.file, b.location.file) ||
    a.location.documentIndex - b.location.documentIndex ||
    compareText(a.object.kind, b.object.kind) ||
    compareText(a.object.namespace ?? '', b.object.namespace ?? '') ||
    compareText(a.object.name, b.object.name) ||
    compareText(a.object.apiVersion, b.object.apiVersion)
  );
}

export function orderClusterResult(result: ScanResult): void {
  result.objects.sort(compareObjects);
  result.findings.sort(
    (a: Finding, b: Finding) =>
      compareObjects(a, b) ||
      a.location.line - b.location.line ||
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.checkId, b.checkId) ||
      compareText(a.message, b.message),
  );
}
