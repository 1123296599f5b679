/**
 * `rampart scan --baseline PREVIOUS.json`: report only findings that are new
 * relative to an earlier JSON report. Findings are compared by a fingerprint
 * that survives edits elsewhere in the file (no line or column).
 */
import { createHash } from 'node:crypto';
import { withContents, type ScanResult } from '../engine/scan.js';
import { formatPath, isJsonObject, type FieldPath } from '../model/types.js';

/** What identifies a finding across runs. The subset of `Finding` a JSON report keeps. */
export interface FingerprintFields {
  readonly checkId: string;
  readonly object: { readonly kind: string; readonly namespace?: string; readonly name: string };
  readonly container?: string;
  readonly path?: FieldPath;
}

/**
 * The check, the object (kind, namespace, name), the container and the field:
 * like SARIF's `rampartFinding/v1` identity but without the file, so moving
 * an object to another file keeps its findings, and without apiVersion, so
 * migrating `extensions/v1beta1` to `apps/v1` does too. Lines never count.
 */
export function findingFingerprint(finding: FingerprintFields): string {
  const identity = JSON.stringify([
    finding.checkId,
    finding.object.kind,
    finding.object.namespace ?? '',
    finding.object.name,
    finding.container ?? '',
    finding.path === undefined ? '' : formatPath(finding.path),
  ]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

export class BaselineError extends Error {}

/** Reads the findings of an earlier `rampart scan --format json` report; anything else is a BaselineError. */
export function parseBaseline(text: string, file: string): FingerprintFields[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new BaselineError(`--baseline ${file} is not a Rampart JSON report: not JSON`);
  }
  const notReport = (why: string): BaselineError => new BaselineError(`--baseline ${file} is not a Rampart JSON report (rampart scan --format json): ${why}`);
  if (!isJsonObject(data)) throw notReport('not a JSON object');
  if (!isJsonObject(data.tool) || data.tool.name !== 'rampart') throw notReport('tool.name is not "rampart"');
  if (typeof data.schemaVersion !== 'string' || !/^\d+\.\d+$/.test(data.schemaVersion)) throw notReport('no schemaVersion');
  if (!data.schemaVersion.startsWith('1.')) throw new BaselineError(`--baseline ${file} has schemaVersion ${data.schemaVersion}; this Rampart reads 1.x`);
  if (!Array.isArray(data.findings)) throw notReport('no findings list');
  return data.findings.map((entry: unknown, index): FingerprintFields => {
    const valid =
      isJsonObject(entry) &&
      typeof entry.checkId === 'string' &&
      isJsonObject(entry.object) &&
      typeof entry.object.kind === 'string' &&
      typeof entry.object.name === 'string' &&
      (entry.object.namespace === undefined || typeof entry.object.namespace === 'string') &&
      (entry.container === undefined || typeof entry.container === 'string') &&
      (entry.path === undefined || (Array.isArray(entry.path) && entry.path.every((segment) => typeof segment === 'string' || typeof segment === 'number')));
    if (!valid) throw notReport(`findings[${index}] is not a finding`);
    return entry as unknown as FingerprintFields;
  });
}

/**
 * Keeps the findings the baseline does not have. Fingerprints are counted, so
 * a second identical finding (the same object name in two files) is new when
 * the baseline had only one. Pure: returns a new result.
 */
export function applyBaseline(result: ScanResult, baseline: readonly FingerprintFields[]): { result: ScanResult; unchanged: number } {
  const known = new Map<string, number>();
  for (const finding of baseline) {
    const fingerprint = findingFingerprint(finding);
    known.set(fingerprint, (known.get(fingerprint) ?? 0) + 1);
  }
  const findings = result.findings.filter((finding) => {
    const fingerprint = findingFingerprint(finding);
    const remaining = known.get(fingerprint) ?? 0;
    if (remaining === 0) return true;
    known.set(fingerprint, remaining - 1);
    return false;
  });
  return { result: withContents(result, findings, [...result.diagnostics]), unchanged: result.findings.length - findings.length };
}
