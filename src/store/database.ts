/**
 * Opening the SQLite file: WAL mode, pragmas, private permissions, migrations,
 * and errors that say which file and what to do about it.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { StoreOpenError, type StoreProblem } from './errors.js';
import { migrate, SchemaTooNewError, schemaVersion, SCHEMA_VERSION } from './migrations.js';

export type { Database } from 'better-sqlite3';
export { StoreOpenError } from './errors.js';

export interface OpenOptions {
  /** Open for reading only (`sheriff status`, queries): no file is created, nothing migrated. */
  readonly?: boolean;
  /**
   * Writable only: create the store when there is none (the daemon, the
   * default). The CLI passes false: only the daemon makes a store, so the
   * file is owned by the user the daemon runs as.
   */
  create?: boolean;
  /** How long to wait on another process's lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
}

let addonPath: string | null | undefined;

/**
 * better-sqlite3's compiled addon, found directly; undefined (better-sqlite3 then
 * finds it itself) when it is not where npm builds it. better-sqlite3's own search,
 * through the `bindings` package, tries a dozen paths: path arithmetic enough at
 * every start that V8 compiled Node's path functions with Maglev, whose code then
 * stayed in the idle daemon's memory (some 3 MiB).
 */
export function sqliteAddon(): string | undefined {
  if (addonPath === undefined) {
    try {
      addonPath = createRequire(import.meta.url).resolve(
        'better-sqlite3/build/Release/better_sqlite3.node',
      );
    } catch {
      addonPath = null;
    }
  }
  return addonPath ?? undefined;
}

const REMEDY_ACCESS =
  'Run sheriff as the user that owns the store (normally "sheriff", or root), ' +
  'or set store.path (or SHERIFF_DB) to a file you can write.';

/**
 * Opens the store at `path` and brings its schema up to date (when writable).
 *
 * The file itself is never opened and closed with plain file calls once it
 * exists: SQLite's locks are POSIX locks, which belong to the process, and
 * closing ANY descriptor of the file drops them all — the daemon's too, when
 * the web console opened its own connection. Another process (`sqlite3`, a
 * backup) would then checkpoint and delete the WAL under the daemon, whose
 * later writes nobody else would ever see.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const memory = path === ':memory:';
  const file = memory ? path : resolve(path);
  const readonly = options.readonly ?? false;
  if (!memory) {
    if (readonly || options.create === false) checkAccess(file, readonly);
    else preparePrivateFile(file);
  }

  let db: Database | undefined;
  try {
    db = new BetterSqlite3(file, {
      readonly,
      fileMustExist: !memory && (readonly || options.create === false),
      timeout: options.busyTimeoutMs ?? 5000,
      nativeBinding: sqliteAddon(),
    });
    db.pragma('foreign_keys = ON');
    if (readonly) {
      checkReadableVersion(db, file);
    } else {
      if (!memory) {
        const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
        if (mode.toLowerCase() !== 'wal') {
          throw new StoreOpenError(
            file,
            `cannot use WAL mode for ${file} (got "${mode}"): put store.path on a local filesystem.`,
            null,
            'wal',
          );
        }
      }
      // In WAL mode a commit survives kill -9; only power loss or an OS crash
      // can undo the last few commits, and never corrupts the file.
      db.pragma('synchronous = NORMAL');
      migrate(db, undefined, `the store at ${file}`);
    }
    return db;
  } catch (err) {
    db?.close();
    throw describeOpenError(file, err);
  }
}

/**
 * Makes the directory (0700) and the file (0600) so SQLite never creates them
 * world-readable; SQLite gives the -wal and -shm files the database's mode.
 * The file is created with O_EXCL, so the descriptor opened and closed here is
 * always that of a brand-new file nobody holds a lock on; an existing file is
 * only looked at by path (stat, chmod, access), never opened.
 */
export function preparePrivateFile(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw describeOpenError(file, err, `cannot create the directory ${dir}`);
  }
  try {
    closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600));
  } catch (err) {
    if (codeOf(err) !== 'EEXIST') throw describeOpenError(file, err);
  }
  // A store created by hand or by an older version: the raw lines and the
  // users tried are not for other local users to read.
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') throw describeOpenError(file, err);
    }
  }
  checkAccess(file, false);
}

/** Whether the store exists and this user may read (and write) it, by path: no descriptor. */
function checkAccess(file: string, readonly: boolean): void {
  try {
    accessSync(file, readonly ? constants.R_OK : constants.R_OK | constants.W_OK);
  } catch (err) {
    if (codeOf(err) === 'ENOENT') {
      throw new StoreOpenError(
        file,
        `no Sheriff store at ${file}: the daemon has not run yet, or store.path (SHERIFF_DB) points elsewhere.`,
        'ENOENT',
        'missing',
      );
    }
    throw describeOpenError(file, err);
  }
}

function checkReadableVersion(db: Database, file: string): void {
  const found = schemaVersion(db);
  if (found > SCHEMA_VERSION)
    throw new SchemaTooNewError(found, SCHEMA_VERSION, `the store at ${file}`);
  if (found < SCHEMA_VERSION) {
    throw new StoreOpenError(
      file,
      found === 0
        ? `${file} is not an initialised Sheriff store (schema version 0). Start the daemon once to create it.`
        : `the store at ${file} has schema version ${found}, older than this Sheriff's ${SCHEMA_VERSION}: ` +
            'restart the daemon (it upgrades the store), then try again.',
      'SHERIFF_OLD_SCHEMA',
      found === 0 ? 'missing' : 'older',
    );
  }
}

function codeOf(err: unknown): string | null {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return null;
}

function describeOpenError(file: string, err: unknown, what?: string): Error {
  if (err instanceof StoreOpenError) return err;
  if (err instanceof SchemaTooNewError)
    return new StoreOpenError(file, err.message, 'SHERIFF_NEWER_SCHEMA', 'newer', { cause: err });
  const code = codeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  const head = what ?? `cannot open the store at ${file}`;
  let message: string;
  let problem: StoreProblem;
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    code?.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM'
  ) {
    problem = 'access';
    message = `${head}: permission denied (${detail}). ${REMEDY_ACCESS}`;
  } else if (
    code === 'SQLITE_CANTOPEN' ||
    code === 'ENOTDIR' ||
    code === 'EISDIR' ||
    code === 'EEXIST'
  ) {
    problem = 'path';
    message = `${head}: ${detail}. Check that the path names a file in a directory (not a file or a directory itself). ${REMEDY_ACCESS}`;
  } else if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
    problem = 'damaged';
    message = `${file} is not a Sheriff store or is damaged (${detail}). Move it aside and restart, or set store.path to another file.`;
  } else if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    problem = 'busy';
    message = `${head}: it is locked by another process (${detail}). Try again, or check for a stuck sheriff process.`;
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    problem = 'full';
    message = `${head}: the disk is full (${detail}). Free some space or move store.path.`;
  } else {
    problem = 'other';
    message = `${head}: ${detail}`;
  }
  return new StoreOpenError(file, message, code, problem, { cause: err });
}
