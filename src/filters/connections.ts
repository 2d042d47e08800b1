/**
 * A filter's open connections by process id (engine.ts): at most `max`, the least
 * recently used forgotten first (exactly), in a slab (slab.ts) over objects made
 * once per slot and reused. A flood of one-line connections from a million
 * addresses makes no garbage here: with an object per connection, each lived
 * long enough to reach V8's old generation and died there.
 */
import type { Millis } from '../domain.js';
import { AddressSlab, type SlabOwner } from '../slab.js';

export interface Connection {
  /** The syslog host the pid belongs to (a central syslog server hears many hosts). */
  logHost: string | null;
  /** The connection's address, from lines that name it unambiguously. */
  host: string | null;
  users: string[];
  failedUsers: string[];
  pending: number;
  /** Pending lines of `sameTry` rules: the next failure line is the same try as one of them. */
  sameTries: number;
  hostlessFailure: boolean;
  /** A failure of this connection has been counted (a later give-up adds nothing). */
  counted: boolean;
  lastSeen: number | null;
}

/** The slab's key for a pid: its own tag, the pid in two words (pids fit in one today). */
const PID = 1;
const WORD = 2 ** 32;

export class Connections implements SlabOwner {
  private readonly slab: AddressSlab;
  /** The connection of each slot, reused when the slot is. */
  private readonly pool: Connection[] = [];

  constructor(max: number) {
    this.slab = new AddressSlab(max, this);
  }

  grow(capacity: number): void {
    while (this.pool.length < capacity) this.pool.push(blank());
  }

  evict(): void {}

  get size(): number {
    return this.slab.size;
  }

  /** The pid's connection, now the most recently used, or undefined. */
  touch(pid: number): Connection | undefined {
    const s = this.slab.find(PID, pid % WORD, Math.floor(pid / WORD), 0, 0);
    if (s === -1) return undefined;
    this.slab.touch(s);
    return this.pool[s];
  }

  /**
   * A new connection for `pid`, which has none (`touch` found none or it was deleted). The
   * object is the table's: it is valid until the pid is deleted or evicted.
   */
  open(pid: number, logHost: string | null, lastSeen: Millis | null): Connection {
    const c = this.pool[this.slab.insert(PID, pid % WORD, Math.floor(pid / WORD), 0, 0)]!;
    c.logHost = logHost;
    c.host = null;
    // Emptied by pop: setting `length` is a call into the runtime, several times slower.
    while (c.users.length > 0) c.users.pop();
    while (c.failedUsers.length > 0) c.failedUsers.pop();
    c.pending = 0;
    c.sameTries = 0;
    c.hostlessFailure = false;
    c.counted = false;
    c.lastSeen = lastSeen;
    return c;
  }

  delete(pid: number): void {
    const s = this.slab.find(PID, pid % WORD, Math.floor(pid / WORD), 0, 0);
    if (s !== -1) this.slab.remove(s);
  }
}

function blank(): Connection {
  return {
    logHost: null,
    host: null,
    users: stringArray(),
    failedUsers: stringArray(),
    pending: 0,
    sameTries: 0,
    hostlessFailure: false,
    counted: false,
    lastSeen: null,
  };
}

/**
 * An empty array V8 already knows holds strings. A plain `[]` starts as an array of
 * small integers, and the engine's hot code, optimised while the arrays were empty,
 * was thrown away and compiled again (some 20 ms each time) once names were pushed.
 */
function stringArray(): string[] {
  const a = [''];
  a.pop();
  return a;
}
