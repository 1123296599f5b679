/**
 * Test support: compares the positions a parsed file reports with those of
 * the `yaml` package's AST, converted to line and column by the package's
 * own LineCounter, so neither our line table nor our index is trusted. Used
 * by the unit tests and by the differential test over the real-world corpus.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';
import type { FieldPath } from '../model/types.js';
import type { ParsedFile } from './yamlDocuments.js';

export interface PositionComparison {
  /** Positions compared. */
  readonly compared: number;
  /** Documents compared, by parser. */
  readonly documents: { readonly quick: number; readonly 'js-yaml': number; readonly yaml: number };
  /** One line per disagreement (document count, or a position). */
  readonly differences: string[];
}

interface Expectation {
  readonly path: FieldPath;
  readonly offset: number;
}

/**
 * Every mapping key and sequence item of a `yaml` AST, with the offset the
 * position contract names: the key's start for a mapping member, the item's
 * start for a sequence item. A repeated key counts once, at its last
 * occurrence: the one whose value was kept.
 */
function expectations(root: YamlNode | null): Expectation[] {
  const found: Expectation[] = [];
  const visit = (node: unknown, at: FieldPath): void => {
    if (isMap(node)) {
      const last = new Map<string, (typeof node.items)[number]>();
      for (const pair of node.items) {
        // Merge keys (`<<`) are not members of the merged mapping.
        if (isScalar(pair.key) && typeof pair.key.value !== 'symbol' && typeof pair.key.value !== 'object') last.set(String(pair.key.value), pair);
      }
      for (const [key, pair] of last) {
        found.push({ path: [...at, key], offset: (pair.key as YamlNode).range?.[0] ?? -1 });
        visit(pair.value, [...at, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        found.push({ path: [...at, index], offset: (item as YamlNode | null)?.range?.[0] ?? -1 });
        visit(item, [...at, index]);
      });
    }
  };
  if (root !== null) {
    found.push({ path: [], offset: root.range?.[0] ?? -1 });
    visit(root, []);
  }
  return found;
}

export function comparePositions(text: string, parsed: ParsedFile, label = ''): PositionComparison {
  const lineCounter = new LineCounter();
  const reference = parseAllDocuments(text, { lineCounter, merge: true, uniqueKeys: false });
  const referenceDocuments = Array.isArray(reference) ? reference : [];
  const differences: string[] = [];
  const documents = { quick: 0, 'js-yaml': 0, yaml: 0 };
  let compared = 0;
  if (parsed.documentCount !== referenceDocuments.length) {
    differences.push(`${label}: ${parsed.documentCount} documents, the yaml package counts ${referenceDocuments.length}`);
  }
  for (const document of parsed.documents) {
    documents[document.parser]++;
    const referenceDocument = referenceDocuments[document.index];
    if (referenceDocument === undefined) {
      differences.push(`${label}#${document.index}: no such document in the yaml package's reading`);
      continue;
    }
    for (const expectation of expectations(referenceDocument.contents as YamlNode | null)) {
      const expected = lineCounter.linePos(expectation.offset);
      const actual = document.positions.locate(expectation.path);
      compared++;
      if (!actual.exact || actual.line !== expected.line || actual.column !== expected.col) {
        differences.push(
          `${label}#${document.index} ${JSON.stringify(expectation.path)}: ${document.parser} says ${actual.line}:${actual.column}${actual.exact ? '' : ' (inexact)'}, the yaml AST ${expected.line}:${expected.col}`,
        );
      }
    }
  }
  return { compared, documents, differences };
}
