/**
 * `rampart exceptions report`: every exception with who, why, until when and
 * what it matched in this scan. Pure: statuses in, text out.
 */
import type { ObjectRef } from '../model/types.js';
import type { ExceptionState, ExceptionStatus } from './exceptions.js';

/** Version of the `exceptions report --format json` document; minor for added fields, major for changes. */
export const EXCEPTIONS_REPORT_VERSION = '1.0';

export interface ExceptionsReportEntry {
  readonly state: ExceptionState;
  readonly source: 'inline' | 'config';
  readonly file: string;
  readonly line: number;
  readonly checks: readonly string[];
  /** Inline: the object carrying the annotation. */
  readonly object?: ObjectRef;
  /** Config: which objects. */
  readonly match?: { readonly kind?: string; readonly namespace?: string; readonly name?: string; readonly labels?: Readonly<Record<string, string>>; readonly image?: string };
  readonly container?: string;
  /** Inline: the image it is limited to (config: `match.image`). */
  readonly image?: string;
  /** The vulnerability IDs it accepts (image findings). */
  readonly vulnerabilities?: readonly string[];
  readonly owner?: string;
  readonly reason: string;
  readonly expires?: string;
  /** Findings suppressed (active) or no longer suppressed (expired). */
  readonly matched: ReadonlyArray<{ readonly checkId: string; readonly object: ObjectRef; readonly container?: string; readonly file: string; readonly line: number }>;
}

export interface ExceptionsReport {
  readonly reportVersion: string;
  readonly now: string;
  readonly inlineExceptions: boolean;
  readonly summary: Readonly<Record<ExceptionState, number>>;
  readonly exceptions: readonly ExceptionsReportEntry[];
}

const STATE_ORDER: Record<ExceptionState, number> = { expired: 0, stale: 1, active: 2 };

export function buildExceptionsReport(statuses: readonly ExceptionStatus[], options: { readonly now: Date; readonly inlineExceptions: boolean }): ExceptionsReport {
  const summary: Record<ExceptionState, number> = { active: 0, expired: 0, stale: 0 };
  for (const status of statuses) summary[status.state]++;
  const exceptions = [...statuses]
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state])
    .map(({ exception, state, matched }): ExceptionsReportEntry => ({
      state,
      source: exception.source,
      file: exception.file,
      line: exception.line,
      checks: [...exception.checks],
      ...(exception.object !== undefined ? { object: exception.object } : {}),
      ...(exception.match !== undefined ? { match: exception.match } : {}),
      ...(exception.container !== undefined ? { container: exception.container } : {}),
      ...(exception.image !== undefined ? { image: exception.image } : {}),
      ...(exception.vulnerabilities !== undefined ? { vulnerabilities: [...exception.vulnerabilities] } : {}),
      ...(exception.owner !== undefined ? { owner: exception.owner } : {}),
      reason: exception.reason,
      ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
      matched: matched.map((finding) => ({
        checkId: finding.checkId,
        object: finding.object,
        ...(finding.container !== undefined ? { container: finding.container } : {}),
        file: finding.location.file,
        line: finding.location.line,
      })),
    }));
  return { reportVersion: EXCEPTIONS_REPORT_VERSION, now: options.now.toISOString(), inlineExceptions: options.inlineExceptions, summary, exceptions };
}

function objectName(object: ObjectRef): string {
  return `${object.kind} ${object.namespace !== undefined ? `${object.namespace}/` : ''}${object.name}`;
}

function describeMatch(match: NonNullable<ExceptionsReportEntry['match']>): string {
  const parts: string[] = [];
  if (match.kind !== undefined) parts.push(`kind=${match.kind}`);
  if (match.namespace !== undefined) parts.push(`namespace=${match.namespace}`);
  if (match.name !== undefined) parts.push(`name=${match.name}`);
  for (const [label, value] of Object.entries(match.labels ?? {})) parts.push(`label ${label}=${value}`);
  if (match.image !== undefined) parts.push(`image ${match.image}`);
  return parts.length === 0 ? 'every object' : parts.join(', ');
}

export function renderExceptionsTable(report: ExceptionsReport): string {
  const lines: string[] = [];
  for (const entry of report.exceptions) {
    const scope = entry.object !== undefined ? objectName(entry.object) : describeMatch(entry.match ?? {});
    lines.push(`${entry.state.toUpperCase().padEnd(8)}${entry.file}:${entry.line}  (${entry.source})`);
    lines.push(`    checks:   ${entry.checks.join(', ')}`);
    lines.push(`    applies:  ${scope}${entry.container !== undefined ? `, container "${entry.container}"` : ''}${entry.image !== undefined ? `, image ${entry.image}` : ''}`);
    if (entry.vulnerabilities !== undefined) lines.push(`    accepts:  ${entry.vulnerabilities.join(', ')}`);
    lines.push(`    owner:    ${entry.owner ?? '(not given)'}`);
    lines.push(`    reason:   ${entry.reason}`);
    lines.push(`    expires:  ${entry.expires ?? 'never'}`);
    const verb = entry.state === 'expired' ? 'no longer suppresses' : 'suppresses';
    lines.push(`    ${verb} ${entry.matched.length} finding${entry.matched.length === 1 ? '' : 's'}${entry.matched.length > 0 ? ':' : ''}`);
    for (const finding of entry.matched) {
      lines.push(`      ${finding.checkId}  ${objectName(finding.object)}${finding.container !== undefined ? ` container "${finding.container}"` : ''}  ${finding.file}:${finding.line}`);
    }
    lines.push('');
  }
  const { active, expired, stale } = report.summary;
  const total = active + expired + stale;
  lines.push(
    total === 0
      ? 'No exceptions.'
      : `${total} exception${total === 1 ? '' : 's'}: ${active} in force, ${expired} expired, ${stale} stale (matched nothing).`,
  );
  if (!report.inlineExceptions) lines.push('Inline exceptions were ignored (--no-inline-exceptions).');
  return `${lines.join('\n')}\n`;
}
