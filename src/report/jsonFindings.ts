/**
 * The JSON report's findings as text, written field by field instead of
 * converting each finding to a plain object and letting JSON.stringify walk
 * it. The bytes are exactly those of `JSON.stringify(report, null, 2)` for a
 * finding inside the report's `findings` array (json.test.ts and
 * jsonFindings.test.ts compare them): the same key order, the same optional
 * fields as `toJsonFinding`, every string escaped by JSON.stringify itself.
 *
 * A large scan's findings share most of their parts: the Scanner gives all
 * findings of one object one `object` reference, all findings of one check
 * the check's `frameworks` array and strings, and equal paths one array. The
 * text of those parts is rendered once per reference and reused, so a finding
 * costs little more than escaping its message and writing its position.
 */
import type { FieldPath, Finding, FrameworkMapping, ObjectRef } from '../model/types.js';

/** Indentation of a finding's members: the finding is an item of `findings`, itself a member of the report. */
const MEMBER = '\n      ';
const NESTED = '\n        ';
const NESTED_TWICE = '\n          ';

/** Distinct file names and containers whose escaped text is remembered; past this, they are escaped each time. */
const STRING_CACHE_LIMIT = 50_000;

interface CheckText {
  readonly severity: string;
  readonly title: string;
  /** From the finding's opening brace to `"message": `. */
  readonly text: string;
}

export class FindingTextWriter {
  private readonly checks = new Map<string, CheckText>();
  private readonly objects = new WeakMap<ObjectRef, string>();
  private readonly frameworks = new WeakMap<readonly FrameworkMapping[], string>();
  private readonly paths = new WeakMap<FieldPath, string>();
  private readonly files = new Map<string, string>();
  private readonly containers = new Map<string, string>();

  /** One finding, indented as an item of the report's `findings` array, without a trailing comma or newline. */
  finding(finding: Finding): string {
    const { location } = finding;
    let text = `${this.head(finding)}${JSON.stringify(finding.message)},${MEMBER}"object": ${this.object(finding.object)},${MEMBER}"location": {${NESTED}"file": ${this.escaped(this.files, location.file)},${NESTED}"documentIndex": ${numberText(location.documentIndex)},${NESTED}"line": ${numberText(location.line)},${NESTED}"column": ${numberText(location.column)}${MEMBER}},${MEMBER}"frameworks": ${this.frameworksText(finding.frameworks)}`;
    if (finding.container !== undefined) text += `,${MEMBER}"container": ${this.escaped(this.containers, finding.container)}`;
    if (finding.path !== undefined) text += `,${MEMBER}"path": ${this.path(finding.path)}`;
    return `${text}\n    }`;
  }

  /** The members before the message: findings of one check share its ID, severity and title. */
  private head(finding: Finding): string {
    const known = this.checks.get(finding.checkId);
    if (known !== undefined && known.severity === finding.severity && known.title === finding.title) return known.text;
    const text = `    {${MEMBER}"checkId": ${JSON.stringify(finding.checkId)},${MEMBER}"severity": ${JSON.stringify(finding.severity)},${MEMBER}"title": ${JSON.stringify(finding.title)},${MEMBER}"message": `;
    // A check ID seen with another severity or title (not something the engine does) is rendered each time, not cached.
    if (known === undefined) this.checks.set(finding.checkId, { severity: finding.severity, title: finding.title, text });
    return text;
  }

  private object(object: ObjectRef): string {
    let text = this.objects.get(object);
    if (text === undefined) {
      const namespace = object.namespace !== undefined ? `${NESTED}"namespace": ${JSON.stringify(object.namespace)},` : '';
      text = `{${NESTED}"apiVersion": ${JSON.stringify(object.apiVersion)},${NESTED}"kind": ${JSON.stringify(object.kind)},${namespace}${NESTED}"name": ${JSON.stringify(object.name)}${MEMBER}}`;
      this.objects.set(object, text);
    }
    return text;
  }

  private frameworksText(mappings: readonly FrameworkMapping[]): string {
    let text = this.frameworks.get(mappings);
    if (text === undefined) {
      text =
        mappings.length === 0
          ? '[]'
          : `[${mappings
              .map((mapping) => {
                const level = mapping.level !== undefined ? `,${NESTED_TWICE}"level": ${JSON.stringify(mapping.level)}` : '';
                return `${NESTED}{${NESTED_TWICE}"framework": ${JSON.stringify(mapping.framework)},${NESTED_TWICE}"id": ${JSON.stringify(mapping.id)}${level}${NESTED}}`;
              })
              .join(',')}${MEMBER}]`;
      this.frameworks.set(mappings, text);
    }
    return text;
  }

  private path(path: FieldPath): string {
    let text = this.paths.get(path);
    if (text === undefined) {
      text = path.length === 0 ? '[]' : `[${path.map((segment) => `${NESTED}${typeof segment === 'number' ? numberText(segment) : JSON.stringify(segment)}`).join(',')}${MEMBER}]`;
      this.paths.set(path, text);
    }
    return text;
  }

  private escaped(cache: Map<string, string>, value: string): string {
    let text = cache.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      if (cache.size < STRING_CACHE_LIMIT) cache.set(value, text);
    }
    return text;
  }
}

/** A number as JSON.stringify writes it: the shortest round-trip form, `null` for NaN and the infinities. */
function numberText(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
