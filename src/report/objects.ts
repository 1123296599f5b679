/**
 * What the reporters share: how an object is named, how findings group by
 * object, and how a location prints. Grouping lives here once so the table
 * and JUnit reports agree on which findings belong to which object.
 */
import { severityRank, type Diagnostic, type Finding, type ObjectRef, type SourceLocation } from '../model/types.js';

/**
 * An object the scan looked at, with or without findings. The engine's
 * `ScanResult` does not list objects; a front-end that has the list passes it
 * in the report context so clean objects can be reported too.
 */
export interface ScannedObject {
  readonly object: ObjectRef;
  /** Where the object starts (its document, or its item in a List). */
  readonly location: SourceLocation;
  /** IDs of the checks that judged this object, when the front-end knows them. */
  readonly checks?: readonly string[];
}

export interface ObjectGroup {
  readonly object: ObjectRef;
  readonly file: string;
  readonly documentIndex: number;
  /** Where the object starts; only known when the front-end listed the scanned objects. */
  readonly location: SourceLocation | undefined;
  /** Most severe first, then by check ID, then by position. */
  readonly findings: readonly Finding[];
  /** Checks that judged the object, when known (always includes the checks that reported). */
  readonly checks: readonly string[] | undefined;
}

/** `Deployment/shop/api`, or `ClusterRole/admin` when the object has no namespace. */
export function objectPath(object: ObjectRef): string {
  return object.namespace === undefined ? `${object.kind}/${object.name}` : `${object.kind}/${object.namespace}/${object.name}`;
}

/** `shop/api`, or `admin` when the object has no namespace. */
export function namespacedName(object: ObjectRef): string {
  return object.namespace === undefined ? object.name : `${object.namespace}/${object.name}`;
}

export function formatLocation(location: { readonly file: string; readonly line?: number; readonly column?: number }, withColumn = false): string {
  if (location.line === undefined) return location.file;
  if (withColumn && location.column !== undefined) return `${location.file}:${location.line}:${location.column}`;
  return `${location.file}:${location.line}`;
}

/** Same object in the same document of the same file. */
function groupKey(object: ObjectRef, file: string, documentIndex: number): string {
  return JSON.stringify([file, documentIndex, object.apiVersion, object.kind, object.namespace ?? null, object.name]);
}

interface MutableGroup {
  object: ObjectRef;
  file: string;
  documentIndex: number;
  location: SourceLocation | undefined;
  findings: Finding[];
  /** The scanned entry's own sorted list while nothing adds to it (a cluster scan has tens of thousands of objects sharing a few lists), a Set once something does. */
  checks: Set<string> | readonly string[] | undefined;
}

/** Sorted without repeats: such a list can be a group's checks as it is. */
function isStrictlySorted(list: readonly string[]): boolean {
  for (let index = 1; index < list.length; index++) if (compareText(list[index - 1] as string, list[index] as string) >= 0) return false;
  return true;
}

function addCheck(group: MutableGroup, check: string): void {
  if (group.checks === undefined) return;
  if (group.checks instanceof Set) group.checks.add(check);
  else if (!sortedIncludes(group.checks, check)) group.checks = new Set([...group.checks, check]);
}

/** Binary search in a strictly sorted list (every finding is looked up in its object's list of checks). */
function sortedIncludes(list: readonly string[], item: string): boolean {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const order = compareText(list[middle] as string, item);
    if (order === 0) return true;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/**
 * Groups findings by object, in file order: by file, document, then where the
 * object starts (or its first finding when that is unknown). Objects listed in
 * `scanned` appear even when clean.
 */
export function groupByObject(findings: readonly Finding[], scanned: readonly ScannedObject[] = []): ObjectGroup[] {
  const groups = new Map<string, MutableGroup>();
  for (const entry of scanned) {
    const key = groupKey(entry.object, entry.location.file, entry.location.documentIndex);
    const existing = groups.get(key);
    if (existing !== undefined) {
      // The same object twice in one document (a List repeating an item): one group, the earliest position.
      if (existing.location === undefined || comparePositions(entry.location, existing.location) < 0) existing.location = entry.location;
      if (entry.checks !== undefined) {
        existing.checks ??= new Set();
        for (const check of entry.checks) addCheck(existing, check);
      }
      continue;
    }
    groups.set(key, {
      object: entry.object,
      file: entry.location.file,
      documentIndex: entry.location.documentIndex,
      location: entry.location,
      findings: [],
      checks: entry.checks === undefined ? undefined : isStrictlySorted(entry.checks) ? entry.checks : new Set(entry.checks),
    });
  }
  for (const finding of findings) {
    const key = groupKey(finding.object, finding.location.file, finding.location.documentIndex);
    let group = groups.get(key);
    if (group === undefined) {
      group = { object: finding.object, file: finding.location.file, documentIndex: finding.location.documentIndex, location: undefined, findings: [], checks: undefined };
      groups.set(key, group);
    }
    group.findings.push(finding);
    addCheck(group, finding.checkId);
  }
  const result: ObjectGroup[] = [];
  for (const group of groups.values()) {
    group.findings.sort(compareWithinObject);
    result.push({
      object: group.object,
      file: group.file,
      documentIndex: group.documentIndex,
      location: group.location,
      findings: group.findings,
      checks: group.checks === undefined ? undefined : group.checks instanceof Set ? [...group.checks].sort(compareText) : group.checks,
    });
  }
  return result.sort(compareGroups);
}

function compareWithinObject(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.checkId, b.checkId) ||
    comparePositions(a.location, b.location) ||
    compareText(a.message, b.message)
  );
}

function compareGroups(a: ObjectGroup, b: ObjectGroup): number {
  return (
    compareText(a.file, b.file) ||
    a.documentIndex - b.documentIndex ||
    comparePositions(startOf(a), startOf(b)) ||
    compareText(a.object.kind, b.object.kind) ||
    compareText(a.object.namespace ?? '', b.object.namespace ?? '') ||
    compareText(a.object.name, b.object.name) ||
    compareText(a.object.apiVersion, b.object.apiVersion)
  );
}

function startOf(group: ObjectGroup): { line: number; column: number } {
  if (group.location !== undefined) return group.location;
  let earliest = { line: Number.MAX_SAFE_INTEGER, column: Number.MAX_SAFE_INTEGER };
  for (const finding of group.findings) if (comparePositions(finding.location, earliest) < 0) earliest = finding.location;
  return earliest;
}

function comparePositions(a: { line: number; column: number }, b: { line: number; column: number }): number {
  return a.line - b.line || a.column - b.column;
}

/** Code-unit order, the same in every locale, like the engine's sort. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Diagnostics in file order; ones without a position first within their file. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      compareText(a.code, b.code) ||
      compareText(a.message, b.message),
  );
}
