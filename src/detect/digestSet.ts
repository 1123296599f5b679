/**
 * A bounded set of 128-bit event digests, outside the JavaScript heap.
 *
 * `detect serve` remembers the keys of the last half million events, so an
 * API server's retry of a batch is recognised and not processed twice. As
 * JavaScript strings in a Set that was about 70 MB of heap (the keys, the
 * Set's table, and a second Set of processed keys), which every full
 * collection had to mark and which V8 then let the old generation grow
 * past; here a key is 16 bytes in a typed array, 20 MB in all.
 *
 * Generations (five by default), each an open-addressing table with linear
 * probing filled to at most half: new keys go into the newest; when it is
 * half full, the oldest is emptied and becomes the newest. So the set
 * remembers at least the last (generations - 1) × table/2 keys, with no
 * per-key eviction; for 500,000 keys that is 5 tables of 4 MB. A key is 32 lowercase hex digits (the
 * first 128 bits of a SHA-256, see eventList.ts); any other string is hashed
 * to one first, so the set takes any string.
 */
import { hash } from 'node:crypto';

const LANES = 4;

/** Reads 32 lowercase hex digits into four 32-bit lanes; false for anything else. */
function hexLanes(hex: string, out: Uint32Array): boolean {
  if (hex.length !== 32) return false;
  for (let lane = 0; lane < LANES; lane++) {
    let value = 0;
    for (let index = lane * 8; index < lane * 8 + 8; index++) {
      const code = hex.charCodeAt(index);
      const digit = code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1;
      if (digit < 0) return false;
      value = value * 16 + digit;
    }
    out[lane] = value;
  }
  return true;
}
/** The last lane of a stored digest is odd, so a stored digest is never all zeros (empty) or a tombstone (even). */
const TOMBSTONE = 2;

class Table {
  readonly slots: Uint32Array;
  readonly mask: number;
  /** Slots in use, tombstones included. */
  used = 0;
  constructor(capacity: number) {
    this.slots = new Uint32Array(capacity * LANES);
    this.mask = capacity - 1;
  }

  /** The slot of the digest, or, when it is not there, -1 - the empty slot where it would go. */
  find(a: number, b: number, c: number, d: number): number {
    const { slots, mask } = this;
    for (let slot = (a ^ Math.imul(b, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const base = slot * LANES;
      const last = slots[base + 3]!;
      if (last === 0 && slots[base] === 0 && slots[base + 1] === 0 && slots[base + 2] === 0) return -1 - slot;
      if (last === d && slots[base] === a && slots[base + 1] === b && slots[base + 2] === c) return slot;
    }
  }

  clear(): void {
    this.slots.fill(0);
    this.used = 0;
  }
}

export class DigestSet {
  /** The newest table is `tables[current]`; the one after it (cyclically) is the oldest. */
  private readonly tables: Table[];
  private current = 0;
  private readonly generationSize: number;
  private readonly lanes = new Uint32Array(LANES);

  /**
   * Remembers at least the last `remember` keys, in `generations` tables
   * (each filled to half its capacity, a power of two): memory is
   * generations / (generations - 1) × 32 bytes × remember, rounded up.
   */
  constructor(remember: number, generations = 5) {
    let capacity = 16;
    while ((capacity / 2) * (generations - 1) < remember) capacity *= 2;
    this.generationSize = capacity / 2;
    this.tables = Array.from({ length: generations }, () => new Table(capacity));
  }

  /** Slots in use in all generations (tombstones included). */
  get size(): number {
    return this.tables.reduce((sum, table) => sum + table.used, 0);
  }

  private digest(key: string): Uint32Array {
    const lanes = this.lanes;
    if (!hexLanes(key, lanes)) hexLanes(hash('sha256', key, 'hex').slice(0, 32), lanes);
    lanes[3] = lanes[3]! | 1;
    return lanes;
  }

  private contains(a: number, b: number, c: number, d: number): boolean {
    for (const table of this.tables) if (table.used > 0 && table.find(a, b, c, d) >= 0) return true;
    return false;
  }

  has(key: string): boolean {
    const lanes = this.digest(key);
    return this.contains(lanes[0]!, lanes[1]!, lanes[2]!, lanes[3]!);
  }

  add(key: string): void {
    const lanes = this.digest(key);
    const a = lanes[0]!, b = lanes[1]!, c = lanes[2]!, d = lanes[3]!;
    if (this.contains(a, b, c, d)) return;
    // The newest table is half full: the oldest is forgotten, emptied, and becomes the newest.
    if (this.tables[this.current]!.used >= this.generationSize) {
      this.current = (this.current + 1) % this.tables.length;
      this.tables[this.current]!.clear();
    }
    const table = this.tables[this.current]!;
    const base = (-1 - table.find(a, b, c, d)) * LANES;
    table.slots[base] = a;
    table.slots[base + 1] = b;
    table.slots[base + 2] = c;
    table.slots[base + 3] = d;
    table.used++;
  }

  /** Forgets a key (an append that failed: the event must be taken again when it is sent again). */
  delete(key: string): void {
    const lanes = this.digest(key);
    const a = lanes[0]!, b = lanes[1]!, c = lanes[2]!, d = lanes[3]!;
    for (const table of this.tables) {
      const slot = table.used > 0 ? table.find(a, b, c, d) : -1;
      // A tombstone keeps the probe chains through this slot intact; it counts as used until the table is emptied.
      if (slot >= 0) table.slots.fill(0, slot * LANES, slot * LANES + 3).fill(TOMBSTONE, slot * LANES + 3, slot * LANES + 4);
    }
  }
}
