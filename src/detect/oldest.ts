/**
 * The oldest key of a Map or Set (insertion order), found in constant
 * amortized time.
 *
 * The obvious `map.keys().next()` is not constant time in V8: a Map or Set
 * keeps deleted entries as holes until its table is rebuilt, and a new
 * iterator starts at the first slot, so it steps over every hole that
 * evicting the oldest entries has left at the front. For a collection bounded
 * at 500,000 entries that was 50-90 microseconds per eviction, twice per
 * audit event in `detect serve` (BENCHMARKS.md (k.4)). This cursor keeps one
 * iterator for the life of the collection, so each hole is stepped over once.
 * JavaScript iterators over a Map or Set are live: they see entries added
 * after them and follow the table when it is rebuilt.
 *
 * The contract: the caller deletes the key it is given before it asks again
 * (every position before the cursor is then deleted, so the first live entry
 * after it is the oldest).
 */
export class OldestCursor<K> {
  private iterator: Iterator<K>;

  constructor(private readonly collection: { keys(): IterableIterator<K> }) {
    this.iterator = collection.keys();
  }

  /** The oldest key, or undefined when the collection is empty. */
  next(): K | undefined {
    let step = this.iterator.next();
    // An iterator that reached the end stays done, even when entries are added later: start a new one.
    if (step.done === true) {
      this.iterator = this.collection.keys();
      step = this.iterator.next();
    }
    return step.done === true ? undefined : step.value;
  }
}
