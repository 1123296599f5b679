/**
 * A finding's fix as a text replacement in its file, for SARIF `fixes`: the
 * fix alone is applied to the file's text with `fixText` (the same code
 * `rampart fix` runs), and the lines that changed become one replacement.
 */
import { readFile } from 'node:fs/promises';
import type { Finding } from '../model/types.js';
import { fixDocumentAlone, prepareFile, type PreparedFile } from './apply.js';
import type { ObjectPlaces } from './plan.js';

/** Lines are 1-based; the end is exclusive (`endLine`/`endColumn` name the first character kept). */
export interface TextReplacement {
  readonly file: string;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly text: string;
}

/**
 * The replacement of each fixable finding whose fix applies cleanly on its own.
 * Findings whose file cannot be read or edited (templates, anchors, JSON, a
 * missing resource default) get none: SARIF then simply carries no fix.
 */
export async function findingReplacements(findings: readonly Finding[], places: ObjectPlaces, defaults: Readonly<Record<string, string>>): Promise<Map<Finding, TextReplacement>> {
  const out = new Map<Finding, TextReplacement>();
  const files = new Map<string, PreparedFile | null>();
  for (const finding of findings) {
    if (finding.fix === undefined) continue;
    const pathInDocument = places.find(finding);
    if (pathInDocument === undefined || pathInDocument === null) continue;
    const file = finding.location.file;
    if (!files.has(file)) {
      const text = await readFile(file, 'utf8').catch(() => null);
      files.set(file, text === null ? null : prepareFile(text));
    }
    const prepared = files.get(file);
    if (prepared === null || prepared === undefined || prepared.status !== 'ready') continue;
    const fix = { documentIndex: finding.location.documentIndex, pathInDocument, kind: finding.object.kind, name: finding.object.name, edits: finding.fix };
    const changed = fixDocumentAlone(prepared, fix, defaults);
    if (changed === undefined) continue;
    const before = prepared.text.slice(changed.start, changed.end);
    const replacement = lineReplacement(file, before, changed.text);
    if (replacement === undefined) continue;
    // Lines of the document's own text, moved to where the document starts in the file.
    const offset = lineOf(prepared.text, changed.start) - 1;
    const atDocumentStart = (line: number): number => line + offset;
    const startColumnShift = replacement.startLine === 1 ? columnOf(prepared.text, changed.start) - 1 : 0;
    const endColumnShift = replacement.endLine === 1 ? columnOf(prepared.text, changed.start) - 1 : 0;
    out.set(finding, {
      ...replacement,
      startLine: atDocumentStart(replacement.startLine),
      startColumn: replacement.startColumn + startColumnShift,
      endLine: atDocumentStart(replacement.endLine),
      endColumn: replacement.endColumn + endColumnShift,
    });
  }
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function columnOf(text: string, offset: number): number {
  if (offset === 0) return 1;
  return offset - (text.lastIndexOf('\n', offset - 1) + 1) + 1;
}

/** The smallest run of whole lines that turns `before` into `after`. */
export function lineReplacement(file: string, before: string, after: string): TextReplacement | undefined {
  if (before === after) return undefined;
  const old = before.split('\n');
  const next = after.split('\n');
  let prefix = 0;
  while (prefix < old.length && prefix < next.length && old[prefix] === next[prefix]) prefix++;
  let suffix = 0;
  while (suffix < old.length - prefix && suffix < next.length - prefix && old[old.length - 1 - suffix] === next[next.length - 1 - suffix]) suffix++;
  const removedEnd = old.length - suffix; // exclusive index of the first line kept after the change
  const inserted = next.slice(prefix, next.length - suffix);
  if (removedEnd < old.length) {
    // Whole lines up to the start of the first kept line.
    return { file, startLine: prefix + 1, startColumn: 1, endLine: removedEnd + 1, endColumn: 1, text: inserted.map((line) => `${line}\n`).join('') };
  }
  // The change reaches the end of a file without a final newline: end at its last character.
  const lastLine = old.length;
  const startsPastEnd = prefix >= old.length;
  return {
    file,
    startLine: startsPastEnd ? lastLine : prefix + 1,
    startColumn: startsPastEnd ? (old[lastLine - 1]?.length ?? 0) + 1 : 1,
    endLine: lastLine,
    endColumn: (old[lastLine - 1]?.length ?? 0) + 1,
    text: (startsPastEnd ? '\n' : '') + inserted.join('\n'),
  };
}
