import type { Position } from '../model/types.js';

/**
 * Converts character offsets in a text to 1-based line and column (columns
 * count UTF-16 code units, as SARIF's default `columnKind` does).
 *
 * Line breaks are the YAML ones: LF, CRLF and a lone CR. The table of line
 * starts is one Int32Array per file, built on the first call, so a file whose
 * positions nobody asks for never pays for it.
 */
export class LineIndex {
  private lineStarts: Int32Array | undefined;

  constructor(private readonly text: string) {}

  position(offset: number): Position {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  }
}

function lineStartsOf(text: string): Int32Array {
  const starts: number[] = [0];
  if (text.indexOf('\r') === -1) {
    // The common case: LF only, found by the engine's native search.
    let index = text.indexOf('\n');
    while (index !== -1) {
      starts.push(index + 1);
      index = text.indexOf('\n', index + 1);
    }
  } else {
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code === 10) starts.push(index + 1);
      else if (code === 13) {
        if (text.charCodeAt(index + 1) === 10) index++;
        starts.push(index + 1);
      }
    }
  }
  return Int32Array.from(starts);
}
