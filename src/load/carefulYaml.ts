/**
 * The careful path: the `yaml` package, for the documents the fast path does
 * not take (see fastYaml.ts): syntax errors, anchors and aliases, merge keys,
 * unknown tags, shapes js-yaml's events cannot describe exactly.
 *
 * It reports every error of a document with a precise position, bounds alias
 * expansion (the "billion laughs" document of CVE-2019-11253), applies `<<`
 * merge keys as Kubernetes' YAML 1.1 decoder does, and keeps the AST, whose
 * node ranges are the position index.
 *
 * The package is loaded on first use: clean input never pays its 40 ms of
 * module loading.
 */
import { createRequire } from 'node:module';
import type { Document, Node as YamlNode, ParsedNode } from 'yaml';
import type { FieldPath, LocatedPosition, PositionIndex } from '../model/types.js';
import type { InputLimits } from './limits.js';
import type { SourceText } from './sourceText.js';

type YamlModule = typeof import('yaml');
let loaded: YamlModule | undefined;

function yamlModule(): YamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return loaded;
}

export interface SliceProblem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  /** Offset in the slice. */
  readonly offset: number;
}

export interface CarefulDuplicateKey {
  readonly key: string;
  readonly offset: number;
  readonly firstOffset: number;
}

export interface CarefulDocument {
  /** Undefined when the document could not be read; `problems` say why. */
  readonly value?: unknown;
  readonly positions?: PositionIndex;
  readonly problems: readonly SliceProblem[];
  readonly duplicateKeys: readonly CarefulDuplicateKey[];
}

/** At most this many errors are reported per document; the first few say what is wrong. */
const ERRORS_PER_DOCUMENT = 3;

/**
 * Upper bound on nesting above which the careful parser is not run on a
 * document js-yaml has already rejected. The `yaml` parser's time grows
 * faster than linearly with depth (1.7 s for 100,000 levels), and the
 * rejected document's depth was never checked past js-yaml's error.
 */
export const CAREFUL_NESTING_BOUND = 1000;

/**
 * Largest documents the careful parser reads; it takes about a second per
 * megabyte, cold. Anchors need it (nothing else bounds alias expansion), so
 * larger documents with anchors are refused. A syntax error only needs a
 * message, and js-yaml's is good enough past a quarter of that.
 */
export const CAREFUL_MAX_CHARACTERS = 1024 * 1024;
export const CAREFUL_ERROR_MAX_CHARACTERS = 256 * 1024;

export function parseCareful(slice: string, base: number, source: SourceText, limits: InputLimits): CarefulDocument[] {
  const yaml = yamlModule();
  // Duplicate keys are found below, in linear time; the package's own check is quadratic in the number of keys.
  const composer = new yaml.Composer({ merge: true, uniqueKeys: false });
  const documents = Array.from(composer.compose(new yaml.Parser().parse(slice)));
  return documents.map((document) => readDocument(document, base, source, limits));
}

function readDocument(document: Document.Parsed, base: number, source: SourceText, limits: InputLimits): CarefulDocument {
  const start = document.range[0];
  if (document.errors.length > 0) {
    const problems = document.errors.slice(0, ERRORS_PER_DOCUMENT).map((error) => {
      const exhausted = error.code === 'RESOURCE_EXHAUSTION';
      return {
        severity: 'error' as const,
        code: exhausted ? 'too-deep' : 'yaml-syntax',
        message: exhausted ? `document nests too deeply to read (limit ${limits.maxDepth} levels, limits.maxDepth); skipped` : `invalid YAML: ${firstLine(error.message)}; document skipped`,
        offset: error.pos[0],
      };
    });
    return { problems, duplicateKeys: [] };
  }
  const contents = document.contents as YamlNode | null;
  if (nodeDepth(contents, limits.maxDepth + 1) > limits.maxDepth) {
    return {
      problems: [{ severity: 'error', code: 'too-deep', message: `document nests more than ${limits.maxDepth} levels deep (limits.maxDepth); skipped`, offset: contentStart(contents, start) }],
      duplicateKeys: [],
    };
  }
  const duplicateKeys = findDuplicateKeys(contents);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const aliasBomb = /alias/i.test(message);
    return {
      problems: [
        {
          severity: 'error',
          code: aliasBomb ? 'alias-limit' : 'yaml-value',
          message: aliasBomb
            ? `document expands YAML aliases beyond the limit of ${limits.maxAliasCount} (limits.maxAliasCount), the "billion laughs" resource-exhaustion pattern of CVE-2019-11253; skipped`
            : `cannot read document: ${firstLine(message)}; skipped`,
          offset: contentStart(contents, start),
        },
      ],
      duplicateKeys,
    };
  }
  const problems = document.warnings.slice(0, ERRORS_PER_DOCUMENT).map((warning) => ({
    severity: 'warning' as const,
    code: 'yaml-warning',
    message: firstLine(warning.message),
    offset: warning.pos[0],
  }));
  return { value, positions: new AstPositionIndex(contents, start, base, source), problems, duplicateKeys };
}

function contentStart(contents: YamlNode | null, fallback: number): number {
  return contents?.range?.[0] ?? fallback;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

/** A cheap upper bound on a document's nesting: flow openers, plus indentation, plus compact block indicators on one line. */
export function nestingBound(text: string): number {
  let openers = 0;
  let indent = 0;
  let deepestIndent = 0;
  let indicators = 0;
  let mostIndicators = 0;
  let atLineStart = true;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 10 || code === 13) {
      atLineStart = true;
      indent = 0;
      indicators = 0;
      continue;
    }
    if (atLineStart) {
      if (code === 32) {
        indent++;
        continue;
      }
      atLineStart = false;
      if (indent > deepestIndent) deepestIndent = indent;
    }
    if (code === 91 /* [ */ || code === 123 /* { */) openers++;
    else if (code === 45 /* - */ || code === 63 /* ? */ || code === 58 /* : */) {
      const next = text.charCodeAt(index + 1);
      if (next === 32 || next === 9 || next === 10 || next === 13 || Number.isNaN(next)) {
        indicators++;
        if (indicators > mostIndicators) mostIndicators = indicators;
      }
    }
  }
  return openers + deepestIndent + mostIndicators + 1;
}

/** Collections on the deepest path of a `yaml` AST, stopping as soon as `cutoff` is reached. */
function nodeDepth(root: unknown, cutoff: number): number {
  const { isMap, isPair, isSeq } = yamlModule();
  let deepest = 0;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > deepest) deepest = depth;
    if (deepest >= cutoff) return deepest;
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.value, depth: depth + 1 });
        stack.push({ node: item.key, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return deepest;
}

function findDuplicateKeys(root: YamlNode | null): CarefulDuplicateKey[] {
  const { isMap, isPair, isScalar, isSeq } = yamlModule();
  const duplicates: CarefulDuplicateKey[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const name = String(pair.key.value);
          const offset = pair.key.range?.[0] ?? 0;
          const first = seen.get(name);
          if (first === undefined) seen.set(name, offset);
          else duplicates.push({ key: name, offset, firstOffset: first });
        } else stack.push(pair.key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(isPair(item) ? item.value : item);
    }
  }
  return duplicates.sort((a, b) => a.offset - b.offset);
}

/** Positions of one careful-path document, from the AST's node ranges. */
class AstPositionIndex implements PositionIndex {
  constructor(
    private readonly root: YamlNode | null,
    private readonly fallbackOffset: number,
    private readonly base: number,
    private readonly source: SourceText,
  ) {}

  locate(path: FieldPath): LocatedPosition {
    const { isMap, isScalar, isSeq } = yamlModule();
    let node: unknown = this.root;
    let offset = this.root?.range?.[0] ?? this.fallbackOffset;
    let exact = true;
    for (const segment of path) {
      let next: unknown;
      let nextOffset: number | undefined;
      if (isMap(node)) {
        // The last occurrence of a repeated key is the one whose value was kept.
        const wanted = String(segment);
        for (const pair of node.items) {
          if (isScalar(pair.key) && String(pair.key.value) === wanted) {
            next = pair.value;
            nextOffset = pair.key.range?.[0];
          }
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as ParsedNode | null | undefined;
        next = item;
        nextOffset = item?.range?.[0];
      }
      if (nextOffset === undefined) {
        exact = false;
        break;
      }
      node = next;
      offset = nextOffset;
    }
    // Node ranges start at content already (after properties); an empty node's range is where it would be.
    const position = this.source.position(this.base + offset);
    return { line: position.line, column: position.column, exact };
  }
}
