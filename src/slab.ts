/**
 * A fixed-size table of keys (addresses and prefixes as bytes, process ids) in
 * typed arrays, with an exact least-recently-used order over its slots: the
 * detector's memory for a million attackers without a JavaScript object per
 * attacker, and the filters' open connections (filters/connections.ts).
 *
 * A key is a tag and four 32-bit words (an IPv4 address uses the first word).
 * Each slot is one row of a single buffer: its key, its two LRU links (the order
 * is a doubly linked list of slot indices), then the owner's own fields
 * (`ownerWords` of them, from word OWNER_WORD): a new key touches one row, a
 * few neighbouring cache lines, not one line in each of the owner's arrays. An
 * open-addressing hash table (linear probing, at most half full) maps a key to
 * its slot. When every
 * slot is taken, inserting takes the least recently used one, and the owner is
 * told (`evict`) so it can release what it kept for it. A key removed
 * (`remove`) frees its slot for the next insert. The table starts small
 * and doubles up to `max`, telling the owner (`grow`) so its own per-slot
 * arrays follow: an idle daemon does not pay for the cap it may never reach.
 */

/** The owner of the per-slot data: told when slots are added or reused. */
export interface SlabOwner {
  /**
   * The slab now has `capacity` slots: per-slot arrays must hold that many (slot numbers are
   * kept). `rows` is the slab's new buffer, for views of the owner's words in it.
   */
  grow(capacity: number, rows: ArrayBuffer): void;
  /** `slot` is about to be reused for another key: forget what it held. */
  evict(slot: number): void;
}

/** A row's key (tag, four words), then its previous and next slot in LRU order. */
const KEY_WORDS = 5;
const PREV = 5;
const NEXT = 6;
/** Where the owner's words start in a row (a view of 64-bit values starts one word later). */
export const OWNER_WORD = 7;
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
  /** Words per row: OWNER_WORD and the owner's, rounded up to 64 bits. */
  readonly rowWords: number;
  /** The rows: keys as unsigned words, links as signed ones (two views of one buffer). */
  private keys: Uint32Array<ArrayBuffer>;
  private links: Int32Array<ArrayBuffer>;
  /**
   * Per bucket, side by side (one cache line for both): slot + 1 (0: empty) at 2b, and the
   * key's hash at 2b + 1, which probes and deletions compare without reading the keys.
   */
  private table: Int32Array;
  private mask: number;
  /** Most and least recently used slots. */
  private head = EMPTY;
  private tail = EMPTY;
  /**
   * The next slot to evict and its bucket, looked up right after an eviction, while the line
   * is processed further: the row and the bucket are then in the cache when the next new key
   * needs them (a flood of new keys otherwise waits on two cache misses for each eviction).
   */
  private victim = EMPTY;
  private victimBucket = 0;

  /** `ownerWords`: 32-bit words of the owner's own in each row (slot * rowWords + OWNER_WORD on). */
  constructor(
    readonly max: number,
    private readonly owner: SlabOwner,
    ownerWords = 0,
  ) {
    if (!(max >= 1) || !Number.isInteger(max))
      throw new RangeError('max must be a positive integer');
    this.rowWords = (OWNER_WORD + ownerWords + 1) & ~1;
    this.capacity = Math.min(max, INITIAL);
    this.keys = new Uint32Array(this.capacity * this.rowWords);
    this.links = new Int32Array(this.keys.buffer);
    const buckets = tableSize(this.capacity);
    this.table = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
    owner.grow(this.capacity, this.keys.buffer);
  }

  /** The slot of the key, or -1. Does not change the LRU order. */
  find(tag: number, w0: number, w1: number, w2: number, w3: number): number {
    const keys = this.keys;
    const h = hash(tag, w0, w1, w2, w3);
    for (let b = h & this.mask; ; b = (b + 1) & this.mask) {
      const s = this.table[2 * b]! - 1;
      if (s === EMPTY) return EMPTY;
      if (this.table[2 * b + 1] !== h) continue;
      const k = s * this.rowWords;
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
      if (this.tail !== EMPTY) {
        this.victim = this.tail;
        this.victimBucket = this.bucketOf(this.tail);
      }
    }
    const k = slot * this.rowWords;
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
    return this.keys.subarray(slot * this.rowWords, slot * this.rowWords + KEY_WORDS);
  }

  private place(slot: number): void {
    const h = this.hashOf(slot);
    let b = h & this.mask;
    while (this.table[2 * b] !== 0) b = (b + 1) & this.mask;
    this.table[2 * b] = slot + 1;
    this.table[2 * b + 1] = h;
  }

  private hashOf(slot: number): number {
    const k = slot * this.rowWords;
    const keys = this.keys;
    return hash(keys[k]!, keys[k + 1]!, keys[k + 2]!, keys[k + 3]!, keys[k + 4]!);
  }

  /** The bucket that holds `slot`. */
  private bucketOf(slot: number): number {
    let b = this.hashOf(slot) & this.mask;
    while (this.table[2 * b] !== slot + 1) b = (b + 1) & this.mask;
    return b;
  }

  /** Deletion without tombstones: later entries of the probe run move back into the hole. */
  private removeFromTable(slot: number): void {
    const { table, mask } = this;
    // The victim's bucket unless an entry moved (a deletion) or the slot was touched since.
    let hole =
      slot === this.victim && table[2 * this.victimBucket] === slot + 1
        ? this.victimBucket
        : this.bucketOf(slot);
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
    const { links, rowWords: r } = this;
    const p = links[slot * r + PREV]!;
    const n = links[slot * r + NEXT]!;
    if (p === EMPTY) this.head = n;
    else links[p * r + NEXT] = n;
    if (n === EMPTY) this.tail = p;
    else links[n * r + PREV] = p;
  }

  private pushHead(slot: number): void {
    const { links, rowWords: r } = this;
    links[slot * r + PREV] = EMPTY;
    links[slot * r + NEXT] = this.head;
    if (this.head === EMPTY) this.tail = slot;
    else links[this.head * r + PREV] = slot;
    this.head = slot;
  }

  private resize(): void {
    const capacity = Math.min(this.max, this.capacity * 2);
    this.keys = grown(this.keys, capacity * this.rowWords);
    this.links = new Int32Array(this.keys.buffer);
    const buckets = tableSize(capacity);
    this.table = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
    this.capacity = capacity;
    for (const s of this.slots()) this.place(s);
    this.owner.grow(capacity, this.keys.buffer);
  }

  /** Slots from the most to the least recently used. */
  *slots(): Generator<number> {
    const r = this.rowWords;
    for (let s = this.head; s !== EMPTY; s = this.links[s * r + NEXT]!) yield s;
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
