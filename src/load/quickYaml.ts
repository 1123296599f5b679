/**
 * The quick reader: a small parser for the YAML that Kubernetes manifests are
 * made of, tried on every document before js-yaml.
 *
 * js-yaml composes the real-world corpus in about 250 ms when its code is
 * cold, which is every run of a command-line tool; that alone was half of the
 * scan's time budget. Manifests use a narrow part of YAML: block mappings and
 * sequences, plain and quoted scalars on one line, literal and folded block
 * scalars, flow collections (and JSON, which is one big flow collection). This
 * reader handles exactly that, records node positions straight into the node
 * table (nodeTable.ts), and gives up on anything else: anchors, aliases, tags,
 * explicit keys, multi-line plain or quoted scalars, repeated keys, empty
 * sequence items, tabs in indentation, directives, content on a `---` line,
 * or anything it does not recognise as valid. Giving up is cheap (the document
 * goes to js-yaml, which then reports the error or reads the construct), so the
 * rule is: when in doubt, give up.
 *
 * Values are js-yaml's, by construction: plain scalars are resolved by
 * js-yaml's own core-schema types, and block scalars follow js-yaml's
 * algorithm line for line. Tests hold both to it: every document of every
 * corpus this reader takes must give the value js-yaml gives, and the
 * positions the `yaml` AST gives.
 */
import jsYaml from 'js-yaml';
import { MAPPING, NONE, SCALAR, SEQUENCE, growColumns, type NodeView } from './nodeTable.js';

interface CoreType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

const TYPES = (jsYaml as unknown as { types: Record<'null' | 'bool' | 'int' | 'float', CoreType> }).types;
/** The core schema's implicit types, in js-yaml's order. */
const IMPLICIT: readonly CoreType[] = [TYPES.null, TYPES.bool, TYPES.int, TYPES.float];

/** Characters a null, boolean, integer or float of the core schema can start with. */
const MAYBE_TYPED = new Uint8Array(128);
for (const character of '~nNtTfF-+.0123456789') MAYBE_TYPED[character.charCodeAt(0)] = 1;

/** What js-yaml refuses in any scalar (its own pattern): control characters are the point here. */
// eslint-disable-next-line no-control-regex
const MAYBE_NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF\uD800-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

const LONE_CR = /\r(?!\n)/;

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\x00',
  a: '\x07',
  b: '\x08',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\x0B',
  f: '\x0C',
  r: '\r',
  e: '\x1B',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xA0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Thrown to give up; caught once, at the top. */
const GIVE_UP: unique symbol = Symbol('give up');

/** Nesting the quick reader goes to before leaving a document to js-yaml, which enforces limits.maxDepth. */
const MAX_NESTING = 64;

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const HASH = 35;

function resolvePlain(text: string): unknown {
  if (MAYBE_TYPED[text.charCodeAt(0)] !== 1) return text;
  for (const type of IMPLICIT) if (type.resolve(text)) return type.construct(text);
  return text;
}

class TableBuilder {
  starts = new Int32Array(4096);
  ends = new Int32Array(4096);
  kinds = new Uint8Array(4096);
  scalars: unknown[] = [];
  count = 0;

  reset(): void {
    this.count = 0;
    this.scalars.length = 0;
  }

  open(start: number): number {
    const index = this.count++;
    if (index === this.starts.length) this.grow();
    this.starts[index] = start;
    return index;
  }

  close(index: number, kind: number): void {
    this.ends[index] = this.count;
    this.kinds[index] = kind;
  }

  scalar(start: number, value: unknown): void {
    const index = this.open(start);
    this.ends[index] = this.count;
    this.kinds[index] = SCALAR;
    this.scalars[index] = value;
  }

  private grow(): void {
    growColumns(this);
  }

  /** The document just read; valid until the next parse (FileNodes copies it). */
  view(): NodeView {
    return { starts: this.starts, ends: this.ends, kinds: this.kinds, scalars: this.scalars, root: 0 };
  }
}

const builder = new TableBuilder();

/** Reads one document; undefined when it uses anything beyond the subset (js-yaml reads it then). */
export function parseQuick(text: string, maxDepth: number): { value: unknown; nodes: NodeView } | undefined {
  // The simple class finds any candidate quickly; the exact pattern (surrogate pairs are fine) runs only then.
  if (MAYBE_NON_PRINTABLE.test(text) && NON_PRINTABLE.test(text)) return undefined;
  // Lines are found with indexOf('\n'); a CR that is not part of a CRLF is a line break too: js-yaml's call.
  if (text.includes('\r') && LONE_CR.test(text)) return undefined;
  builder.reset();
  try {
    const value = new QuickReader(text, Math.min(maxDepth, MAX_NESTING)).document();
    return { value, nodes: builder.view() };
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}

class QuickReader {
  private position = 0;
  /** Offset where the current line starts. */
  private lineStart = 0;
  private depth = 0;
  /** The line whose end `lineEnd` last found, and that end. */
  private cachedLineStart = -1;
  private cachedLineEnd = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  document(): unknown {
    const text = this.text;
    this.nextContentLine();
    if (text.charCodeAt(this.position) === 37 /* % */) throw GIVE_UP;
    if (this.position === this.lineStart && this.isMarker('---')) {
      this.position += 3;
      // Content on the marker line (`--- {a: 1}`, `--- |`) is left to js-yaml.
      this.endOfLine();
      this.nextContentLine();
    }
    if (this.position >= text.length) throw GIVE_UP;
    const value = this.nodeOnItsLine(-1);
    if (this.position < text.length && this.isMarker('...')) {
      this.position += 3;
      this.endOfLine();
      this.nextContentLine();
    }
    if (this.position < text.length) throw GIVE_UP;
    return value;
  }

  // ---- lines -------------------------------------------------------------

  private isMarker(marker: string): boolean {
    const text = this.text;
    if (!text.startsWith(marker, this.position)) return false;
    const next = text.charCodeAt(this.position + 3);
    return Number.isNaN(next) || next === SPACE || next === TAB || next === LF || next === CR;
  }

  /** From the start of a line (or the end of the previous one), skips blank and comment lines; leaves `position` at the first content character. */
  private nextContentLine(): void {
    const text = this.text;
    let position = this.position;
    let lineStart = this.lineStart;
    for (;;) {
      let code = text.charCodeAt(position);
      while (code === SPACE) code = text.charCodeAt(++position);
      if (code === TAB) {
        // A tab in the indentation is only harmless on a blank line.
        while (code === SPACE || code === TAB) code = text.charCodeAt(++position);
        if (!(code === LF || code === CR || code === HASH || Number.isNaN(code))) throw GIVE_UP;
      }
      if (code === HASH) {
        while (!(code === LF || code === CR || Number.isNaN(code))) code = text.charCodeAt(++position);
      }
      if (code === LF) {
        lineStart = ++position;
      } else if (code === CR) {
        if (text.charCodeAt(position + 1) !== LF) throw GIVE_UP;
        position += 2;
        lineStart = position;
      } else {
        break;
      }
    }
    this.position = position;
    this.lineStart = lineStart;
  }

  /** After a node on the current line: only spaces and a comment may follow. Moves to the next line. */
  private endOfLine(): void {
    const text = this.text;
    let position = this.position;
    let code = text.charCodeAt(position);
    while (code === SPACE || code === TAB) code = text.charCodeAt(++position);
    // A comment needs white space before it (`a: b#c` is one scalar).
    if (code === HASH && isBreakOrSpace(text.charCodeAt(position - 1))) {
      while (!(code === LF || code === CR || Number.isNaN(code))) code = text.charCodeAt(++position);
    }
    if (code === LF) position++;
    else if (code === CR) {
      if (text.charCodeAt(position + 1) !== LF) throw GIVE_UP;
      position += 2;
    } else if (!Number.isNaN(code)) throw GIVE_UP;
    this.position = position;
    this.lineStart = position;
  }

  private column(): number {
    return this.position - this.lineStart;
  }

  /** At a content line, after a node that is done: the column of the next content line, or -1 at the end. */
  private nextIndent(): number {
    this.nextContentLine();
    if (this.position >= this.text.length || (this.column() === 0 && this.isMarker('...'))) return -1;
    return this.column();
  }

  private isSequenceEntry(): boolean {
    const text = this.text;
    if (text.charCodeAt(this.position) !== 45 /* - */) return false;
    const next = text.charCodeAt(this.position + 1);
    // `-` then a tab: js-yaml's call.
    if (next === TAB) throw GIVE_UP;
    return next === SPACE || next === LF || next === CR || Number.isNaN(next);
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) throw GIVE_UP;
  }

  // ---- block structure ---------------------------------------------------

  /** A node whose content starts at `position`, the first content of its line, at a column above `parentIndent`. */
  private nodeOnItsLine(parentIndent: number): unknown {
    const indent = this.column();
    if (this.isSequenceEntry()) return this.blockSequence(indent);
    if (this.keyEnd() !== -1) return this.blockMapping(indent);
    const code = this.text.charCodeAt(this.position);
    if (code === 124 /* | */ || code === 62 /* > */) throw GIVE_UP;
    return this.inlineValue(parentIndent);
  }

  private blockSequence(indent: number): unknown[] {
    this.enter();
    const node = builder.open(this.position);
    const result: unknown[] = [];
    for (;;) {
      this.position++; // past '-'
      const text = this.text;
      let code = text.charCodeAt(this.position);
      while (code === SPACE) code = text.charCodeAt(++this.position);
      if (code === TAB) throw GIVE_UP;
      if (code === LF || code === CR || code === HASH || Number.isNaN(code)) {
        this.endOfLine();
        const next = this.nextIndent();
        // An empty item (`-` and nothing more indented) is left to js-yaml.
        if (next <= indent) throw GIVE_UP;
        result.push(this.nodeOnItsLine(indent));
      } else {
        result.push(this.compactNode(indent));
      }
      const next = this.nextIndent();
      if (next < indent) break;
      if (next > indent) throw GIVE_UP;
      if (!this.isSequenceEntry()) break;
    }
    builder.close(node, SEQUENCE);
    this.depth--;
    return result;
  }

  /** A node that starts on the line of its sequence entry's `- `. */
  private compactNode(parentIndent: number): unknown {
    const code = this.text.charCodeAt(this.position);
    const column = this.column();
    if (this.isSequenceEntry()) return this.blockSequence(column);
    if (code === 124 /* | */ || code === 62 /* > */) return this.blockScalar(parentIndent);
    if (this.keyEnd() !== -1) return this.blockMapping(column);
    return this.inlineValue(parentIndent);
  }

  private blockMapping(indent: number): Record<string, unknown> {
    this.enter();
    const node = builder.open(this.position);
    const result: Record<string, unknown> = {};
    const text = this.text;
    for (;;) {
      const key = this.key();
      if (key === '<<' || key === '__proto__' || Object.prototype.hasOwnProperty.call(result, key)) throw GIVE_UP;
      let code = text.charCodeAt(this.position);
      while (code === SPACE || code === TAB) code = text.charCodeAt(++this.position);
      let value: unknown;
      if (code === LF || code === CR || code === HASH || Number.isNaN(code)) {
        const valueStart = this.position;
        this.endOfLine();
        const next = this.nextIndent();
        if (next > indent) value = this.nodeOnItsLine(indent);
        else if (next === indent && this.isSequenceEntry()) value = this.blockSequence(indent);
        else {
          value = null;
          builder.close(builder.open(valueStart), NONE);
        }
      } else if (code === 124 /* | */ || code === 62 /* > */) {
        value = this.blockScalar(indent);
      } else if (code === 45 /* - */ && this.isSequenceEntry()) {
        throw GIVE_UP;
      } else {
        value = this.inlineValue(indent);
      }
      result[key] = value;
      const next = this.nextIndent();
      if (next < indent) break;
      if (next > indent || this.isSequenceEntry()) throw GIVE_UP;
    }
    builder.close(node, MAPPING);
    this.depth--;
    return result;
  }

  /**
   * Where the implicit key starting at `position` ends (its `:`), or -1 if
   * the line does not start with one. Keys are a plain scalar or a quoted one
   * on one line, followed by `:` and a space or the end of the line.
   */
  private keyEnd(): number {
    const text = this.text;
    let position = this.position;
    const first = text.charCodeAt(position);
    if (first === 34 /* " */ || first === 39 /* ' */) {
      position = this.quotedEnd(position);
      if (position === -1) return -1;
      let code = text.charCodeAt(position);
      while (code === SPACE || code === TAB) code = text.charCodeAt(++position);
      return code === 58 /* : */ && isBreakOrSpace(text.charCodeAt(position + 1)) ? position : -1;
    }
    if (!canStartPlain(text, position)) return -1;
    // Searched with the engine's indexOf over the line, not character by character: this runs on every line.
    const line = text.slice(position, this.lineEnd(position));
    const comment = commentStart(line);
    let colon = line.indexOf(':');
    while (colon !== -1 && (comment === -1 || colon < comment)) {
      const next = line.charCodeAt(colon + 1);
      if (next === SPACE || next === TAB || Number.isNaN(next)) return position + colon;
      colon = line.indexOf(':', colon + 1);
    }
    return -1;
  }

  /** Where the line holding `position` ends: its LF, the CR of a CRLF, or the end of the text. Remembered per line. */
  private lineEnd(position: number): number {
    if (this.cachedLineStart === this.lineStart && position >= this.lineStart) return this.cachedLineEnd;
    const text = this.text;
    const newline = text.indexOf('\n', position);
    const end = newline === -1 ? text.length : text.charCodeAt(newline - 1) === CR && newline - 1 >= position ? newline - 1 : newline;
    this.cachedLineStart = this.lineStart;
    this.cachedLineEnd = end;
    return end;
  }

  /** Reads an implicit key and its `:`; returns the key as js-yaml makes it (resolved, then a string). */
  private key(): string {
    const start = this.position;
    const colon = this.keyEnd();
    if (colon === -1) throw GIVE_UP;
    const text = this.text;
    const first = text.charCodeAt(start);
    let key: string;
    if (first === 34 || first === 39) key = this.quoted();
    else {
      let end = colon;
      while (isSpace(text.charCodeAt(end - 1))) end--;
      key = String(resolvePlain(text.slice(start, end)));
    }
    builder.scalar(start, key);
    this.position = colon + 1;
    return key;
  }

  /** A scalar or flow collection that starts on the current line, then the end of the line. */
  private inlineValue(parentIndent: number): unknown {
    const text = this.text;
    const start = this.position;
    const code = text.charCodeAt(start);
    let value: unknown;
    if (code === 91 /* [ */ || code === 123 /* { */) {
      value = this.flowCollection();
    } else if (code === 34 || code === 39) {
      value = this.quoted();
      builder.scalar(start, value);
    } else {
      if (!canStartPlain(text, start)) throw GIVE_UP;
      const line = text.slice(start, this.lineEnd(start));
      const comment = commentStart(line);
      let end = start + (comment === -1 ? line.length : comment);
      while (isSpace(text.charCodeAt(end - 1))) end--;
      // `: ` inside a value (or a trailing `:`) would make it a mapping: not for the quick reader.
      const body = text.slice(start, end);
      if (body.includes(': ') || body.includes(':\t') || body.charCodeAt(body.length - 1) === 58) throw GIVE_UP;
      value = resolvePlain(body);
      builder.scalar(start, value);
      this.position = end;
    }
    this.endOfLine();
    // A more indented line after a finished scalar is a multi-line plain scalar, or an error: js-yaml's call.
    if (this.nextIndent() > parentIndent) throw GIVE_UP;
    return value;
  }

  // ---- scalars -----------------------------------------------------------

  /** Offset just past the closing quote of the quoted scalar at `start`, on the same line; -1 if it does not close there. */
  private quotedEnd(start: number): number {
    const text = this.text;
    const quote = text.charCodeAt(start);
    let position = start + 1;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === LF || code === CR || Number.isNaN(code)) return -1;
      if (quote === 34 && code === 92 /* \ */) {
        position += 2;
        continue;
      }
      if (code === quote) {
        if (quote === 39 && text.charCodeAt(position + 1) === 39) {
          position += 2;
          continue;
        }
        return position + 1;
      }
      position++;
    }
  }

  /** Reads the quoted scalar at `position` (one line only) and moves past it. */
  private quoted(): string {
    const text = this.text;
    const start = this.position;
    const end = this.quotedEnd(start);
    if (end === -1) throw GIVE_UP;
    this.position = end;
    const body = text.slice(start + 1, end - 1);
    if (text.charCodeAt(start) === 39) return body.includes("''") ? body.replaceAll("''", "'") : body;
    return body.includes('\\') ? unescapeDoubleQuoted(body) : body;
  }

  /**
   * `|` and `>` block scalars, after js-yaml's readBlockScalar, so that
   * indentation detection, folding and chomping give the same text.
   */
  private blockScalar(parentIndent: number): string {
    const text = this.text;
    const start = this.position;
    const folding = text.charCodeAt(start) === 62;
    let chomping = 0; // 0 clip, 1 strip, 2 keep
    let textIndent = parentIndent + 1;
    let detectedIndent = false;
    let position = start + 1;
    for (;;) {
      const code = text.charCodeAt(position);
      if ((code === 43 /* + */ || code === 45) /* - */ && chomping === 0) chomping = code === 43 ? 2 : 1;
      else if (code >= 49 && code <= 57 && !detectedIndent) {
        textIndent = parentIndent + 1 + (code - 48) - 1;
        detectedIndent = true;
      } else break;
      position++;
    }
    this.position = position;
    this.endOfLine();
    position = this.position;

    let result = '';
    let didReadContent = false;
    let emptyLines = 0;
    let atMoreIndented = false;
    for (;;) {
      const lineStart = position;
      let lineIndent = 0;
      let code = text.charCodeAt(position);
      while ((!detectedIndent || lineIndent < textIndent) && code === SPACE) {
        lineIndent++;
        code = text.charCodeAt(++position);
      }
      if (!detectedIndent && lineIndent > textIndent) textIndent = lineIndent;
      if (code === LF || code === CR) {
        if (code === CR && text.charCodeAt(position + 1) !== LF) throw GIVE_UP;
        position += code === CR ? 2 : 1;
        emptyLines++;
        continue;
      }
      if (lineIndent < textIndent || Number.isNaN(code)) {
        if (chomping === 2) result += '\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines);
        else if (chomping === 0 && didReadContent) result += '\n';
        // The line that ends the scalar belongs to the parent.
        this.position = lineStart;
        this.lineStart = lineStart;
        break;
      }
      if (folding) {
        if (code === SPACE || code === TAB) {
          atMoreIndented = true;
          result += '\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines);
        } else if (atMoreIndented) {
          atMoreIndented = false;
          result += '\n'.repeat(emptyLines + 1);
        } else if (emptyLines === 0) {
          if (didReadContent) result += ' ';
        } else {
          result += '\n'.repeat(emptyLines);
        }
      } else {
        result += '\n'.repeat(didReadContent ? 1 + emptyLines : emptyLines);
      }
      didReadContent = true;
      detectedIndent = true;
      emptyLines = 0;
      const captureStart = position;
      while (!(code === LF || code === CR || Number.isNaN(code))) code = text.charCodeAt(++position);
      result += text.slice(captureStart, position);
      if (code === CR) {
        if (text.charCodeAt(position + 1) !== LF) throw GIVE_UP;
        position += 2;
      } else if (code === LF) position++;
    }
    if (!detectedIndent && textIndent === 0) throw GIVE_UP;
    builder.scalar(start, result);
    return result;
  }

  // ---- flow collections --------------------------------------------------

  /** Skips spaces, line breaks and comments inside a flow collection. */
  private flowSpace(): void {
    const text = this.text;
    let position = this.position;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === SPACE || code === TAB) position++;
      else if (code === LF) {
        position++;
        this.lineStart = position;
      } else if (code === CR) {
        if (text.charCodeAt(position + 1) !== LF) throw GIVE_UP;
        position += 2;
        this.lineStart = position;
      } else if (code === HASH && position > 0 && isBreakOrSpace(text.charCodeAt(position - 1))) {
        while (!(text.charCodeAt(position) === LF || text.charCodeAt(position) === CR || position >= text.length)) position++;
      } else break;
    }
    this.position = position;
  }

  private flowCollection(): unknown {
    this.enter();
    const text = this.text;
    const node = builder.open(this.position);
    const isMapping = text.charCodeAt(this.position) === 123;
    const terminator = isMapping ? 125 : 93;
    const result: unknown = isMapping ? {} : [];
    this.position++;
    for (;;) {
      this.flowSpace();
      const code = text.charCodeAt(this.position);
      if (code === terminator) {
        this.position++;
        break;
      }
      if (isMapping) {
        const key = this.flowKey();
        const record = result as Record<string, unknown>;
        if (key === '<<' || key === '__proto__' || Object.prototype.hasOwnProperty.call(record, key)) throw GIVE_UP;
        this.flowSpace();
        const next = text.charCodeAt(this.position);
        if (next === 44 /* , */ || next === terminator) throw GIVE_UP;
        record[key] = this.flowValue();
      } else {
        (result as unknown[]).push(this.flowValue());
      }
      this.flowSpace();
      const after = text.charCodeAt(this.position);
      if (after === 44) this.position++;
      else if (after !== terminator) throw GIVE_UP;
    }
    builder.close(node, isMapping ? MAPPING : SEQUENCE);
    this.depth--;
    return result;
  }

  /** A key in a flow mapping, with its `:` on the same line. */
  private flowKey(): string {
    const text = this.text;
    const start = this.position;
    const code = text.charCodeAt(start);
    let key: string;
    if (code === 34 || code === 39) {
      key = this.quoted();
      let next = text.charCodeAt(this.position);
      while (next === SPACE || next === TAB) next = text.charCodeAt(++this.position);
      if (next !== 58) throw GIVE_UP;
    } else {
      const end = this.flowPlainEnd(start);
      if (text.charCodeAt(end) !== 58) throw GIVE_UP;
      let trimmed = end;
      while (isSpace(text.charCodeAt(trimmed - 1))) trimmed--;
      key = String(resolvePlain(text.slice(start, trimmed)));
      this.position = end;
    }
    builder.scalar(start, key);
    this.position++; // past ':'
    return key;
  }

  private flowValue(): unknown {
    const text = this.text;
    const start = this.position;
    const code = text.charCodeAt(start);
    if (code === 91 || code === 123) return this.flowCollection();
    if (code === 34 || code === 39) {
      const value = this.quoted();
      builder.scalar(start, value);
      return value;
    }
    const end = this.flowPlainEnd(start);
    const stop = text.charCodeAt(end);
    // A pair inside a sequence (`[a: 1]`) is js-yaml's call.
    if (stop === 58 || Number.isNaN(stop)) throw GIVE_UP;
    if (stop === LF || stop === CR) {
      // At the end of a line the scalar must be over (`1\n]`), not run on to the next one.
      this.position = end;
      this.flowSpace();
      const next = text.charCodeAt(this.position);
      if (next !== 44 && next !== 93 && next !== 125) throw GIVE_UP;
    }
    let trimmed = end;
    while (isSpace(text.charCodeAt(trimmed - 1))) trimmed--;
    const value = resolvePlain(text.slice(start, trimmed));
    builder.scalar(start, value);
    if (stop !== LF && stop !== CR) this.position = end;
    return value;
  }

  /** Where a plain scalar inside a flow collection ends: a flow indicator, `: `, ` #` or the end of the line. */
  private flowPlainEnd(start: number): number {
    const text = this.text;
    if (!canStartPlain(text, start)) throw GIVE_UP;
    let position = start;
    for (;;) {
      const code = text.charCodeAt(position);
      if (code === 44 || code === 91 || code === 93 || code === 123 || code === 125 || code === LF || code === CR || Number.isNaN(code)) return position;
      if (code === 58) {
        const next = text.charCodeAt(position + 1);
        if (isBreakOrSpace(next) || next === 44 || next === 91 || next === 93 || next === 123 || next === 125) return position;
      }
      if (code === HASH && isSpace(text.charCodeAt(position - 1))) return position;
      position++;
    }
  }
}

/** Offset in `line` where a comment starts (`#` after a space or a tab), or -1. */
function commentStart(line: string): number {
  const afterSpace = line.indexOf(' #');
  const afterTab = line.indexOf('\t#');
  const first = afterSpace === -1 ? afterTab : afterTab === -1 ? afterSpace : Math.min(afterSpace, afterTab);
  return first === -1 ? -1 : first + 1;
}

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB;
}

function isBreakOrSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === CR || Number.isNaN(code);
}

/** Whether a plain scalar may start at `position` (YAML's ns-plain-first); anything else is left to js-yaml. */
function canStartPlain(text: string, position: number): boolean {
  const code = text.charCodeAt(position);
  switch (code) {
    case 45: // -
    case 63: // ?
    case 58: {
      // :
      const next = text.charCodeAt(position + 1);
      return !(isBreakOrSpace(next) || next === 44 || next === 91 || next === 93 || next === 123 || next === 125);
    }
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 35: // #
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case 39: // '
    case 34: // "
    case 37: // %
    case 64: // @
    case 96: // `
    case SPACE:
    case TAB:
    case LF:
    case CR:
      return false;
    default:
      return !Number.isNaN(code);
  }
}

function unescapeDoubleQuoted(body: string): string {
  let result = '';
  let from = 0;
  let index = body.indexOf('\\');
  while (index !== -1) {
    result += body.slice(from, index);
    const escape = body[index + 1];
    if (escape === undefined) throw GIVE_UP;
    const simple = SIMPLE_ESCAPES[escape];
    if (simple !== undefined) {
      result += simple;
      from = index + 2;
    } else {
      const length = HEX_ESCAPE_LENGTH[escape];
      if (length === undefined) throw GIVE_UP;
      const hex = body.slice(index + 2, index + 2 + length);
      if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) throw GIVE_UP;
      const codePoint = parseInt(hex, 16);
      if (codePoint > 0x10ffff) throw GIVE_UP;
      result += String.fromCodePoint(codePoint);
      from = index + 2 + length;
    }
    index = body.indexOf('\\', from);
  }
  return result + body.slice(from);
}
