/**
 * A fixed-size table of keys (addresses and prefixes as bytes, process ids) in
 * typed arrays, with an exact least-recently-used order over its slots: the
 * detector's memory for a million attackers without a JavaScript object per
 * attacker, and the filters' open connections (filters/connections.ts).
 *
 * A key is a tag and four 32-bit words (an IPv4 address uses the first word).
 * Keys live in one Uint32Array, five words per slot; an open-addressing hash
 * table (linear probing, at most half full) maps a key to its slot; the LRU
 * order is a doubly linked list of slot indices in two Int32Arrays. When every
 * slot is taken, inserting takes the least recently used one, and the owner is
 * told (`evict`) so it can release what it kept for it. A key removed
 * (`remove`) frees its slot for the next insert. The table starts small
 * and doubles up to `max`, telling the owner (`grow`) so its own per-slot
 * arrays follow: an idle daemon does not pay for the cap it may never reach.
 */

/** The owner of the per-slot data: told when slots are added or reused. */
export interface SlabOwner {
  /** The slab now has `capacity` slots: per-slot arrays must hold that many (slot numbers are kept). */
  grow(capacity: number): void;
  /** `slot` is about to be reused for another key: forget what it held. */
  evict(slot: number): void;
}

const WORDS = 5;
const EMPTY = -1;
const INITIAL = 1024;

export class AddressSlab {
  /** Slots in use. */
  size = 0;
  /** Slots ever handed out (0…used-1); those removed since wait in `free`. */
  private used = 0;
  private readonly free: number[] = [];
  evictions = 0;
  capacity: number;
  private keys: Uint32Array;
  /**
   * Per bucket, side by side (one cache line for both): slot + 1 (0: empty) at 2b, and the
   * key's hash at 2b + 1, which probes and deletions compare without reading the keys.
   */
  private table: Int32Array;
  private mask: number;
  /** Per slot, side by side: the previous (2s) and next (2s + 1) slot in LRU order. */
  private links: Int32Array;
  /** Most and least recently used slots. */
  private head = EMPTY;
  private tail = EMPTY;

  constructor(
    readonly max: number,
    private readonly owner: SlabOwner,
  ) {
    if (!(max >= 1) || !Number.isInteger(max))
      throw new RangeError('max must be a positive integer');
    this.capacity = Math.min(max, INITIAL);
    this.keys = new Uint32Array(this.capacity * WORDS);
    this.links = new Int32Array(this.capacity * 2);
    const buckets = tableSize(this.capacity);
    this.table = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
    owner.grow(this.capacity);
  }

  /** The slot of the key, or -1. Does not change the LRU order. */
  find(tag: number, w0: number, w1: number, w2: number, w3: number): number {
    const keys = this.keys;
    const h = hash(tag, w0, w1, w2, w3);
    for (let b = h & this.mask; ; b = (b + 1) & this.mask) {
      const s = this.table[2 * b]! - 1;
      if (s === EMPTY) return EMPTY;
      if (this.table[2 * b + 1] !== h) continue;
      const k = s * WORDS;
      if (
        keys[k] === tag &&
        keys[k + 1] === w0 &&
        keys[k + 2] === w1 &&
        keys[k + 3] === w2 &&
        keys[k + 4] === w3
      )
        return s;
    }
  }

  /** Marks the slot as the most recently used. */
  touch(slot: number): void {
    if (slot === this.head) return;
    this.unlink(slot);
    this.pushHead(slot);
  }

  /**
   * A slot for a key that `find` did not find, as the most recently used: a new one while
   * there is room, else the least recently used one (evicted).
   */
  insert(tag: number, w0: number, w1: number, w2: number, w3: number): number {
    if (this.used === this.capacity && this.capacity < this.max && this.free.length === 0)
      this.resize();
    let slot: number;
    if (this.free.length > 0) {
      slot = this.free.pop()!;
      this.size++;
    } else if (this.used < this.capacity) {
      slot = this.used++;
      this.size++;
    } else {
      slot = this.tail;
      this.owner.evict(slot);
      this.evictions++;
      this.removeFromTable(slot);
      this.unlink(slot);
    }
    const k = slot * WORDS;
    this.keys[k] = tag;
    this.keys[k + 1] = w0;
    this.keys[k + 2] = w1;
    this.keys[k + 3] = w2;
    this.keys[k + 4] = w3;
    this.place(slot);
    this.pushHead(slot);
    return slot;
  }

  /** Forgets the key of `slot` (found by `find`): the slot is the next one `insert` takes. */
  remove(slot: number): void {
    this.removeFromTable(slot);
    this.unlink(slot);
    this.free.push(slot);
    this.size--;
  }

  /** The words of a slot's key (tag first). */
  key(slot: number): Uint32Array {
    return this.keys.subarray(slot * WORDS, slot * WORDS + WORDS);
  }

  private place(slot: number): void {
    const h = this.hashOf(slot);
    let b = h & this.mask;
    while (this.table[2 * b] !== 0) b = (b + 1) & this.mask;
    this.table[2 * b] = slot + 1;
    this.table[2 * b + 1] = h;
  }

  private hashOf(slot: number): number {
    const k = slot * WORDS;
    const keys = this.keys;
    return hash(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, keys[k + 4]!);
  }

  /** Deletion without tombstones: later entries of the probe run move back into the hole. */
  private removeFromTable(slot: number): void {
    const { table, mask } = this;
    let hole = this.hashOf(slot) & mask;
    while (table[2 * hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let b = (hole + 1) & mask; table[2 * b] !== 0; b = (b + 1) & mask) {
      const home = table[2 * b + 1]! & mask;
      // The entry may move into the hole unless its home lies cyclically in (hole, b].
      if (((b - home) & mask) >= ((b - hole) & mask)) {
        table[2 * hole] = table[2 * b]!;
        table[2 * hole + 1] = table[2 * b + 1]!;
        hole = b;
      }
    }
    table[2 * hole] = 0;
  }

  private unlink(slot: number): void {
    const links = this.links;
    const p = links[2 * slot]!;
    const n = links[2 * slot + 1]!;
    if (p === EMPTY) this.head = n;
    else links[2 * p + 1] = n;
    if (n === EMPTY) this.tail = p;
    else links[2 * n] = p;
  }

  private pushHead(slot: number): void {
    this.links[2 * slot] = EMPTY;
    this.links[2 * slot + 1] = this.head;
    if (this.head === EMPTY) this.tail = slot;
    else this.links[2 * this.head] = slot;
    this.head = slot;
  }

  private resize(): void {
    const capacity = Math.min(this.max, this.capacity * 2);
    this.keys = grown(this.keys, capacity * WORDS);
    this.links = grown(this.links, capacity * 2);
    const buckets = tableSize(capacity);
    this.table = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
    this.capacity = capacity;
    for (let s = this.head; s !== EMPTY; s = this.links[2 * s + 1]!) this.place(s);
    this.owner.grow(capacity);
  }

  /** Slots from the most to the least recently used. */
  *slots(): Generator<number> {
    for (let s = this.head; s !== EMPTY; s = this.links[2 * s + 1]!) yield s;
  }
}

/** A power of two at least twice the slots: probe runs stay short. */
function tableSize(capacity: number): number {
  let n = 2;
  while (n < capacity * 2) n *= 2;
  return n;
}

/** A copy of `a` with room for `length` values (the rest zero). */
export function grown<T extends Uint32Array | Int32Array | Float64Array | Uint8Array>(
  a: T,
  length: number,
): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/** Mixes the key into 32 bits (murmur3's finaliser over a running combination). */
function hash(tag: number, w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(tag ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ w0, 0xcc9e2d51);
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593) ^ w1;
  h = Math.imul((h << 13) | (h >>> 19), 0xcc9e2d51) ^ w2;
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593) ^ w3;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
