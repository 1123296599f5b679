/**
 * The data model shared by every part of Rampart: objects with provenance,
 * diagnostics for user mistakes, and findings produced by checks.
 */

/** One segment of a path into a Kubernetes object: a mapping key or a sequence index. */
export type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

/** 1-based line and column in a source file. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Where a path lives in the source. `exact` is false when only an ancestor of the path exists. */
export interface LocatedPosition extends Position {
  readonly exact: boolean;
}

/** Answers "where in the file is this field?" for one document. */
export interface PositionIndex {
  /** Position of the deepest existing node along `path` (the key for mapping members, the item for sequence entries). */
  locate(path: FieldPath): LocatedPosition;
}

export interface ObjectSource {
  /** File path as given by the user (or `<stdin>`, or `cluster`). */
  readonly file: string;
  /** Index of the YAML document inside the file, 0-based. */
  readonly documentIndex: number;
  /** Path of this object inside its document: empty for a plain object, `['items', i]` for a List item. */
  readonly pathInDocument: FieldPath;
  /** Positions of fields inside the document (paths are relative to the document root). */
  readonly positions: PositionIndex;
}

export type JsonObject = { [key: string]: unknown };

/** A Kubernetes object as read from a source, with its provenance. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Namespace from metadata; undefined for cluster-scoped objects or when not set. */
  readonly namespace: string | undefined;
  readonly raw: JsonObject;
  readonly source: ObjectSource;
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface SourceLocation {
  readonly file: string;
  readonly documentIndex: number;
  readonly line: number;
  readonly column: number;
}

export type DiagnosticSeverity = 'error' | 'warning';

/** A user mistake or an input Rampart could not use. Never an exception. */
export interface Diagnostic {
  readonly severity: DiagnosticSeverity;
  /** Stable machine-readable code, e.g. `yaml-syntax`, `not-kubernetes-object`. */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly documentIndex?: number;
  readonly line?: number;
  readonly column?: number;
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

export type FrameworkName = 'PSS' | 'CIS' | 'NSA-CISA' | 'MITRE-ATTACK';

export interface FrameworkMapping {
  readonly framework: FrameworkName;
  /** Control ID in that framework (PSA check ID, CIS ID, technique ID, guide section). */
  readonly id: string;
  /** Optional qualifier, e.g. the PSS level `baseline` or `restricted`. */
  readonly level?: string;
}

export interface Finding {
  readonly checkId: string;
  readonly severity: Severity;
  readonly title: string;
  /** Names the container and field, e.g. `container "app" must set securityContext.runAsNonRoot=true`. */
  readonly message: string;
  readonly object: ObjectRef;
  readonly location: SourceLocation;
  readonly container?: string;
  /** Path of the offending field inside the object, when one applies. */
  readonly path?: FieldPath;
  readonly frameworks: readonly FrameworkMapping[];
  /** Edits that fix the finding, when its check is fixable and the fix is unambiguous (`rampart fix`). */
  readonly fix?: readonly FixEdit[];
}

/**
 * One edit of a fix, as data: checks stay pure, and `rampart fix` applies the
 * edits to the YAML document (paths relative to the object root).
 * - `set`: set the scalar at `path`, creating missing mappings on the way.
 * - `delete`: remove the key at `path`.
 * - `append`: add `value` to the sequence at `path` unless it is already there (creating the sequence).
 * - `removeItem`: remove every item of the sequence at `path` that equals `value` (or, with `key`, whose
 *   `key` field equals it). By value rather than by index, so two removals from one list cannot shift each other.
 */
export type FixEdit =
  | { readonly op: 'set'; readonly path: FieldPath; readonly value: string | number | boolean }
  | { readonly op: 'delete'; readonly path: FieldPath }
  | { readonly op: 'append'; readonly path: FieldPath; readonly value: string }
  | { readonly op: 'removeItem'; readonly path: FieldPath; readonly value: string; readonly key?: string }
  /** Set the field to the configured default named `setting` (`resources.limits.cpu` from the config's `fix.resources`), when there is one. */
  | { readonly op: 'setDefault'; readonly path: FieldPath; readonly setting: string };

export function objectRef(object: KubeObject): ObjectRef {
  const ref: { apiVersion: string; kind: string; name: string; namespace?: string } = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.name,
  };
  if (object.namespace !== undefined) ref.namespace = object.namespace;
  return ref;
}

/** Resolve a path relative to the object into a source location. */
export function locate(object: KubeObject, path: FieldPath = []): SourceLocation {
  const position = object.source.positions.locate([...object.source.pathInDocument, ...path]);
  return {
    file: object.source.file,
    documentIndex: object.source.documentIndex,
    line: position.line,
    column: position.column,
  };
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Render a path the way Kubernetes error messages do: `spec.containers[0].securityContext`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
