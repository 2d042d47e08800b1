/**
 * One daemon per store. Two daemons on one store would both read the logs,
 * both count every failure and race on every approval and ban.
 *
 * The lock is an SQLite write lock (RESERVED, held by an open `BEGIN
 * IMMEDIATE`) on a small database beside the store, `<store>-daemon.lock`,
 * kept for the daemon's life. It is a kernel lock (fcntl), so it goes away
 * with the process however it ends — kill -9 included — and a stale file
 * never blocks a restart; no pid file has to be cleaned up or guessed about.
 * While it is held others can still read the file, so the holder records its
 * pid there first (committed, then the lock is taken again at once) and a
 * second daemon can say which process is running.
 *
 * Not the store itself: in WAL mode its write lock is taken and released by
 * every transaction. And never a plain open/close of the lock file while it
 * is held: that would drop the lock (POSIX locks belong to the process).
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { preparePrivateFile, sqliteAddon } from './database.js';
import { DaemonRunningError } from './errors.js';

/** How many times to look again while another daemon is half-way through taking the lock. */
const ROUNDS = 100;

const SCHEMA = `CREATE TABLE IF NOT EXISTS holder (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  since INTEGER NOT NULL
)`;

export function daemonLockFile(storePath: string): string {
  return `${resolve(storePath)}-daemon.lock`;
}

export class DaemonLock {
  private constructor(
    private readonly db: Database,
    /** The store this lock is for (absolute). */
    readonly store: string,
    readonly file: string,
  ) {}

  /**
   * Takes the store's daemon lock, or throws DaemonRunningError naming the
   * daemon that holds it. `pid` is this process's (a test hook).
   */
  static async acquire(storePath: string, pid: number = process.pid): Promise<DaemonLock> {
    const store = resolve(storePath);
    const file = daemonLockFile(store);
    preparePrivateFile(file);
    // No busy wait: a lock that is held stays held, and a read that meets a commit is retried here.
    const db = new BetterSqlite3(file, { timeout: 0, nativeBinding: sqliteAddon() });
    try {
      for (let round = 0; round < ROUNDS; round++) {
        if (begin(db)) {
          db.exec(SCHEMA);
          if (holderOf(db) === pid) return new DaemonLock(db, store, file);
          db.prepare('INSERT OR REPLACE INTO holder (id, pid, since) VALUES (1, ?, ?)').run(
            pid,
            Date.now(),
          );
          db.exec('COMMIT');
          continue;
        }
        const holder = holderOf(db);
        // Our own pid, a dead one or none: the holder is still recording its pid.
        if (holder !== null && holder !== pid && isAlive(holder))
          throw new DaemonRunningError(store, holder, file);
        await sleep(5 + Math.random() * 20);
      }
      throw new DaemonRunningError(store, null, file);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Lets another daemon start on this store (closing the connection rolls back and unlocks). */
  release(): void {
    if (this.db.open) this.db.close();
  }
}

/** BEGIN IMMEDIATE: true when this connection now holds the write lock, false when another does. */
function begin(db: Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw err;
  }
}

/** The pid on record, or null when none is recorded yet or a commit is under way. */
function holderOf(db: Database): number | null {
  try {
    const row = db.prepare<[], { pid: number }>('SELECT pid FROM holder WHERE id = 1').get();
    return row?.pid ?? null;
  } catch (err) {
    if (isBusy(err) || /no such table/.test((err as Error).message)) return null;
    throw err;
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, as another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
