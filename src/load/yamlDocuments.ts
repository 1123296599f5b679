/**
 * Turns the text of one file into YAML documents, each with a position index,
 * plus diagnostics for everything that could not be read.
 *
 * Two parsers, one contract:
 * - The fast path is js-yaml with its event listener. The `yaml` package keeps
 *   richer source positions but composes documents about eight times slower
 *   (2 s against 0.25 s on the 4.4 MB real-world corpus), which alone would
 *   break the scan's speed target. The listener gives every node's start
 *   offset, from which we build the position index ourselves.
 * - The careful path is the `yaml` package. It is used for any file the fast
 *   path cannot take as-is: syntax errors (it recovers per document and
 *   reports precise positions), anchors and aliases (it bounds alias
 *   expansion, which stops "billion laughs" documents, CVE-2019-11253), and
 *   unknown tags.
 */
import jsYaml from 'js-yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import type { Diagnostic, FieldPath, LocatedPosition, PositionIndex } from '../model/types.js';
import { LineIndex } from './lineIndex.js';
import type { InputLimits } from './limits.js';

export interface ParsedDocument {
  readonly index: number;
  readonly value: unknown;
  readonly positions: PositionIndex;
}

export interface ParsedFile {
  readonly documents: ParsedDocument[];
  readonly diagnostics: Diagnostic[];
}

/** A node of the position tree built from js-yaml events. */
interface PositionNode {
  /** Offset where the node (for mapping members: its key) starts. */
  offset: number;
  keys?: Map<string, PositionNode>;
  items?: PositionNode[];
}

interface Frame {
  offset: number;
  children: Frame[];
  kind: string | null;
  result: unknown;
  node: PositionNode;
}

export function parseYamlFile(text: string, file: string, limits: InputLimits): ParsedFile {
  const fast = parseFast(text, file, limits);
  if (fast !== undefined) return fast;
  return parseCareful(text, file, limits);
}

/** Skip whitespace and comments so positions point at content. */
function skipInsignificant(text: string, offset: number): number {
  let position = offset;
  while (position < text.length) {
    const code = text.charCodeAt(position);
    if (code === 32 || code === 9 || code === 10 || code === 13) {
      position++;
    } else if (code === 35 /* # */) {
      const end = text.indexOf('\n', position);
      position = end === -1 ? text.length : end + 1;
    } else {
      break;
    }
  }
  return position;
}

class TreePositionIndex implements PositionIndex {
  constructor(
    private readonly root: PositionNode,
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {}

  locate(path: FieldPath): LocatedPosition {
    let node = this.root;
    let exact = true;
    for (const segment of path) {
      const next = typeof segment === 'number' ? node.items?.[segment] : node.keys?.get(segment);
      if (next === undefined) {
        exact = false;
        break;
      }
      node = next;
    }
    const position = this.lines.position(skipInsignificant(this.text, node.offset));
    return { line: position.line, column: position.column, exact };
  }
}

function parseFast(text: string, file: string, limits: InputLimits): ParsedFile | undefined {
  const stack: Frame[] = [];
  const roots: Frame[] = [];
  const rootEnds: number[] = [];
  let sawAnchor = false;

  const listener = (event: 'open' | 'close', state: jsYaml.State & { anchor?: string | null }): void => {
    if (event === 'open') {
      stack.push({ offset: state.position, children: [], kind: null, result: undefined, node: { offset: state.position } });
      return;
    }
    const frame = stack.pop();
    if (frame === undefined) return;
    if (state.anchor !== null && state.anchor !== undefined) sawAnchor = true;
    frame.kind = state.kind;
    frame.result = state.result;
    const only = frame.children.length === 1 ? frame.children[0] : undefined;
    if (only !== undefined && only.kind === state.kind && only.result === state.result && typeof state.result === 'object') {
      // js-yaml first tries a flow collection as an implicit key, so the real node is nested once more.
      frame.node.keys = only.node.keys;
      frame.node.items = only.node.items;
    } else if (state.kind === 'mapping') buildMapping(frame);
    else if (state.kind === 'sequence') buildSequence(frame);
    frame.children = [];
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(frame);
    else {
      roots.push(frame);
      rootEnds.push(state.position);
    }
  };

  let values: unknown[];
  try {
    values = jsYaml.loadAll(text, undefined, {
      schema: jsYaml.CORE_SCHEMA,
      filename: file,
      maxDepth: limits.maxDepth,
      listener: listener as (this: jsYaml.State, eventType: jsYaml.EventType, state: jsYaml.State) => void,
    } as jsYaml.LoadOptions & { maxDepth: number });
  } catch (error) {
    if (error instanceof Error && /maxDepth/.test(error.message)) {
      const mark = (error as Error & { mark?: { line?: number; column?: number } }).mark;
      return {
        documents: [],
        diagnostics: [
          {
            severity: 'error',
            code: 'too-deep',
            message: `nesting is deeper than ${limits.maxDepth} levels; file skipped`,
            file,
            line: (mark?.line ?? 0) + 1,
            column: (mark?.column ?? 0) + 1,
          },
        ],
      };
    }
    // Syntax errors, duplicate keys, unknown tags, excessive depth: the careful
    // parser reports them with positions and recovers the other documents.
    return undefined;
  }
  if (sawAnchor || roots.length !== values.length) return undefined;

  const lines = new LineIndex(text);
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  values.forEach((value, index) => {
    const root = roots[index] as Frame;
    const size = (rootEnds[index] ?? 0) - root.offset;
    if (size > limits.maxDocumentBytes) {
      const position = lines.position(skipInsignificant(text, root.offset));
      diagnostics.push({
        severity: 'error',
        code: 'document-too-large',
        message: `document is ${size} bytes, more than the limit of ${limits.maxDocumentBytes}; skipped`,
        file,
        documentIndex: index,
        line: position.line,
        column: position.column,
      });
      return;
    }
    documents.push({ index, value, positions: new TreePositionIndex(root.node, text, lines) });
  });
  return { documents, diagnostics };
}

/** Children of a mapping frame alternate key, value. Anything else (merge keys, odd flow forms) keeps only the mapping's own position. */
function buildMapping(frame: Frame): void {
  const children = frame.children;
  // A mapping that ends at a document marker records one more, empty, attempt at a key.
  if (children.length % 2 !== 0 && children[children.length - 1]?.kind === null) children.pop();
  if (children.length % 2 !== 0) return;
  const keys = new Map<string, PositionNode>();
  for (let index = 0; index < children.length; index += 2) {
    const key = children[index] as Frame;
    const value = children[index + 1] as Frame;
    if (key.kind !== 'scalar' || key.result === null || typeof key.result === 'object') return;
    keys.set(String(key.result), { offset: key.offset, keys: value.node.keys, items: value.node.items });
  }
  frame.node.keys = keys;
}

function buildSequence(frame: Frame): void {
  frame.node.items = frame.children.map((child) => child.node);
}

/** Position index over a document of the `yaml` package. */
class YamlAstPositionIndex implements PositionIndex {
  constructor(
    private readonly root: YamlNode | null,
    private readonly fallbackOffset: number,
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {}

  locate(path: FieldPath): LocatedPosition {
    let node: unknown = this.root;
    let offset = this.root?.range?.[0] ?? this.fallbackOffset;
    let exact = true;
    for (const segment of path) {
      let next: unknown;
      let nextOffset: number | undefined;
      if (isMap(node)) {
        for (const pair of node.items) {
          if (isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(segment)) {
            next = pair.value;
            nextOffset = pair.key.range?.[0];
            break;
          }
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        next = item;
        nextOffset = isScalar(item) || isMap(item) || isSeq(item) || isAlias(item) ? item.range?.[0] : undefined;
      }
      if (nextOffset === undefined) {
        exact = false;
        break;
      }
      node = next;
      offset = nextOffset;
    }
    const position = this.lines.position(skipInsignificant(this.text, offset));
    return { line: position.line, column: position.column, exact };
  }
}

function parseCareful(text: string, file: string, limits: InputLimits): ParsedFile {
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  const lines = new LineIndex(text);
  let yamlDocuments;
  try {
    yamlDocuments = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, stringKeys: false });
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      code: error instanceof RangeError ? 'too-deep' : 'yaml-syntax',
      message:
        error instanceof RangeError
          ? `nesting is too deep to read (limit ${limits.maxDepth} levels); file skipped`
          : `cannot parse YAML: ${error instanceof Error ? error.message : String(error)}`,
      file,
      line: 1,
      column: 1,
    });
    return { documents, diagnostics };
  }
  const list = Array.isArray(yamlDocuments) ? yamlDocuments : [];
  list.forEach((document, index) => {
    const start = document.range?.[0] ?? 0;
    if (document.errors.length > 0) {
      for (const error of document.errors.slice(0, 3)) {
        const position = lines.position(error.pos[0]);
        diagnostics.push({
          severity: 'error',
          code: 'yaml-syntax',
          message: `invalid YAML: ${firstLine(error.message)}; document skipped`,
          file,
          documentIndex: index,
          line: position.line,
          column: position.column,
        });
      }
      return;
    }
    const size = (document.range?.[2] ?? start) - start;
    const startPosition = lines.position(skipInsignificant(text, start));
    const at = { file, documentIndex: index, line: startPosition.line, column: startPosition.column };
    if (size > limits.maxDocumentBytes) {
      diagnostics.push({
        severity: 'error',
        code: 'document-too-large',
        message: `document is ${size} bytes, more than the limit of ${limits.maxDocumentBytes}; skipped`,
        ...at,
      });
      return;
    }
    const depth = nodeDepth(document.contents, limits.maxDepth + 1);
    if (depth > limits.maxDepth) {
      diagnostics.push({
        severity: 'error',
        code: 'too-deep',
        message: `document nests more than ${limits.maxDepth} levels deep; skipped`,
        ...at,
      });
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const aliasBomb = /alias/i.test(message);
      diagnostics.push({
        severity: 'error',
        code: aliasBomb ? 'alias-limit' : 'yaml-value',
        message: aliasBomb
          ? `document expands YAML aliases more than ${limits.maxAliasCount} times (a "billion laughs" resource-exhaustion pattern, CVE-2019-11253); skipped`
          : `cannot read document: ${firstLine(message)}; skipped`,
        ...at,
      });
      return;
    }
    for (const warning of document.warnings.slice(0, 3)) {
      const position = lines.position(warning.pos[0]);
      diagnostics.push({
        severity: 'warning',
        code: 'yaml-warning',
        message: firstLine(warning.message),
        file,
        documentIndex: index,
        line: position.line,
        column: position.column,
      });
    }
    documents.push({ index, value, positions: new YamlAstPositionIndex(document.contents as YamlNode | null, start, text, lines) });
  });
  return { documents, diagnostics };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.trim();
}

/** Depth of a `yaml` AST, stopping as soon as `cutoff` is reached so hostile input stays cheap. */
function nodeDepth(root: unknown, cutoff: number): number {
  let deepest = 0;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (depth > deepest) deepest = depth;
    if (deepest >= cutoff) return deepest;
    if (isMap(node)) {
      for (const pair of node.items) stack.push({ node: pair.value, depth: depth + 1 });
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return deepest;
}
