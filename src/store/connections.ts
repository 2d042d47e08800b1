/**
 * Connection addresses kept across restarts.
 *
 * sshd names a connection's address unambiguously on some lines ("Connection
 * from A port N on …", "Invalid user NAME from A port N") and, when a user name
 * holds a fake "from B port 1 ssh2: …", ambiguously on others ("Failed password
 * for invalid user …"). A filter learns the address from the first kind and
 * settles the second with it (filters/engine.ts). This table keeps what the
 * jails learned, so that a restart between the two does not leave the later
 * lines without an address.
 *
 * Bounded by construction, even under a flood of connections: a row lives in
 * one of SLOTS slots, chosen by a hash of its key (jail, syslog host, pid), and
 * a connection whose slot is taken replaces the row there. The older one then
 * has no saved address: its ambiguous lines count without one, never with a
 * wrong one. Changes wait in a journal of at most SLOTS entries and are written
 * in the StoreWriter's transactions, with the cursors of the lines they came from.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ConnectionAddress, ConnectionJournal, Millis } from '../domain.js';
import type { WriterPart } from './writer.js';

/** Far more than the connections sshd keeps open before authentication (MaxStartups). */
export const CONNECTION_SLOTS = 65_536;

interface Key {
  jail: string;
  logHost: string | null;
  pid: number;
}

/** A slot's next state: an address to save, or (host null) one to forget. */
interface Change extends Key {
  host: string | null;
  seenAt: Millis | null;
}

interface Row {
  log_host: string | null;
  pid: number;
  host: string;
  seen_at: number;
}

export class ConnectionAddresses implements WriterPart {
  private pending = new Map<number, Change>();
  /** Written by a transaction that has not committed yet (or failed: then written again). */
  private inflight: Map<number, Change> | null = null;
  private readonly loadStmt: Statement<[string], Row>;
  private readonly expireStmt: Statement<[string, number]>;
  private readonly saveStmt: Statement<[number, string, string | null, number, string, number]>;
  private readonly forgetStmt: Statement<[number, string, string | null, number]>;

  constructor(
    db: Database,
    private readonly slots = CONNECTION_SLOTS,
  ) {
    this.loadStmt = db.prepare(
      'SELECT log_host, pid, host, seen_at FROM connection_addresses WHERE jail = ? ORDER BY seen_at',
    );
    this.expireStmt = db.prepare('DELETE FROM connection_addresses WHERE jail = ? AND seen_at < ?');
    this.saveStmt = db.prepare(
      `INSERT OR REPLACE INTO connection_addresses (slot, jail, log_host, pid, host, seen_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.forgetStmt = db.prepare(
      'DELETE FROM connection_addresses WHERE slot = ? AND jail = ? AND log_host IS ? AND pid = ?',
    );
  }

  /**
   * A jail's saved addresses, oldest first. Those idle for `idleMs` before the
   * newest one was learned belong to connections long over (every later line is
   * newer still): they are deleted, not returned.
   */
  load(jail: string, idleMs: Millis): ConnectionAddress[] {
    const rows = this.loadStmt.all(jail);
    const newest = rows.at(-1)?.seen_at;
    if (newest === undefined) return [];
    const since = newest - idleMs;
    this.expireStmt.run(jail, since);
    return rows
      .filter((r) => r.seen_at >= since)
      .map((r) => ({ logHost: r.log_host, pid: r.pid, host: r.host, seenAt: r.seen_at }));
  }

  /** The journal one jail's classifier writes to. */
  journal(jail: string): ConnectionJournal {
    return {
      learned: (a) =>
        this.change({ jail, logHost: a.logHost, pid: a.pid, host: a.host, seenAt: a.seenAt }),
      forgotten: (logHost, pid) => this.change({ jail, logHost, pid, host: null, seenAt: null }),
    };
  }

  get dirty(): boolean {
    return this.pending.size > 0;
  }

  write(now: Millis): void {
    if (this.inflight !== null)
      for (const [slot, c] of this.inflight) if (!this.pending.has(slot)) this.pending.set(slot, c);
    this.inflight = this.pending;
    this.pending = new Map();
    for (const [slot, c] of this.inflight) {
      if (c.host === null) this.forgetStmt.run(slot, c.jail, c.logHost, c.pid);
      else this.saveStmt.run(slot, c.jail, c.logHost, c.pid, c.host, Math.floor(c.seenAt ?? now));
    }
  }

  written(): void {
    this.inflight = null;
  }

  private change(c: Change): void {
    const slot = slotOf(c, this.slots);
    if (c.host === null) {
      const waiting = this.pending.get(slot);
      // Another connection's address waits for this slot: it replaces whatever is there.
      if (waiting !== undefined && waiting.host !== null && !sameKey(waiting, c)) return;
    }
    this.pending.set(slot, c);
  }
}

function sameKey(a: Key, b: Key): boolean {
  return a.pid === b.pid && a.logHost === b.logHost && a.jail === b.jail;
}

/** FNV-1a over the key: spreads pids of one host and one jail evenly over the slots. */
function slotOf(k: Key, slots: number): number {
  const text = `${k.jail}\0${k.logHost ?? ''}\0${k.pid}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) % slots;
}
