/**
 * js-yaml, for the documents the quick reader (quickYaml.ts) leaves, with its
 * event listener recording where every node starts.
 *
 * js-yaml reports an `open` event when it starts composing a node and a
 * `close` event when the node is done. Numbering nodes in `open` order gives
 * the preorder node table of nodeTable.ts directly.
 *
 * Quirks of js-yaml's events, and how the table absorbs them:
 * - A block mapping first tries to read a key. When the "key" turns out to be
 *   the whole node (a flow collection or a scalar on its own line), js-yaml
 *   keeps it, so the node appears twice, nested: a WRAPPER entry whose only
 *   child has the same result. `locate` steps through wrappers.
 * - A block mapping that ends at a document marker records one more, empty,
 *   attempt at a key: a trailing child of kind NONE.
 * - A node whose children do not line up with its value (an empty item `-`
 *   has no node of its own; an explicit `? key` without a value, flow pairs
 *   `[a: 1]`) is IRREGULAR: `locate` stops there rather than guess, and the
 *   document goes to the careful path, whose AST is exact, when it is small
 *   enough for it.
 * - Anchors and aliases are resolved by js-yaml as shared references, which
 *   a "billion laughs" document turns into an exponential tree for whoever
 *   walks it; such documents go to the careful path, which bounds expansion.
 *
 * Merge keys (`<<`) are applied, as Kubernetes' YAML 1.1 decoder does; the
 * merged members have no position of their own, so `locate` answers with the
 * mapping that holds them.
 */
import jsYaml from 'js-yaml';
import { IRREGULAR, MAPPING, NONE, SCALAR, SEQUENCE, WRAPPER, growColumns, type NodeView } from './nodeTable.js';

const SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [(jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge] });

export interface FastDocument {
  readonly value: unknown;
  /** Valid until the next parse (FileNodes copies it). */
  readonly nodes: NodeView;
}

export interface DuplicateKey {
  /** Which document of the slice. */
  readonly document: number;
  readonly key: string;
  /** Offset of the repeated key in the slice. */
  readonly offset: number;
  readonly firstOffset: number;
}

export type FastResult =
  | {
      readonly kind: 'documents';
      readonly documents: FastDocument[];
      readonly duplicateKeys: DuplicateKey[];
      /** Anchors were used: the values share subtrees, and their expansion is not bounded here. */
      readonly anchors: boolean;
      /** Some node's position is not exact (see IRREGULAR). */
      readonly irregular: boolean;
    }
  | { readonly kind: 'too-deep'; readonly offset: number }
  /** js-yaml rejected the slice. */
  | { readonly kind: 'error'; readonly message: string; readonly offset: number };

interface ListenerState {
  readonly position: number;
  readonly kind: string | null;
  readonly result: unknown;
  readonly anchor?: string | null;
}

class Recorder {
  starts = new Int32Array(4096);
  ends = new Int32Array(4096);
  kinds = new Uint8Array(4096);
  scalars: unknown[] = [];
  count = 0;
  private readonly stack: number[] = [];
  roots: number[] = [];
  private lastResult: unknown = undefined;
  anchors = false;
  irregular = false;

  reset(): void {
    this.count = 0;
    this.scalars.length = 0;
    this.stack.length = 0;
    this.roots = [];
    this.lastResult = undefined;
    this.anchors = false;
    this.irregular = false;
  }

  readonly listener = (event: string, state: ListenerState): void => {
    if (event === 'open') {
      const index = this.count++;
      if (index === this.starts.length) this.grow();
      this.starts[index] = state.position;
      this.stack.push(index);
      return;
    }
    const index = this.stack.pop() as number;
    const end = this.count;
    this.ends[index] = end;
    const kind = state.kind;
    const result = state.result;
    let code = NONE;
    if (kind === 'scalar') {
      code = SCALAR;
      this.scalars[index] = result;
    } else if (kind === 'mapping' || kind === 'sequence') {
      const first = index + 1;
      if (first < end && this.ends[first] === end && this.lastResult === result) code = WRAPPER;
      else if (kind === 'mapping') code = this.pairsLineUp(index, end) ? MAPPING : IRREGULAR;
      else code = this.itemsLineUp(index, end, result) ? SEQUENCE : IRREGULAR;
      if (code === IRREGULAR) this.irregular = true;
    }
    this.kinds[index] = code;
    if (state.anchor !== null && state.anchor !== undefined) this.anchors = true;
    this.lastResult = result;
    if (this.stack.length === 0) this.roots.push(index);
  };

  /** Children alternate key, value; an odd one out must be the empty attempt at a key that ends a mapping. */
  private pairsLineUp(index: number, end: number): boolean {
    let child = index + 1;
    let count = 0;
    let last = -1;
    while (child < end) {
      count++;
      last = child;
      child = this.ends[child] as number;
    }
    return (count & 1) === 0 || this.kinds[last] === NONE;
  }

  private itemsLineUp(index: number, end: number, result: unknown): boolean {
    let child = index + 1;
    let count = 0;
    while (child < end) {
      count++;
      child = this.ends[child] as number;
    }
    return Array.isArray(result) && count === result.length;
  }

  private grow(): void {
    growColumns(this);
  }

  view(root: number): NodeView {
    return { starts: this.starts, ends: this.ends, kinds: this.kinds, scalars: this.scalars, root };
  }
}

/** One recorder for the process: parsing is synchronous, so it is never shared by two parses at once. */
const recorder = new Recorder();

export function parseFast(slice: string, maxDepth: number): FastResult {
  let values: unknown[];
  let duplicatesAllowed = false;
  try {
    values = load(slice, maxDepth, false);
  } catch (error) {
    const problem = describeError(error);
    if (/nesting exceeded maxDepth/.test(problem.message)) return { kind: 'too-deep', offset: problem.offset };
    if (!/duplicated mapping key/.test(problem.message)) return { kind: 'error', ...problem };
    // Kubernetes' decoders keep the last value of a repeated key; read it that way and report every repeat.
    try {
      values = load(slice, maxDepth, true);
      duplicatesAllowed = true;
    } catch (second) {
      return { kind: 'error', ...describeError(second) };
    }
  }
  const roots = recorder.roots;
  if (roots.length !== values.length) return { kind: 'error', message: 'js-yaml reported documents its events did not show', offset: 0 };
  const documents = values.map((value, index) => ({ value, nodes: recorder.view(roots[index] as number) }));
  const duplicateKeys = duplicatesAllowed ? documents.flatMap((document, index) => findDuplicateKeys(document.nodes, index).sort((a, b) => a.offset - b.offset)) : [];
  return { kind: 'documents', documents, duplicateKeys, anchors: recorder.anchors, irregular: recorder.irregular };
}

function load(slice: string, maxDepth: number, duplicatesAllowed: boolean): unknown[] {
  recorder.reset();
  return jsYaml.loadAll(slice, undefined, {
    schema: SCHEMA,
    // The limit counts collections; js-yaml counts every node, the scalar leaf included, and a wrapper
    // adds one more. So the fast path may let through one level more than the careful path, never less.
    maxDepth: maxDepth + 2,
    json: duplicatesAllowed,
    listener: recorder.listener as unknown as jsYaml.LoadOptions['listener'],
  } as jsYaml.LoadOptions & { maxDepth: number });
}

function describeError(error: unknown): { message: string; offset: number } {
  if (error instanceof jsYaml.YAMLException) {
    const mark = error.mark as { position?: number } | undefined;
    return { message: error.reason, offset: mark?.position ?? 0 };
  }
  return { message: error instanceof Error ? error.message : String(error), offset: 0 };
}

function findDuplicateKeys(view: NodeView, document: number): DuplicateKey[] {
  const { starts, ends, kinds, scalars, root } = view;
  const duplicates: DuplicateKey[] = [];
  const last = ends[root] as number;
  for (let node = root; node < last; node++) {
    if (kinds[node] !== MAPPING) continue;
    const seen = new Map<string, number>();
    const end = ends[node] as number;
    for (let key = node + 1; key < end; ) {
      const value = ends[key] as number;
      if (value >= end) break;
      if (kinds[key] === SCALAR) {
        const name = String(scalars[key]);
        const first = seen.get(name);
        if (first === undefined) seen.set(name, key);
        else duplicates.push({ document, key: name, offset: starts[key] as number, firstOffset: starts[first] as number });
      }
      key = ends[value] as number;
    }
  }
  return duplicates;
}
