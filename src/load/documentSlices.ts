/**
 * Splits a YAML stream at its document markers before anything is parsed.
 *
 * A `---` or `...` line at column 0 always ends a document: the YAML spec
 * forbids those lines inside any node, quoted and block scalars included. So
 * cutting the text there is exact, and it buys three things: a syntax error
 * costs only its own document, the document size limit is checked before a
 * parser touches the text, and a hostile document cannot make the parser
 * re-read its neighbours. When markers cannot be found this way (line breaks
 * that are a lone CR), a slice may hold several documents; the parsers
 * handle that too, only without the isolation.
 */

export interface DocumentSlice {
  /** Where the slice starts; comments and directives before a `---` belong to it. */
  readonly start: number;
  readonly end: number;
  /** Offset just after the `---` marker, or -1 for a bare document (no marker). */
  readonly markerEnd: number;
  /**
   * A `---` followed only by comments and blank lines: a document with no
   * node (null). Consecutive empty documents share one slice.
   */
  readonly empty: boolean;
  /** Documents the slice stands for: 1, or more for a run of empty ones. */
  readonly count: number;
}

export function splitDocuments(text: string): DocumentSlice[] {
  // Both lists come out of a forward search, so they are sorted; merging them is linear.
  const starts = findMarkers(text, '---');
  const ends = findMarkers(text, '...');
  const slices: Array<{ start: number; end: number; markerEnd: number; empty: boolean; count: number }> = [];
  let sliceStart = 0;
  let markerEnd = -1;

  const close = (end: number, contentEnd: number): void => {
    if (markerEnd === -1) {
      if (!isBlank(text, sliceStart, contentEnd, true)) slices.push({ start: sliceStart, end, markerEnd: -1, empty: false, count: 1 });
      return;
    }
    const empty = isBlank(text, markerEnd, contentEnd, false);
    const previous = slices[slices.length - 1];
    if (empty && previous?.empty === true) {
      // A million `---` lines should not cost a million objects.
      previous.count++;
      previous.end = end;
    } else {
      slices.push({ start: sliceStart, end, markerEnd, empty, count: 1 });
    }
  };

  let startIndex = 0;
  let endIndex = 0;
  while (startIndex < starts.length || endIndex < ends.length) {
    const nextStart = starts[startIndex] ?? Infinity;
    const nextEnd = ends[endIndex] ?? Infinity;
    if (nextStart < nextEnd) {
      startIndex++;
      // Comments and directives before the first marker are part of the document it starts.
      if (markerEnd === -1 && isBlank(text, sliceStart, nextStart, true)) {
        markerEnd = nextStart + 3;
        continue;
      }
      close(nextStart, nextStart);
      sliceStart = nextStart;
      markerEnd = nextStart + 3;
    } else {
      endIndex++;
      const newline = text.indexOf('\n', nextEnd);
      const lineEnd = newline === -1 ? text.length : newline + 1;
      close(lineEnd, nextEnd);
      sliceStart = lineEnd;
      markerEnd = -1;
    }
  }
  close(text.length, text.length);
  return slices;
}

/** Offsets of marker lines: the marker at column 0, followed by a space, a tab or the end of the line. */
function findMarkers(text: string, marker: string): number[] {
  const found: number[] = [];
  if (text.startsWith(marker) && endsMarker(text, 3)) found.push(0);
  const needle = `\n${marker}`;
  let index = text.indexOf(needle);
  while (index !== -1) {
    const offset = index + 1;
    if (endsMarker(text, offset + 3)) found.push(offset);
    index = text.indexOf(needle, offset);
  }
  return found;
}

function endsMarker(text: string, offset: number): boolean {
  if (offset >= text.length) return true;
  const code = text.charCodeAt(offset);
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Whether [from, to) holds only whitespace, comments, byte order marks and (when allowed) directive lines. */
export function isBlank(text: string, from: number, to: number, directivesAllowed: boolean): boolean {
  let position = from;
  let lineStart = true;
  while (position < to) {
    const code = text.charCodeAt(position);
    if (code === 10 || code === 13) {
      position++;
      lineStart = true;
    } else if (code === 32 || code === 9 || code === 0xfeff) {
      position++;
      lineStart = false;
    } else if (code === 35 /* # */ || (code === 37 /* % */ && lineStart && directivesAllowed)) {
      const newline = text.indexOf('\n', position);
      position = newline === -1 || newline >= to ? to : newline;
    } else {
      return false;
    }
  }
  return true;
}
