/**
 * A bounded set of 128-bit event digests, outside the JavaScript heap.
 *
 * `detect serve` remembers the keys of the last half million events, so an
 * API server's retry of a batch is recognised and not processed twice. As
 * JavaScript strings in a Set that was about 70 MB of heap (the keys, the
 * Set's table, and a second Set of processed keys), which every full
 * collection had to mark and which V8 then let the old generation grow
 * past; here a key is 16 bytes in a typed array.
 *
 * Two generations, each an open-addressing table with linear probing, filled
 * to at most half: new keys go into the current one; when it holds
 * `generationSize` keys, the older one is emptied and becomes the current one.
 * So the set remembers at least the last `generationSize` keys and at most
 * twice that, with no per-key eviction. A key is 32 lowercase hex digits (the
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
  private current: Table;
  private older: Table;
  private readonly generationSize: number;
  private readonly lanes = new Uint32Array(LANES);

  /** Remembers at least the last `generationSize` keys (rounded up to a power of two). */
  constructor(generationSize: number) {
    let capacity = 16;
    while (capacity < generationSize * 2) capacity *= 2;
    this.generationSize = capacity / 2;
    this.current = new Table(capacity);
    this.older = new Table(capacity);
  }

  /** Slots in use in both generations (tombstones included). */
  get size(): number {
    return this.current.used + this.older.used;
  }

  private digest(key: string): Uint32Array {
    const lanes = this.lanes;
    if (!hexLanes(key, lanes)) hexLanes(hash('sha256', key, 'hex').slice(0, 32), lanes);
    lanes[3] = lanes[3]! | 1;
    return lanes;
  }

  has(key: string): boolean {
    const lanes = this.digest(key);
    const a = lanes[0]!, b = lanes[1]!, c = lanes[2]!, d = lanes[3]!;
    return this.current.find(a, b, c, d) >= 0 || this.older.find(a, b, c, d) >= 0;
  }

  add(key: string): void {
    const lanes = this.digest(key);
    const a = lanes[0]!, b = lanes[1]!, c = lanes[2]!, d = lanes[3]!;
    if (this.older.find(a, b, c, d) >= 0) return;
    let found = this.current.find(a, b, c, d);
    if (found >= 0) return;
    // The current table is half full: the older one is forgotten and its table becomes the current one.
    if (this.current.used >= this.generationSize) {
      const emptied = this.older;
      emptied.clear();
      this.older = this.current;
      this.current = emptied;
      found = this.current.find(a, b, c, d);
    }
    const base = (-1 - found) * LANES;
    const slots = this.current.slots;
    slots[base] = a;
    slots[base + 1] = b;
    slots[base + 2] = c;
    slots[base + 3] = d;
    this.current.used++;
  }

  /** Forgets a key (an append that failed: the event must be taken again when it is sent again). */
  delete(key: string): void {
    const lanes = this.digest(key);
    const a = lanes[0]!, b = lanes[1]!, c = lanes[2]!, d = lanes[3]!;
    for (const table of [this.current, this.older]) {
      const slot = table.find(a, b, c, d);
      // A tombstone keeps the probe chains through this slot intact; it counts as used until the table is emptied.
      if (slot >= 0) table.slots.fill(0, slot * LANES, slot * LANES + 3).fill(TOMBSTONE, slot * LANES + 3, slot * LANES + 4);
    }
  }
}
