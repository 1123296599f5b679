/**
 * The position index of a document read by js-yaml (fastYaml.ts) or by the
 * quick reader (quickYaml.ts): a preorder table of nodes. Node i's children
 * are i+1, ends[i+1], ends[ends[i+1]], … up to ends[i]; a mapping's children
 * alternate key, value. Three typed arrays and one array of scalar values per
 * document are the whole index: no object per node, and nothing is turned
 * into lines until a finding asks (`locate`).
 */
import type { FieldPath, LocatedPosition, PositionIndex } from '../model/types.js';
import type { SourceText } from './sourceText.js';

export const NONE = 0;
export const SCALAR = 1;
export const SEQUENCE = 2;
export const MAPPING = 3;
export const WRAPPER = 4;
export const IRREGULAR = 5;

/** The position table of one document. Offsets are relative to the parsed slice. */
export interface NodeTable {
  readonly starts: Int32Array;
  /** Preorder index just past the node's last descendant. */
  readonly ends: Int32Array;
  readonly kinds: Uint8Array;
  /** Scalar values by node, for matching mapping keys. */
  readonly scalars: readonly unknown[];
}

/** Positions of one document from its node table. */
export class TablePositionIndex implements PositionIndex {
  constructor(
    private readonly table: NodeTable,
    /** Offset of the parsed slice in the file. */
    private readonly base: number,
    private readonly source: SourceText,
  ) {}

  locate(path: FieldPath): LocatedPosition {
    const { starts, ends, kinds, scalars } = this.table;
    let node = 0;
    let offset = starts[0] as number;
    let exact = true;
    for (const segment of path) {
      while (kinds[node] === WRAPPER) node++;
      const kind = kinds[node];
      const end = ends[node] as number;
      let next = -1;
      if (kind === MAPPING) {
        // The last occurrence of a repeated key is the one whose value was kept.
        const wanted = String(segment);
        for (let key = node + 1; key < end; ) {
          const value = ends[key] as number;
          if (value >= end) break;
          if (kinds[key] === SCALAR && String(scalars[key]) === wanted) {
            next = value;
            offset = starts[key] as number;
          }
          key = ends[value] as number;
        }
      } else if (kind === SEQUENCE && typeof segment === 'number') {
        let item = node + 1;
        for (let index = 0; index < segment && item < end; index++) item = ends[item] as number;
        if (segment >= 0 && item < end) {
          next = item;
          offset = starts[item] as number;
        }
      }
      if (next === -1) {
        exact = false;
        break;
      }
      node = next;
    }
    const position = this.source.nodePosition(this.base + offset);
    return { line: position.line, column: position.column, exact };
  }
}
