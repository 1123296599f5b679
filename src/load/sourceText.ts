import type { Position } from '../model/types.js';
import { LineIndex } from './lineIndex.js';

/** The text of one file and its line table, shared by the position indexes of all its documents. */
export class SourceText {
  private readonly lines: LineIndex;

  constructor(readonly text: string) {
    this.lines = new LineIndex(text);
  }

  position(offset: number): Position {
    return this.lines.position(offset);
  }

  /**
   * Position of the node js-yaml started composing at `offset`: whitespace,
   * comments and the node's properties (`!tag`, `&anchor`) come first and are
   * skipped, so the position is that of its content, as the `yaml` AST has it.
   */
  nodePosition(offset: number): Position {
    const text = this.text;
    let position = skipInsignificant(text, offset);
    for (;;) {
      const code = text.charCodeAt(position);
      if (code !== 33 /* ! */ && code !== 38 /* & */) break;
      // A plain scalar cannot start with either indicator, so this is a property token.
      while (position < text.length && !isSpaceOrBreak(text.charCodeAt(position))) position++;
      position = skipInsignificant(text, position);
    }
    return this.lines.position(position);
  }
}

function isSpaceOrBreak(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Skips whitespace and comments, so a position points at content. */
export function skipInsignificant(text: string, offset: number): number {
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
