/**
 * A Map with a hard cap on entries, approximately least-recently-used: entries
 * live in two generations of cap/2; when the young one fills, the old one is
 * dropped whole and the young one becomes old. Every operation is O(1), with no
 * iteration over deleted slots (evicting one by one from a Map's head is
 * quadratic in V8). An entry touched in either generation survives. Evictions
 * are counted so the cap is visible in metrics, not silent.
 */
export class BoundedMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;
  evictions = 0;

  constructor(readonly cap: number) {
    if (!(cap >= 2)) throw new RangeError('cap must be at least 2');
    this.half = Math.floor(cap / 2);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** Gets and marks as recently used. */
  touch(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.insert(key, o);
    }
    return o;
  }

  peek(key: K): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  set(key: K, value: V): void {
    if (this.young.has(key)) {
      this.young.set(key, value);
      return;
    }
    this.old.delete(key);
    this.insert(key, value);
  }

  delete(key: K): boolean {
    return this.young.delete(key) || this.old.delete(key);
  }

  private insert(key: K, value: V): void {
    if (this.young.size >= this.half) {
      this.evictions += this.old.size;
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
