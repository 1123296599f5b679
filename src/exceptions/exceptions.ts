/**
 * Exceptions: accepted risks, written down with a reason and (optionally) an
 * expiry date. Inline exceptions live in an annotation on the object; central
 * ones in the config file. Applying them is a pure function of the scan
 * result, so every front-end suppresses the same findings.
 */
import { withContents, type ScanResult } from '../engine/scan.js';
import { imageMatches } from '../images/reference.js';
import { isJsonObject, locate, objectRef, type Diagnostic, type Finding, type KubeObject, type ObjectRef } from '../model/types.js';

/** The annotation holding an object's exceptions (a JSON array, or one JSON object). */
export const EXCEPTIONS_ANNOTATION = 'rampart.dev/exceptions';
/** `rampart.dev/exceptions.<container>`: the same format, every entry scoped to that container. */
export const CONTAINER_EXCEPTIONS_PREFIX = `${EXCEPTIONS_ANNOTATION}.`;

export interface ObjectMatch {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Central exceptions: only findings about this image (as `ExceptionRule.image`). */
  readonly image?: string;
}

export interface ExceptionRule {
  readonly source: 'inline' | 'config';
  readonly checks: readonly string[];
  readonly reason: string;
  readonly owner?: string;
  /** Last day the exception applies, YYYY-MM-DD (UTC). */
  readonly expires?: string;
  readonly container?: string;
  /** Only findings about this image (a reference; without tag or digest, any tag of the repository). */
  readonly image?: string;
  /** Only findings whose vulnerabilities are all in this list (CVE or advisory IDs). */
  readonly vulnerabilities?: readonly string[];
  /** Inline exceptions: the object carrying the annotation (file, document, kind, namespace, name). */
  readonly objectKey?: string;
  /** Inline exceptions: the object carrying the annotation. */
  readonly object?: ObjectRef;
  /** Central exceptions: which objects. */
  readonly match?: ObjectMatch;
  /** Where the exception is written. */
  readonly file: string;
  readonly line: number;
}

export type ExceptionState = 'active' | 'expired' | 'stale';

export interface ExceptionStatus {
  readonly exception: ExceptionRule;
  readonly state: ExceptionState;
  /** Findings it suppressed (active) or would have suppressed (expired). */
  readonly matched: readonly Finding[];
}

export interface SuppressedFinding {
  readonly finding: Finding;
  readonly exception: ExceptionRule;
}

export interface ExceptionOutcome {
  /** The scan result without the suppressed findings, with diagnostics for expired and stale exceptions. */
  readonly result: ScanResult;
  readonly suppressed: readonly SuppressedFinding[];
  readonly exceptions: readonly ExceptionStatus[];
}

/** Identifies an object across the scan: findings carry the same fields. */
export function objectKey(file: string, documentIndex: number, kind: string, namespace: string | undefined, name: string): string {
  return JSON.stringify([file, documentIndex, kind, namespace ?? '', name]);
}

function findingObjectKey(finding: Finding): string {
  return objectKey(finding.location.file, finding.location.documentIndex, finding.object.kind, finding.object.namespace, finding.object.name);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in YYYY-MM-DD form. */
export function isValidDate(value: string): boolean {
  const parts = DATE.exec(value);
  if (parts === null) return false;
  const date = new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** An exception expiring on a day applies through that whole day (UTC). */
export function isExpired(expires: string | undefined, now: Date): boolean {
  if (expires === undefined) return false;
  return now.getTime() >= Date.parse(`${expires}T00:00:00Z`) + 24 * 60 * 60 * 1000;
}

/** Reads what one object knows for exceptions: its inline exceptions (with problems as diagnostics) and its labels. */
export class ExceptionCollector {
  readonly inline: ExceptionRule[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Object key → labels, for central exceptions that match on labels. */
  readonly labels = new Map<string, Readonly<Record<string, string>>>();
  private ignoredAnnotations = 0;

  constructor(private readonly options: { readonly inline: boolean; readonly keepLabels: boolean }) {}

  observe(object: KubeObject): void {
    const metadata = object.raw.metadata;
    if (!isJsonObject(metadata)) return;
    const key = objectKey(object.source.file, object.source.documentIndex, object.kind, object.namespace, object.name);
    if (this.options.keepLabels && isJsonObject(metadata.labels)) {
      const labels: Record<string, string> = {};
      for (const [name, value] of Object.entries(metadata.labels)) if (typeof value === 'string') labels[name] = value;
      this.labels.set(key, labels);
    }
    const annotations = metadata.annotations;
    if (!isJsonObject(annotations)) return;
    for (const [annotation, value] of Object.entries(annotations)) {
      let container: string | undefined;
      if (annotation === EXCEPTIONS_ANNOTATION) container = undefined;
      else if (annotation.startsWith(CONTAINER_EXCEPTIONS_PREFIX) && annotation.length > CONTAINER_EXCEPTIONS_PREFIX.length) container = annotation.slice(CONTAINER_EXCEPTIONS_PREFIX.length);
      else continue;
      const location = locate(object, ['metadata', 'annotations', annotation]);
      if (!this.options.inline) {
        this.ignoredAnnotations++;
        this.diagnostics.push({
          severity: 'warning',
          code: 'exception-ignored',
          message: `${object.kind} ${object.name}: annotation ${annotation} ignored: inline exceptions are disabled (--no-inline-exceptions)`,
          file: location.file,
          documentIndex: location.documentIndex,
          line: location.line,
          column: location.column,
        });
        continue;
      }
      const parsed = parseInlineExceptions(value, container);
      for (const problem of parsed.problems) {
        this.diagnostics.push({
          severity: 'warning',
          code: 'exception-invalid',
          message: `${object.kind} ${object.name}: annotation ${annotation}: ${problem}; the exception does not apply`,
          file: location.file,
          documentIndex: location.documentIndex,
          line: location.line,
          column: location.column,
        });
      }
      for (const entry of parsed.entries) this.inline.push({ ...entry, source: 'inline', objectKey: key, object: objectRef(object), file: location.file, line: location.line });
    }
  }

  /** How many exception annotations `--no-inline-exceptions` ignored. */
  get ignored(): number {
    return this.ignoredAnnotations;
  }
}

type ParsedEntry = Pick<ExceptionRule, 'checks' | 'reason' | 'expires' | 'container' | 'owner' | 'image' | 'vulnerabilities'>;

const INLINE_KEYS = new Set(['checks', 'reason', 'expires', 'container', 'owner', 'image', 'vulnerabilities']);

/** Parses an annotation value: a JSON array of entries, or one entry. Every problem is reported; valid entries still apply. */
export function parseInlineExceptions(value: unknown, container: string | undefined): { entries: ParsedEntry[]; problems: string[] } {
  const problems: string[] = [];
  const entries: ParsedEntry[] = [];
  if (typeof value !== 'string') return { entries, problems: ['the value must be a string holding JSON'] };
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    return { entries, problems: ['the value is not valid JSON (expected [{"checks": [...], "reason": "..."}])'] };
  }
  const list = Array.isArray(data) ? data : [data];
  list.forEach((item, index) => {
    const where = Array.isArray(data) ? `entry ${index + 1}: ` : '';
    if (!isJsonObject(item)) {
      problems.push(`${where}an exception must be an object with checks and reason`);
      return;
    }
    const errors: string[] = [];
    for (const key of Object.keys(item)) if (!INLINE_KEYS.has(key)) errors.push(`unknown key ${JSON.stringify(key)}`);
    const checks = item.checks;
    if (!Array.isArray(checks) || checks.length === 0 || !checks.every((id) => typeof id === 'string' && id.trim() !== '')) errors.push('checks must be a non-empty list of check IDs');
    if (typeof item.reason !== 'string' || item.reason.trim() === '') errors.push('reason is required');
    if (item.expires !== undefined && (typeof item.expires !== 'string' || !isValidDate(item.expires))) errors.push('expires must be a date YYYY-MM-DD');
    if (item.container !== undefined && (typeof item.container !== 'string' || item.container === '')) errors.push('container must be a container name');
    if (item.container !== undefined && container !== undefined && item.container !== container) errors.push(`container ${JSON.stringify(item.container)} contradicts the annotation's container ${JSON.stringify(container)}`);
    if (item.owner !== undefined && typeof item.owner !== 'string') errors.push('owner must be a string');
    if (item.image !== undefined && (typeof item.image !== 'string' || item.image.trim() === '')) errors.push('image must be an image reference');
    const vulnerabilities = item.vulnerabilities;
    if (vulnerabilities !== undefined && (!Array.isArray(vulnerabilities) || vulnerabilities.length === 0 || !vulnerabilities.every((id) => typeof id === 'string' && id.trim() !== ''))) errors.push('vulnerabilities must be a non-empty list of vulnerability IDs');
    if (errors.length > 0) {
      problems.push(`${where}${errors.join(', ')}`);
      return;
    }
    const scope = (item.container as string | undefined) ?? container;
    entries.push({
      checks: checks as string[],
      reason: item.reason as string,
      ...(typeof item.owner === 'string' ? { owner: item.owner } : {}),
      ...(typeof item.expires === 'string' ? { expires: item.expires } : {}),
      ...(scope !== undefined ? { container: scope } : {}),
      ...(typeof item.image === 'string' ? { image: item.image } : {}),
      ...(Array.isArray(vulnerabilities) ? { vulnerabilities: vulnerabilities as string[] } : {}),
    });
  });
  return { entries, problems };
}

/** What an image finding is about, beyond the Finding itself: the image and the vulnerability IDs it cites. */
export interface ImageFacts {
  readonly image: string;
  readonly vulnerabilities: readonly string[];
}

function matches(exception: ExceptionRule, finding: Finding, labels: ReadonlyMap<string, Readonly<Record<string, string>>>, facts: ImageFacts | undefined): boolean {
  if (!exception.checks.includes(finding.checkId)) return false;
  if (exception.container !== undefined && finding.container !== exception.container) return false;
  // An exception naming an image or vulnerabilities applies to image findings only.
  const image = exception.image ?? exception.match?.image;
  if (image !== undefined && (facts === undefined || !imageMatches(image, facts.image))) return false;
  if (exception.vulnerabilities !== undefined) {
    // Accepting CVE-A does not accept CVE-B: every vulnerability the finding cites must be listed.
    if (facts === undefined || facts.vulnerabilities.length === 0 || !facts.vulnerabilities.every((id) => exception.vulnerabilities!.includes(id))) return false;
  }
  if (exception.objectKey !== undefined) return exception.objectKey === findingObjectKey(finding);
  const match = exception.match ?? {};
  if (match.kind !== undefined && match.kind !== finding.object.kind) return false;
  if (match.namespace !== undefined && match.namespace !== (finding.object.namespace ?? '')) return false;
  if (match.name !== undefined && match.name !== finding.object.name) return false;
  if (match.labels !== undefined) {
    const objectLabels = labels.get(findingObjectKey(finding)) ?? {};
    for (const [name, value] of Object.entries(match.labels)) if (objectLabels[name] !== value) return false;
  }
  return true;
}

export interface ApplyOptions {
  readonly now: Date;
  readonly labels?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The image and vulnerabilities of image findings (`rampart scan --images`, the webhook's image gate). */
  readonly imageFacts?: ReadonlyMap<Finding, ImageFacts>;
}

/**
 * Suppresses the findings matched by an exception in force. Expired
 * exceptions suppress nothing and are reported; exceptions that matched no
 * finding are reported as stale. Pure: returns a new result.
 */
export function applyExceptions(result: ScanResult, exceptions: readonly ExceptionRule[], options: ApplyOptions): ExceptionOutcome {
  const labels = options.labels ?? new Map<string, Readonly<Record<string, string>>>();
  const matched = exceptions.map(() => [] as Finding[]);
  const expired = exceptions.map((exception) => isExpired(exception.expires, options.now));
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const finding of result.findings) {
    let by: number | undefined;
    exceptions.forEach((exception, index) => {
      if (!matches(exception, finding, labels, options.imageFacts?.get(finding))) return;
      matched[index]?.push(finding);
      if (!expired[index] && by === undefined) by = index;
    });
    const exception = by === undefined ? undefined : exceptions[by];
    if (exception === undefined) findings.push(finding);
    else suppressed.push({ finding, exception });
  }
  const statuses: ExceptionStatus[] = exceptions.map((exception, index) => ({
    exception,
    state: expired[index] === true ? 'expired' : (matched[index]?.length ?? 0) === 0 ? 'stale' : 'active',
    matched: matched[index] ?? [],
  }));
  const diagnostics: Diagnostic[] = [...result.diagnostics];
  for (const status of statuses) {
    const { exception } = status;
    const what = `${exception.source === 'inline' ? 'inline exception' : 'exception'} for ${exception.checks.join(', ')}`;
    if (status.state === 'expired') {
      const count = status.matched.length;
      diagnostics.push({
        severity: 'warning',
        code: 'exception-expired',
        message: `${what} expired on ${exception.expires ?? ''} and no longer applies${count > 0 ? ` (${count} finding${count === 1 ? '' : 's'} reported again)` : ''}; reason was: ${exception.reason}`,
        file: exception.file,
        line: exception.line,
      });
    } else if (status.state === 'stale') {
      diagnostics.push({
        severity: 'warning',
        code: 'exception-stale',
        message: `${what} matched no finding in this scan; remove it if the risk is gone`,
        file: exception.file,
        line: exception.line,
      });
    }
  }
  return {
    result: withContents(result, findings, diagnostics),
    suppressed,
    exceptions: statuses,
  };
}

/** The scan's clock: RAMPART_NOW (an ISO date, for tests) or the real time. */
export function exceptionClock(environment: NodeJS.ProcessEnv = process.env): Date {
  const fixed = environment.RAMPART_NOW;
  if (fixed !== undefined && fixed !== '') {
    const parsed = new Date(fixed);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return new Date();
}
