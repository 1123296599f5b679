/**
 * The position index of a document read by js-yaml (fastYaml.ts) or by the
 * quick reader (quickYaml.ts): a preorder table of nodes. Node i's children
 * are i+1, end(i+1), end(end(i+1)), … up to end(i); a mapping's children
 * alternate key, value. Each node is two integers, its start offset and its
 * end packed with its kind; every document of a file shares one Int32Array
 * and one array of scalar values. No object per node, one typed array per
 * file, and nothing is turned into lines until a finding asks (`locate`).
 */
import type { FieldPath, LocatedPosition, PositionIndex } from '../model/types.js';
import type { SourceText } from './sourceText.js';

export const NONE = 0;
export const SCALAR = 1;
export const SEQUENCE = 2;
export const MAPPING = 3;
export const WRAPPER = 4;
export const IRREGULAR = 5;

/**
 * A parser's nodes for one document, in its scratch arrays, valid until its
 * next parse: nodes `root` to `ends[root] - 1`, `ends` counted from 0 like the
 * indexes.
 */
/** The growable columns both node readers fill while they read a document. */
export interface NodeColumns {
  starts: Int32Array;
  ends: Int32Array;
  kinds: Uint8Array;
}

/** Doubles the capacity of a reader's node columns, keeping what was recorded. */
export function growColumns(columns: NodeColumns): void {
  const size = columns.starts.length * 2;
  const starts = new Int32Array(size);
  starts.set(columns.starts);
  columns.starts = starts;
  const ends = new Int32Array(size);
  ends.set(columns.ends);
  columns.ends = ends;
  const kinds = new Uint8Array(size);
  kinds.set(columns.kinds);
  columns.kinds = kinds;
}

export interface NodeView {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly kinds: Uint8Array;
  /** Scalar values by node, for matching mapping keys. */
  readonly scalars: readonly unknown[];
  readonly root: number;
}

const KIND_SHIFT = 28;
const END_MASK = (1 << KIND_SHIFT) - 1;

/**
 * The nodes of every document of one file, three integers per node: start offset, end packed with
 * kind, and the node's slot in `keys` when it is a scalar mapping key (-1 otherwise). Only keys'
 * values are kept (`locate` matches path segments against keys; values are never looked at), in a
 * dense array: a scan holds every object's table until its report, and a slot per node for every
 * scalar of the file was the larger part of the table's heap.
 */
export class FileNodes {
  private packed = new Int32Array(3 * 1024);
  private readonly keys: unknown[] = [];
  private count = 0;

  /** Copies one document's nodes out of a parser's scratch arrays; returns the file index of its root. */
  add(view: NodeView): number {
    const first = this.count;
    const { starts, ends, kinds, scalars, root } = view;
    const end = ends[root] as number;
    const shift = first - root;
    const needed = 3 * (first + end - root);
    if (needed > this.packed.length) {
      let size = this.packed.length * 2;
      while (size < needed) size *= 2;
      const grown = new Int32Array(size);
      grown.set(this.packed.subarray(0, 3 * first));
      this.packed = grown;
    }
    const packed = this.packed;
    for (let node = root, at = 3 * first; node < end; node++, at += 3) {
      packed[at] = starts[node] as number;
      packed[at + 1] = ((ends[node] as number) + shift) | ((kinds[node] as number) << KIND_SHIFT);
      packed[at + 2] = -1;
    }
    // A mapping's children alternate key and value (WRAPPER and IRREGULAR nodes are not mappings to `locate`).
    for (let node = root; node < end; node++) {
      if (kinds[node] !== MAPPING) continue;
      const mappingEnd = ends[node] as number;
      for (let key = node + 1; key < mappingEnd; ) {
        const value = ends[key] as number;
        if (value >= mappingEnd) break;
        if (kinds[key] === SCALAR) {
          packed[3 * (key + shift) + 2] = this.keys.length;
          this.keys.push(scalars[key]);
        }
        key = ends[value] as number;
      }
    }
    this.count += end - root;
    return first;
  }

  /** Called once every document of the file is added, before any `locate`: gives back the spare capacity. */
  finish(): void {
    this.packed = this.packed.slice(0, 3 * this.count);
  }

  start(node: number): number {
    return this.packed[node * 3] as number;
  }

  end(node: number): number {
    return (this.packed[node * 3 + 1] as number) & END_MASK;
  }

  kind(node: number): number {
    return (this.packed[node * 3 + 1] as number) >>> KIND_SHIFT;
  }

  /** The value of a scalar mapping key, as `String` gives it; undefined for any other node. */
  keyText(node: number): string | undefined {
    const slot = this.packed[node * 3 + 2] as number;
    return slot === -1 ? undefined : String(this.keys[slot]);
  }
}

/** Positions of one document from the node table of its file. */
export class TablePositionIndex implements PositionIndex {
  constructor(
    private readonly nodes: FileNodes,
    private readonly root: number,
    /** Offset of the parsed slice in the file. */
    private readonly base: number,
    private readonly source: SourceText,
  ) {}

  locate(path: FieldPath): LocatedPosition {
    const nodes = this.nodes;
    let node = this.root;
    let offset = nodes.start(node);
    let exact = true;
    for (const segment of path) {
      while (nodes.kind(node) === WRAPPER) node++;
      const kind = nodes.kind(node);
      const end = nodes.end(node);
      let next = -1;
      if (kind === MAPPING) {
        // The last occurrence of a repeated key is the one whose value was kept.
        const wanted = String(segment);
        for (let key = node + 1; key < end; ) {
          const value = nodes.end(key);
          if (value >= end) break;
          if (nodes.keyText(key) === wanted) {
            next = value;
            offset = nodes.start(key);
          }
          key = nodes.end(value);
        }
      } else if (kind === SEQUENCE && typeof segment === 'number') {
        let item = node + 1;
        for (let index = 0; index < segment && item < end; index++) item = nodes.end(item);
        if (segment >= 0 && item < end) {
          next = item;
          offset = nodes.start(item);
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
