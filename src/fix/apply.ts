/**
 * Applies fix edits to a manifest's text with the `yaml` Document API, so
 * comments, key order and quoting survive. Only documents that change are
 * re-rendered; the others keep their original bytes. A file is refused as a
 * whole (returned unchanged, with the reason) when it does not parse
 * completely, uses anchors or aliases (an edit through an alias would change
 * every place that shares it), or contains template markers (`{{`).
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Document, type ToStringOptions } from 'yaml';
import type { FieldPath, FixEdit } from '../model/types.js';

/** The edits for one object: where it lives in the file and what it must be. */
export interface ObjectFix {
  readonly documentIndex: number;
  /** `[]` for a plain document, `['items', i]` for a List item. */
  readonly pathInDocument: FieldPath;
  readonly kind: string;
  readonly name: string;
  readonly edits: readonly FixEdit[];
}

export type FileFixResult =
  | { readonly status: 'fixed'; readonly text: string; readonly applied: number; readonly skipped: readonly string[] }
  | { readonly status: 'unchanged'; readonly skipped: readonly string[] }
  | { readonly status: 'refused'; readonly reason: string };

/**
 * `defaults` holds the configured values for `setDefault` edits (`limits.cpu` → `500m`); an edit without one is
 * skipped, and the missing setting named once.
 */
export function fixText(text: string, fixes: readonly ObjectFix[], defaults: Readonly<Record<string, string>> = {}): FileFixResult {
  if (text.includes('{{')) return { status: 'refused', reason: 'the file contains template markers ({{ … }}); fix the template source instead' };
  // JSON is valid YAML, but re-rendering a JSON document would reflow it (and could leave it no longer JSON).
  if (/^\s*[{[]/.test(text)) return { status: 'refused', reason: 'JSON files are not edited (re-rendering would reformat the whole document); apply the fix by hand or convert the file to YAML' };
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return { status: 'unchanged', skipped: [] };
  for (const [index, document] of documents.entries()) {
    if (document.errors.length > 0) return { status: 'refused', reason: `document ${index + 1} does not parse completely (${document.errors[0]?.message.split('\n')[0] ?? 'syntax error'})` };
    if (usesAnchors(document)) return { status: 'refused', reason: `document ${index + 1} uses YAML anchors or aliases; an edit would be ambiguous (it could change every place that shares the node)` };
  }
  const changed = new Set<number>();
  const skipped: string[] = [];
  const missingDefaults = new Set<string>();
  let applied = 0;
  for (const fix of fixes) {
    const document = documents[fix.documentIndex];
    const where = `${fix.kind} ${fix.name}`;
    if (document === undefined || document.getIn([...fix.pathInDocument, 'kind']) !== fix.kind) {
      skipped.push(`${where}: document ${fix.documentIndex + 1} is not the object that was scanned`);
      continue;
    }
    for (const original of fix.edits) {
      let edit: FixEdit = original;
      if (original.op === 'setDefault') {
        const value = defaults[original.setting];
        if (value === undefined) {
          missingDefaults.add(original.setting);
          continue;
        }
        edit = { op: 'set', path: original.path, value };
      }
      const outcome = applyEdit(document, [...fix.pathInDocument, ...edit.path], edit);
      if (outcome === 'changed') {
        applied++;
        changed.add(fix.documentIndex);
      } else if (outcome !== 'already') skipped.push(`${where}: ${outcome}`);
    }
  }
  for (const setting of missingDefaults) skipped.push(`no default for resources.${setting}: set fix.resources.${setting} in the config file to fix it`);
  if (changed.size === 0) return { status: 'unchanged', skipped };
  let out = '';
  let previousEnd = 0;
  for (const [index, document] of documents.entries()) {
    const end = index === documents.length - 1 ? text.length : document.range[2];
    const original = text.slice(previousEnd, end);
    out += changed.has(index) ? renderLike(document, original) : original;
    previousEnd = end;
  }
  return { status: 'fixed', text: out, applied, skipped };
}

function usesAnchors(document: Document): boolean {
  let found = false;
  visit(document, {
    Alias: () => {
      found = true;
      return visit.BREAK;
    },
    Node: (_key, node) => {
      if (node.anchor !== undefined && node.anchor !== '') {
        found = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

type EditOutcome = 'changed' | 'already' | string;

function applyEdit(document: Document, path: FieldPath, edit: FixEdit): EditOutcome {
  const blocked = blockingAncestor(document, path);
  if (blocked !== undefined) return blocked;
  const node = document.getIn(path, true);
  switch (edit.op) {
    case 'setDefault':
      return 'a default is resolved before it is applied';
    case 'set': {
      if (isScalar(node)) {
        if (node.value === edit.value) return 'already';
        // Changing the scalar in place keeps its comments.
        node.value = edit.value;
        return 'changed';
      }
      if (node !== undefined && node !== null) return `${pathText(path)} is not a scalar; left as it is`;
      document.setIn(path, edit.value);
      return 'changed';
    }
    case 'delete': {
      if (node === undefined) return 'already';
      document.deleteIn(path);
      return 'changed';
    }
    case 'append': {
      if (isSeq(node)) {
        const wanted = capability(edit.value);
        if (node.items.some((item) => isScalar(item) && typeof item.value === 'string' && capability(item.value) === wanted)) return 'already';
        node.add(document.createNode(edit.value));
        return 'changed';
      }
      if (node !== undefined && !(isScalar(node) && node.value === null)) return `${pathText(path)} is not a list; left as it is`;
      document.setIn(path, document.createNode([edit.value]));
      return 'changed';
    }
  }
}

/** An ancestor that exists but is no collection (a string, a number) cannot be edited into one without guessing. */
function blockingAncestor(document: Document, path: FieldPath): string | undefined {
  for (let length = 1; length < path.length; length++) {
    const prefix = path.slice(0, length);
    const node = document.getIn(prefix, true);
    if (node === undefined || isMap(node) || isSeq(node)) continue;
    if (isScalar(node) && node.value === null) {
      // `securityContext:` with nothing after it: an empty mapping, which the API reads the same way.
      document.setIn(prefix, document.createNode({}));
      continue;
    }
    if (isAlias(node)) return `${pathText(prefix)} is an alias`;
    return `${pathText(prefix)} is not a mapping or list; left as it is`;
  }
  return undefined;
}

function capability(value: string): string {
  const upper = value.toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

function pathText(path: FieldPath): string {
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${segment}`)).join('').replace(/^\./, '');
}

/** Indentation and sequence style as the file writes them, so a re-rendered document looks like its neighbours. */
function renderOptions(text: string): ToStringOptions {
  const indentMatch = /^[^\s#-][^\n]*:[ \t]*\n((?:[ \t]*(?:#[^\n]*)?\n)*)( +)[^\s-]/m.exec(text);
  const indent = indentMatch?.[2]?.length ?? 2;
  const seqMatch = /^( *)[^\s#-][^\n]*:[ \t]*\n\1( *)- /m.exec(text);
  const indentSeq = seqMatch === null ? true : (seqMatch[2]?.length ?? 0) > 0;
  return { indent: indent >= 1 && indent <= 8 ? indent : 2, indentSeq, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false };
}

/**
 * Renders a changed document like its original: same indentation and
 * sequence style, same trailing blank lines, and every line that differs from
 * an original line only in spacing (`name: a   # note` rendered as
 * `name: a # note`) taken back verbatim, so the diff shows only the fix.
 */
function renderLike(document: Document, original: string): string {
  const rendered = document.toString(renderOptions(original));
  const trailing = /\n*$/.exec(original)?.[0] ?? '';
  const originals = new Map<string, string | null>();
  for (const line of original.split('\n')) {
    const key = spacingKey(line);
    originals.set(key, originals.has(key) && originals.get(key) !== line ? null : line);
  }
  const lines = rendered.replace(/\n*$/, '').split('\n').map((line) => originals.get(spacingKey(line)) ?? line);
  return lines.join('\n') + trailing;
}

/** A line with its indentation kept and every other run of blanks collapsed. */
function spacingKey(line: string): string {
  const indent = /^ */.exec(line)?.[0] ?? '';
  return indent + line.slice(indent.length).replace(/[ \t]+/g, ' ').trimEnd();
}
