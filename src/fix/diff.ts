/** A unified diff (`diff -u` style, 3 lines of context) of two texts, by lines. */

const CONTEXT = 3;
/** Above this many line pairs the LCS table is too big; the diff becomes one hunk of the changed middle. */
const MAX_CELLS = 16_000_000;

type Line = { readonly kind: ' ' | '-' | '+'; readonly text: string; readonly oldLine: number; readonly newLine: number };

export function unifiedDiff(before: string, after: string, oldName: string, newName: string): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const lines = diffLines(a, b);
  const hunks: string[] = [];
  const noNewline = (text: string): boolean => text !== '' && !text.endsWith('\n');
  const oldOpen = noNewline(before);
  const newOpen = noNewline(after);
  // `\ No newline at end of file` follows the last line of a file that lacks one, where that line is shown.
  const render = (line: Line): string => {
    const endsOld = oldOpen && line.kind !== '+' && line.oldLine === a.length;
    const endsNew = newOpen && line.kind !== '-' && line.newLine === b.length;
    return `${line.kind}${line.text}\n${endsOld || endsNew ? '\\ No newline at end of file\n' : ''}`;
  };
  let index = 0;
  while (index < lines.length) {
    if (lines[index]?.kind === ' ') {
      index++;
      continue;
    }
    const start = Math.max(0, index - CONTEXT);
    let end = index;
    // Extend over changes closer together than twice the context.
    for (let cursor = index; cursor < lines.length; cursor++) {
      if (lines[cursor]?.kind !== ' ') end = cursor;
      else if (cursor - end > CONTEXT * 2) break;
    }
    const stop = Math.min(lines.length, end + CONTEXT + 1);
    const slice = lines.slice(start, stop);
    const first = slice[0];
    const oldCount = slice.filter((line) => line.kind !== '+').length;
    const newCount = slice.filter((line) => line.kind !== '-').length;
    const oldStart = first === undefined ? 0 : oldCount === 0 ? first.oldLine - 1 : first.oldLine;
    const newStart = first === undefined ? 0 : newCount === 0 ? first.newLine - 1 : first.newLine;
    hunks.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@\n${slice.map(render).join('')}`);
    index = stop;
  }
  // Only the final newline differs: no line changed, so say it once.
  if (hunks.length === 0) return `--- ${oldName}\n+++ ${newName}\n\\ No newline at end of file\n`;
  return `--- ${oldName}\n+++ ${newName}\n${hunks.join('')}`;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function diffLines(a: readonly string[], b: readonly string[]): Line[] {
  // Common prefix and suffix first: fixes touch a few lines of long files.
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const out: Line[] = [];
  let oldLine = 1;
  let newLine = 1;
  const push = (kind: Line['kind'], text: string): void => {
    out.push({ kind, text, oldLine, newLine });
    if (kind !== '+') oldLine++;
    if (kind !== '-') newLine++;
  };
  for (let i = 0; i < prefix; i++) push(' ', a[i] ?? '');
  const n = middleA.length;
  const m = middleB.length;
  if (n * m > MAX_CELLS) {
    for (const line of middleA) push('-', line);
    for (const line of middleB) push('+', line);
  } else {
    // lengths[i][j]: LCS of middleA[i..] and middleB[j..].
    const lengths = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      const row = lengths[i] as Uint32Array;
      const below = lengths[i + 1] as Uint32Array;
      for (let j = m - 1; j >= 0; j--) row[j] = middleA[i] === middleB[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && middleA[i] === middleB[j]) {
        push(' ', middleA[i] ?? '');
        i++;
        j++;
      } else if (j < m && (i === n || (lengths[i + 1] as Uint32Array)[j]! < (lengths[i] as Uint32Array)[j + 1]!)) {
        push('+', middleB[j] ?? '');
        j++;
      } else {
        push('-', middleA[i] ?? '');
        i++;
      }
    }
  }
  for (let i = a.length - suffix; i < a.length; i++) push(' ', a[i] ?? '');
  return out;
}
