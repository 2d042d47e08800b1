/**
 * A Map with a hard cap on entries: the least recently touched entry is evicted
 * first, and evictions are counted so the cap is visible in metrics, not silent.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  evictions = 0;

  constructor(readonly cap: number) {
    if (!(cap >= 1)) throw new RangeError('cap must be at least 1');
  }

  get size(): number {
    return this.map.size;
  }

  /** Gets and marks as most recently used. */
  touch(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.cap) {
      this.map.delete(this.map.keys().next().value as K);
      this.evictions++;
    }
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }
}
