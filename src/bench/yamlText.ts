/**
 * Configuration files of node components (static pod manifests,
 * KubeletConfiguration, audit policies…) are small; they are parsed with the
 * `yaml` package, which bounds alias expansion and gives every node's line.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';

export interface ParsedYaml {
  readonly value: unknown;
  /** 1-based line of the node at a path of keys and indexes, or of its deepest existing ancestor. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export type YamlParse = { ok: true; documents: ParsedYaml[] } | { ok: false; error: string };

const MAX_ALIAS_COUNT = 100;

export function parseYamlText(text: string): YamlParse {
  const lineCounter = new LineCounter();
  let documents;
  try {
    documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (!Array.isArray(documents)) return { ok: true, documents: [] };
  const parsed: ParsedYaml[] = [];
  for (const document of documents) {
    const firstError = document.errors[0];
    if (firstError !== undefined) {
      const line = firstError.linePos?.[0]?.line;
      return { ok: false, error: `${line === undefined ? '' : `line ${line}: `}${firstError.message.split('\n')[0] ?? ''}` };
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const root = document.contents;
    parsed.push({
      value,
      lineOf(path) {
        let node: Node | null = root as Node | null;
        let line: number | undefined = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
        for (const segment of path) {
          if (node === null) break;
          if (isMap(node)) {
            const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
            if (pair === undefined) break;
            const key = pair.key as Node;
            if (key.range) line = lineCounter.linePos(key.range[0]).line;
            node = (pair.value as Node | null) ?? null;
          } else if (isSeq(node) && typeof segment === 'number') {
            const item = node.items[segment] as Node | undefined;
            if (item === undefined) break;
            if (item.range) line = lineCounter.linePos(item.range[0]).line;
            node = item;
          } else break;
        }
        return line;
      },
    });
  }
  return { ok: true, documents: parsed };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
