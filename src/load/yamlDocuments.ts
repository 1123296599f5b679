/**
 * Turns the text of one file into YAML documents, each with a position index,
 * plus diagnostics for everything that could not be read.
 *
 * 1. The text is cut at its document markers (documentSlices.ts), so each
 *    document is parsed, limited and, if broken, reported on its own.
 * 2. Each slice goes to the quick reader (quickYaml.ts), a small parser for
 *    the part of YAML manifests use, which records positions as it goes and
 *    gives up on anything else. It reads about 99% of real documents.
 * 3. What it gives up on goes to js-yaml (fastYaml.ts), with a position table
 *    built from its events.
 * 4. What js-yaml does not take (a syntax error, anchors, an unknown tag, a
 *    shape its events cannot describe) goes to the careful path
 *    (carefulYaml.ts: the `yaml` package, loaded on first use), which reports
 *    precise errors and bounds alias expansion. It composes documents about
 *    eight times slower than js-yaml, so it only sees the documents that need it.
 *
 * All paths give the same value and the same positions for the same
 * document: tests compare them with each other, with js-yaml's values over
 * every corpus, and with the `yaml` AST's positions over the real-world corpus.
 */
import type { Diagnostic, PositionIndex } from '../model/types.js';
import { CAREFUL_ERROR_MAX_CHARACTERS, CAREFUL_MAX_CHARACTERS, CAREFUL_NESTING_BOUND, nestingBound, parseCareful } from './carefulYaml.js';
import { splitDocuments } from './documentSlices.js';
import { parseFast } from './fastYaml.js';
import { FileNodes, TablePositionIndex } from './nodeTable.js';
import { parseQuick } from './quickYaml.js';
import type { InputLimits } from './limits.js';
import { skipInsignificant, SourceText } from './sourceText.js';

/** Repeated keys reported per document; the rest are counted in the last message. */
const DUPLICATES_PER_DOCUMENT = 3;

export interface ParsedDocument {
  /** Index of the document in the file, 0-based, counting empty documents. */
  readonly index: number;
  readonly value: unknown;
  readonly positions: PositionIndex;
  /** Which parser read it: `quick` or `js-yaml` (the fast paths), or `yaml` (the careful path). */
  readonly parser: 'quick' | 'js-yaml' | 'yaml';
}

export interface ParsedFile {
  readonly documents: ParsedDocument[];
  readonly diagnostics: Diagnostic[];
  /** Number of documents in the file, empty ones included. */
  readonly documentCount: number;
}

export interface ParseOptions {
  /** Read every document with the careful path (tests compare the paths). */
  readonly careful?: boolean;
  /** `false`: skip the quick reader, so js-yaml reads what the careful path does not (tests compare the paths). */
  readonly quick?: boolean;
}

export function parseYamlFile(input: string, file: string, limits: InputLimits, options: ParseOptions = {}): ParsedFile {
  // A byte order mark is no content; columns on the first line count from after it, as editors do.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const source = new SourceText(text);
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number, documentIndex?: number): Pick<Diagnostic, 'file' | 'documentIndex' | 'line' | 'column'> => {
    const { line, column } = source.position(offset);
    return documentIndex === undefined ? { file, line, column } : { file, documentIndex, line, column };
  };

  // YAML forbids NUL anywhere; a file holding one is binary data with a YAML name.
  const nul = text.indexOf('\u0000');
  if (nul !== -1) {
    diagnostics.push({ severity: 'error', code: 'not-text', message: 'file contains a NUL byte: binary data, not YAML text; skipped', ...at(nul) });
    return { documents, diagnostics, documentCount: 0 };
  }

  // Node tables of every document, packed into one array when the file is done.
  const nodes = new FileNodes();
  let index = 0;
  for (const slice of splitDocuments(text)) {
    if (slice.empty) {
      index += slice.count;
      continue;
    }
    const contentOffset = skipInsignificant(text, slice.markerEnd === -1 ? slice.start : slice.markerEnd);
    const size = byteLength(text, slice.start, slice.end, limits.maxDocumentBytes);
    if (size > limits.maxDocumentBytes) {
      diagnostics.push({
        severity: 'error',
        code: 'document-too-large',
        message: `document is ${size} bytes, larger than the limit of ${limits.maxDocumentBytes} bytes (limits.maxDocumentBytes in the config file); skipped`,
        ...at(contentOffset, index),
      });
      index++;
      continue;
    }
    const sliceText = text.slice(slice.start, slice.end);
    const quick = options.careful === true || options.quick === false ? undefined : parseQuick(sliceText, limits.maxDepth);
    if (quick !== undefined) {
      documents.push({ index, value: quick.value, positions: new TablePositionIndex(nodes, nodes.add(quick.nodes), slice.start, source), parser: 'quick' });
      index++;
      continue;
    }
    const fast = options.careful === true ? undefined : parseFast(sliceText, limits.maxDepth);
    if (fast?.kind === 'too-deep') {
      diagnostics.push({
        severity: 'error',
        code: 'too-deep',
        message: `document nests more than ${limits.maxDepth} levels deep (limits.maxDepth in the config file); skipped`,
        ...at(slice.start + fast.offset, index),
      });
      index++;
      continue;
    }
    const carefulAffordable = sliceText.length <= CAREFUL_MAX_CHARACTERS;
    if (fast?.kind === 'error' && !(sliceText.length <= CAREFUL_ERROR_MAX_CHARACTERS && nestingBound(sliceText) <= CAREFUL_NESTING_BOUND)) {
      // Too large or too deep for the careful parser to be cheap: js-yaml's objection is the diagnostic.
      diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: `invalid YAML: ${fast.message}; document skipped`, ...at(slice.start + fast.offset, index) });
      index++;
      continue;
    }
    if (fast?.kind === 'documents' && fast.anchors && !carefulAffordable) {
      diagnostics.push({
        severity: 'error',
        code: 'document-too-large',
        message: `document uses YAML anchors and is ${sliceText.length} characters long; aliases are expanded, with a bound, only in documents of up to ${CAREFUL_MAX_CHARACTERS} characters; skipped`,
        ...at(contentOffset, index),
      });
      index += fast.documents.length;
      continue;
    }
    if (fast?.kind === 'documents' && !fast.anchors && (!fast.irregular || !carefulAffordable)) {
      diagnostics.push(...duplicateKeyDiagnostics(fast.duplicateKeys, (duplicate) => slice.start + duplicate.offset, (duplicate) => slice.start + duplicate.firstOffset, (duplicate) => index + duplicate.document, source, file));
      for (const document of fast.documents) {
        documents.push({ index, value: document.value, positions: new TablePositionIndex(nodes, nodes.add(document.nodes), slice.start, source), parser: 'js-yaml' });
        index++;
      }
      continue;
    }
    const careful = parseCareful(sliceText, slice.start, source, limits);
    for (const document of careful) {
      const documentIndex = index;
      diagnostics.push(...duplicateKeyDiagnostics(document.duplicateKeys, (duplicate) => slice.start + duplicate.offset, (duplicate) => slice.start + duplicate.firstOffset, () => documentIndex, source, file));
      for (const problem of document.problems) {
        diagnostics.push({ severity: problem.severity, code: problem.code, message: problem.message, ...at(slice.start + problem.offset, index) });
      }
      if (document.positions !== undefined) documents.push({ index, value: document.value, positions: document.positions, parser: 'yaml' });
      index++;
    }
  }
  nodes.finish();
  return { documents, diagnostics, documentCount: index };
}

/** Repeated keys, at most a few per document: the first ones say what is wrong, the rest are counted. */
function duplicateKeyDiagnostics<T extends { readonly key: string }>(
  duplicates: readonly T[],
  offsetOf: (duplicate: T) => number,
  firstOffsetOf: (duplicate: T) => number,
  documentOf: (duplicate: T) => number,
  source: SourceText,
  file: string,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const reported = new Map<number, number>();
  for (const duplicate of duplicates) {
    const documentIndex = documentOf(duplicate);
    const count = (reported.get(documentIndex) ?? 0) + 1;
    reported.set(documentIndex, count);
    if (count > DUPLICATES_PER_DOCUMENT) continue;
    const { line, column } = source.position(offsetOf(duplicate));
    const more = duplicates.filter((other) => documentOf(other) === documentIndex).length - DUPLICATES_PER_DOCUMENT;
    diagnostics.push({
      severity: 'error',
      code: 'duplicate-key',
      message:
        `key ${JSON.stringify(duplicate.key)} repeats the one on line ${source.position(firstOffsetOf(duplicate)).line}; ` +
        "kubectl's strict field validation rejects the object, a non-strict apply keeps the last value, and so does this scan" +
        (count === DUPLICATES_PER_DOCUMENT && more > 0 ? ` (${more} more repeated keys in this document are not listed)` : ''),
      file,
      documentIndex,
      line,
      column,
    });
  }
  return diagnostics;
}

/** UTF-8 size of text[start, end), computed exactly only when it could exceed `limit`. */
function byteLength(text: string, start: number, end: number, limit: number): number {
  const characters = end - start;
  if (characters * 3 <= limit) return characters;
  return Buffer.byteLength(text.slice(start, end), 'utf8');
}
