/**
 * Optional field selection `a.?b` and optional indexing `a[?k]` (CEL optional
 * types, Kubernetes 1.28+). @bufbuild/cel's parser does not know the syntax,
 * so the source is rewritten into syntax it knows before parsing: `a.?b`
 * becomes `a.b__rampart_opt__` and `a[?k]` becomes `a[__rampart_opt__(k)]`;
 * rewrite.ts turns those into optional selects after parsing. String
 * literals and comments are left alone. Offsets in the rewritten text map
 * back to the user's text, so error positions stay exact.
 */

export const OPTIONAL_FIELD_SUFFIX = '__rampart_opt__';
export const OPTIONAL_INDEX_MARK = '__rampart_opt__';

export interface Preprocessed {
  readonly text: string;
  readonly usesOptionalSyntax: boolean;
  /** Offset in `text` → offset in the original source. */
  toOriginal(offset: number): number;
}

const IDENTIFIER_START = /[A-Za-z_]/;
const IDENTIFIER_PART = /[A-Za-z0-9_]/;

export function preprocessOptionalSyntax(source: string): Preprocessed {
  let out = '';
  // Each insertion: at `out` offset, `length` characters that are not in the source.
  const insertions: { at: number; length: number }[] = [];
  const insert = (text: string): void => {
    insertions.push({ at: out.length, length: text.length });
    out += text;
  };
  // Open brackets; `optional` marks a `[?` whose `]` must close the inserted call.
  const brackets: { char: string; optional: boolean }[] = [];
  let lastSignificant = '';
  let index = 0;
  while (index < source.length) {
    const char = source[index] as string;
    // Comments run to the end of the line.
    if (char === '/' && source[index + 1] === '/') {
      const end = source.indexOf('\n', index);
      const stop = end < 0 ? source.length : end;
      out += source.slice(index, stop);
      index = stop;
      continue;
    }
    // String literals, raw or not, single or triple quoted.
    if (char === '"' || char === "'") {
      const raw = /[rR]/.test(source[index - 1] ?? '') && !IDENTIFIER_PART.test(source[index - 2] ?? '');
      const triple = source.startsWith(char.repeat(3), index);
      const quote = triple ? char.repeat(3) : char;
      let end = index + quote.length;
      while (end < source.length && !source.startsWith(quote, end)) {
        if (!raw && source[end] === '\\') end++;
        if (!triple && source[end] === '\n') break;
        end++;
      }
      end = Math.min(source.length, end + quote.length);
      out += source.slice(index, end);
      lastSignificant = char;
      index = end;
      continue;
    }
    if (char === '.' && source[index + 1] === '?') {
      let cursor = index + 2;
      while (cursor < source.length && /\s/.test(source[cursor] as string)) cursor++;
      if (IDENTIFIER_START.test(source[cursor] ?? '')) {
        let end = cursor;
        while (end < source.length && IDENTIFIER_PART.test(source[end] as string)) end++;
        out += '.';
        insertions.push({ at: out.length, length: -(cursor - index - 1) });
        out += source.slice(cursor, end);
        insert(OPTIONAL_FIELD_SUFFIX);
        lastSignificant = 'a';
        index = end;
        continue;
      }
    }
    if (char === '[') {
      const isIndex = IDENTIFIER_PART.test(lastSignificant) || lastSignificant === ')' || lastSignificant === ']' || lastSignificant === '}' || lastSignificant === '"' || lastSignificant === "'";
      if (source[index + 1] === '?' && isIndex) {
        out += '[';
        insertions.push({ at: out.length, length: -1 });
        insert(`${OPTIONAL_INDEX_MARK}(`);
        brackets.push({ char: '[', optional: true });
        lastSignificant = '(';
        index += 2;
        continue;
      }
      brackets.push({ char: '[', optional: false });
    } else if (char === '(' || char === '{') brackets.push({ char, optional: false });
    else if (char === ')' || char === '}') brackets.pop();
    else if (char === ']') {
      const open = brackets.pop();
      if (open?.optional === true) insert(')');
    }
    out += char;
    if (!/\s/.test(char)) lastSignificant = char;
    index++;
  }
  const usesOptionalSyntax = insertions.length > 0;
  return {
    text: out,
    usesOptionalSyntax,
    toOriginal(offset: number): number {
      let shift = 0;
      for (const insertion of insertions) {
        if (insertion.at > offset) break;
        shift += insertion.length;
      }
      return Math.max(0, Math.min(source.length, offset - shift));
    },
  };
}
