/**
 * Opening the SQLite file: WAL mode, pragmas, private permissions, migrations,
 * and errors that say which file and what to do about it.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrate, SchemaTooNewError, schemaVersion, SCHEMA_VERSION } from './migrations.js';

export type { Database } from 'better-sqlite3';

export interface OpenOptions {
  /** Open for reading only (`sheriff status`, queries): no file is created, nothing migrated. */
  readonly?: boolean;
  /** How long to wait on another process's lock before SQLITE_BUSY. Default 5000 ms. */
  busyTimeoutMs?: number;
}

/** The store could not be opened; the message names the file and a remedy. */
export class StoreOpenError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly code: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}

const REMEDY_ACCESS =
  'Run sheriff as the user that owns the store (normally "sheriff", or root), ' +
  'or set store.path (or SHERIFF_DB) to a file you can write.';

/** Opens (creating when needed) the store at `path` and brings its schema up to date. */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const memory = path === ':memory:';
  const file = memory ? path : resolve(path);
  const readonly = options.readonly ?? false;
  if (!memory && !readonly) prepareFile(file);
  if (!memory && readonly && !existsSync(file)) {
    throw new StoreOpenError(
      file,
      `no Sheriff store at ${file}: the daemon has not run yet, or store.path (SHERIFF_DB) points elsewhere.`,
      'ENOENT',
    );
  }

  let db: Database | undefined;
  try {
    db = new BetterSqlite3(file, {
      readonly,
      fileMustExist: readonly,
      timeout: options.busyTimeoutMs ?? 5000,
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

/** Creates the directory (0700) and the file (0600) so SQLite never creates them world-readable. */
function prepareFile(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw describeOpenError(file, err, `cannot create the directory ${dir}`);
  }
  try {
    closeSync(openSync(file, 'a', 0o600));
    // A store created by hand or by an older version: the raw lines and the
    // users tried are not for other local users to read.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  } catch (err) {
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
  if (err instanceof StoreOpenError || err instanceof SchemaTooNewError) return err;
  const code = codeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  const head = what ?? `cannot open the store at ${file}`;
  let message: string;
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    code?.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM'
  ) {
    message = `${head}: permission denied (${detail}). ${REMEDY_ACCESS}`;
  } else if (
    code === 'SQLITE_CANTOPEN' ||
    code === 'ENOTDIR' ||
    code === 'EISDIR' ||
    code === 'EEXIST'
  ) {
    message = `${head}: ${detail}. Check that the path names a file in a directory (not a file or a directory itself). ${REMEDY_ACCESS}`;
  } else if (code === 'SQLITE_NOTADB' || code?.startsWith('SQLITE_CORRUPT')) {
    message = `${file} is not a Sheriff store or is damaged (${detail}). Move it aside and restart, or set store.path to another file.`;
  } else if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    message = `${head}: it is locked by another process (${detail}). Try again, or check for a stuck sheriff process.`;
  } else if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    message = `${head}: the disk is full (${detail}). Free some space or move store.path.`;
  } else {
    message = `${head}: ${detail}`;
  }
  return new StoreOpenError(file, message, code, { cause: err });
}
