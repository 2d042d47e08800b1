/**
 * The user names the tracker's slots hold, each kept once and referred to by a
 * number: a slot keeps numbers in a typed array, not strings. A name is counted
 * per slot that holds it and forgotten when the last one lets go, so the table
 * is bounded by what the tracked slots hold (attackers choose the names).
 */
import { detach } from '../detach.js';

export class UserNames {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly holders: number[] = [];
  private readonly free: number[] = [];
  /**
   * The name last held and its id, asked again without a lookup: an IPv6 address and its
   * prefix hold the same name one after the other, and an attacker mostly repeats one.
   */
  private lastName: string | null = null;
  private lastId = 0;

  /** The id of `name`, held once more. */
  hold(name: string): number {
    if (name === this.lastName) {
      this.holders[this.lastId]!++;
      return this.lastId;
    }
    let id = this.ids.get(name);
    if (id === undefined) {
      // Copied: a capture of a log line would keep the whole chunk alive (detach.ts).
      const own = detach(name);
      id = this.free.pop() ?? this.names.length;
      this.names[id] = own;
      this.holders[id] = 0;
      this.ids.set(own, id);
    }
    this.holders[id]!++;
    this.lastName = this.names[id]!;
    this.lastId = id;
    return id;
  }

  release(id: number): void {
    if (--this.holders[id]! > 0) return;
    if (id === this.lastId) this.lastName = null;
    this.ids.delete(this.names[id]!);
    this.names[id] = '';
    this.free.push(id);
  }

  name(id: number): string {
    return this.names[id]!;
  }

  /** Names held now. */
  get size(): number {
    return this.ids.size;
  }
}
