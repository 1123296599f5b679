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
  const prepared = prepareFile(text);
  if (prepared.status === 'refused') return prepared;
  const { documents } = prepared;
  const changed = new Set<number>();
  const outcome: EditTally = { applied: 0, skipped: [], missingDefaults: new Set() };
  for (const fix of fixes) {
    const document = documents[fix.documentIndex];
    if (applyObjectFix(document, fix, defaults, outcome)) changed.add(fix.documentIndex);
  }
  const skipped = [...outcome.skipped, ...missingDefaultMessages(outcome.missingDefaults)];
  if (changed.size === 0) return { status: 'unchanged', skipped };
  let out = '';
  let previousEnd = 0;
  for (const [index, document] of documents.entries()) {
    const end = documentEnd(prepared, index);
    const original = text.slice(previousEnd, end);
    out += changed.has(index) ? renderLike(document, original) : original;
    previousEnd = end;
  }
  return { status: 'fixed', text: out, applied: outcome.applied, skipped };
}

/** A file parsed once for fixing: its documents, or why it must not be edited. */
export type PreparedFile =
  | { readonly status: 'ready'; readonly text: string; readonly documents: readonly Document.Parsed[] }
  | { readonly status: 'refused'; readonly reason: string };

export function prepareFile(text: string): PreparedFile {
  if (text.includes('{{')) return { status: 'refused', reason: 'the file contains template markers ({{ … }}); fix the template source instead' };
  // JSON is valid YAML, but re-rendering a JSON document would reflow it (and could leave it no longer JSON).
  if (/^\s*[{[]/.test(text)) return { status: 'refused', reason: 'JSON files are not edited (re-rendering would reformat the whole document); apply the fix by hand or convert the file to YAML' };
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return { status: 'ready', text, documents: [] };
  for (const [index, document] of documents.entries()) {
    if (document.errors.length > 0) return { status: 'refused', reason: `document ${index + 1} does not parse completely (${document.errors[0]?.message.split('\n')[0] ?? 'syntax error'})` };
    if (usesAnchors(document)) return { status: 'refused', reason: `document ${index + 1} uses YAML anchors or aliases; an edit would be ambiguous (it could change every place that shares the node)` };
  }
  return { status: 'ready', text, documents };
}

/**
 * One object's fix applied alone to a copy of its document (the prepared file
 * is not changed): the document's text range and its new text, or undefined
 * when the fix changes nothing or cannot be applied. SARIF `fixes` use this,
 * one finding at a time, without parsing the file again for each.
 */
export function fixDocumentAlone(prepared: PreparedFile, fix: ObjectFix, defaults: Readonly<Record<string, string>> = {}): { start: number; end: number; text: string } | undefined {
  if (prepared.status !== 'ready') return undefined;
  const original = prepared.documents[fix.documentIndex];
  if (original === undefined) return undefined;
  const copy = original.clone();
  const tally: EditTally = { applied: 0, skipped: [], missingDefaults: new Set() };
  if (!applyObjectFix(copy, fix, defaults, tally)) return undefined;
  const start = fix.documentIndex === 0 ? 0 : documentEnd(prepared, fix.documentIndex - 1);
  const end = documentEnd(prepared, fix.documentIndex);
  return { start, end, text: renderLike(copy, prepared.text.slice(start, end)) };
}

interface EditTally {
  applied: number;
  readonly skipped: string[];
  readonly missingDefaults: Set<string>;
}

/** Applies one object's edits to its document; true when something changed. */
function applyObjectFix(document: Document | undefined, fix: ObjectFix, defaults: Readonly<Record<string, string>>, tally: EditTally): boolean {
  const where = `${fix.kind} ${fix.name}`;
  if (document === undefined || document.getIn([...fix.pathInDocument, 'kind']) !== fix.kind) {
    tally.skipped.push(`${where}: document ${fix.documentIndex + 1} is not the object that was scanned`);
    return false;
  }
  let changed = false;
  for (const original of fix.edits) {
    let edit: FixEdit = original;
    if (original.op === 'setDefault') {
      const value = defaults[original.setting];
      if (value === undefined) {
        tally.missingDefaults.add(original.setting);
        continue;
      }
      edit = { op: 'set', path: original.path, value };
    }
    const outcome = applyEdit(document, [...fix.pathInDocument, ...edit.path], edit);
    if (outcome === 'changed') {
      tally.applied++;
      changed = true;
    } else if (outcome !== 'already') tally.skipped.push(`${where}: ${outcome}`);
  }
  return changed;
}

function missingDefaultMessages(settings: ReadonlySet<string>): string[] {
  return [...settings].map((setting) => `no default for resources.${setting}: set fix.resources.${setting} in the config file to fix it`);
}

/** Where a document's text ends: the next document's start, or the end of the file for the last one. */
function documentEnd(prepared: { readonly text: string; readonly documents: readonly Document.Parsed[] }, index: number): number {
  const document = prepared.documents[index];
  return index === prepared.documents.length - 1 || document === undefined ? prepared.text.length : document.range[2];
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
    case 'removeItem': {
      if (node === undefined) return 'already';
      if (!isSeq(node)) return `${pathText(path)} is not a list; left as it is`;
      const matches = (item: unknown): boolean => {
        const target = edit.key === undefined ? item : isMap(item) ? item.get(edit.key, true) : undefined;
        return isScalar(target) && target.value === edit.value;
      };
      const before = node.items.length;
      node.items = node.items.filter((item) => !matches(item));
      if (node.items.length === before) return 'already';
      // An emptied list would read as `add: []`; drop the key instead, which the API reads the same way.
      if (node.items.length === 0) document.deleteIn(path);
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
 *
 * The renderer knows one sequence style per document. Where a file mixes
 * them (`- item` under its key in one list, indented two more in another),
 * rendered and original lines are aligned by their content (an LCS over the
 * lines with indentation ignored): aligned lines are taken back verbatim and
 * new lines are shifted by the indentation difference of their nearest
 * aligned neighbour at the same depth. The result is kept only if it parses
 * to exactly the rendered document's value; otherwise the plain rendering is.
 */
function renderLike(document: Document, original: string): string {
  const rendered = document.toString(renderOptions(original));
  // The renderer drops blank lines before the document's first node; keep them, so they are not part of the diff.
  const leading = rendered.startsWith('\n') ? '' : (/^(?:[ \t]*\n)*/.exec(original)?.[0] ?? '');
  const trailing = /\s*$/.exec(original)?.[0] ?? '';
  const renderedLines = rendered.replace(/\s*$/, '').split('\n');
  const originalLines = original.split('\n');
  const aligned = alignByContent(renderedLines, originalLines, document);
  if (aligned !== undefined) return leading + aligned.join('\n') + trailing;
  const originals = new Map<string, string | null>();
  for (const line of originalLines) {
    const key = spacingKey(line);
    originals.set(key, originals.has(key) && originals.get(key) !== line ? null : line);
  }
  return leading + renderedLines.map((line) => originals.get(spacingKey(line)) ?? line).join('\n') + trailing;
}

/** Above this many line pairs the alignment table is too big; the plain rendering is used. */
const MAX_ALIGN_CELLS = 4_000_000;

function alignByContent(rendered: readonly string[], original: readonly string[], document: Document): string[] | undefined {
  const n = rendered.length;
  const m = original.length;
  if (n * m > MAX_ALIGN_CELLS) return undefined;
  const a = rendered.map((line) => spacingKey(line).trimStart());
  const b = original.map((line) => spacingKey(line).trimStart());
  const lengths = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lengths[i] as Uint32Array;
    const below = lengths[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] && a[i] !== '' ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
  }
  const partner = new Int32Array(n).fill(-1);
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (a[i] === b[j] && a[i] !== '') {
      partner[i] = j;
      i++;
      j++;
    } else if ((lengths[i + 1] as Uint32Array)[j]! >= (lengths[i] as Uint32Array)[j + 1]!) i++;
    else j++;
  }
  const indentOf = (line: string): number => /^ */.exec(line)?.[0].length ?? 0;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const line = rendered[i] as string;
    const j = partner[i] as number;
    if (j >= 0) {
      out.push(original[j] as string);
      continue;
    }
    // A new or changed line: shift it like the closest aligned line above it at the same depth and of the same
    // shape (a `- ` item or a key), else like the closest aligned line above it that is less indented.
    const indent = indentOf(line);
    const isItem = line.trimStart().startsWith('- ');
    let shift = 0;
    for (let k = i - 1; k >= 0; k--) {
      const p = partner[k] as number;
      if (p < 0) continue;
      const other = rendered[k] as string;
      const otherIndent = indentOf(other);
      if (otherIndent === indent && other.trimStart().startsWith('- ') === isItem) {
        shift = indentOf(original[p] as string) - otherIndent;
        break;
      }
      if (otherIndent < indent) {
        shift = indentOf(original[p] as string) - otherIndent;
        break;
      }
    }
    out.push(shift >= 0 ? ' '.repeat(shift) + line : line.slice(Math.min(-shift, indent)));
  }
  // Safety: the text must mean exactly what the renderer wrote.
  const reparsed = parseAllDocuments(out.join('\n'));
  if (!Array.isArray(reparsed) || reparsed.length !== 1 || reparsed[0] === undefined || reparsed[0].errors.length > 0) return undefined;
  return JSON.stringify(reparsed[0].toJS()) === JSON.stringify(document.toJS()) ? out : undefined;
}

/**
 * A line with its indentation kept, every other run of blanks collapsed, and,
 * outside quotes, no blanks just inside flow brackets (`[ "a", "b" ]` and
 * `["a", "b"]` are the same line to the renderer). Quoted text is kept as it
 * is, so two lines whose values differ never share a key.
 */
function spacingKey(line: string): string {
  const indent = /^ */.exec(line)?.[0] ?? '';
  let out = indent;
  let quote: string | undefined;
  for (let index = indent.length; index < line.length; index++) {
    const char = line[index] as string;
    if (quote !== undefined) {
      out += char;
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && index + 1 < line.length) out += line[++index] as string;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      out += char;
      continue;
    }
    if (char === ' ' || char === '\t') {
      const previous = out[out.length - 1];
      let next = index + 1;
      while (line[next] === ' ' || line[next] === '\t') next++;
      index = next - 1;
      const following = line[next];
      if (previous === '[' || previous === '{' || following === ']' || following === '}' || following === undefined) continue;
      out += ' ';
      continue;
    }
    out += char;
  }
  return out;
}
