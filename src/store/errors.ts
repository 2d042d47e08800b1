/**
 * Why the store could not be used, kept apart from the SQLite code so that the
 * CLI can report these errors (one line, translated) without loading SQLite.
 */

/** What went wrong, for the CLI's translated line and its exit status. */
export type StoreProblem =
  | 'missing' // no store yet (or an empty file): the daemon has not created it
  | 'access' // permission denied
  | 'path' // store.path names a directory, or a file where a directory should be
  | 'damaged' // not an SQLite file, or a corrupt one
  | 'busy' // another process holds a lock too long
  | 'full' // the disk is full
  | 'older' // an older schema, opened read-only: the daemon upgrades it
  | 'newer' // written by a newer Sheriff
  | 'wal' // the filesystem cannot do WAL (a network filesystem)
  | 'other';

/**
 * Exit statuses of commands that use the store: 1 when there is no store yet
 * (nothing is wrong; the daemon has not run), 2 for everything an admin must
 * fix (permissions, a damaged file, a second daemon), like configuration errors.
 */
export const EXIT_NO_STORE = 1;
export const EXIT_SETUP = 2;

/** The store could not be opened; the message names the file and a remedy. */
export class StoreOpenError extends Error {
  readonly exitCode: number;

  constructor(
    readonly path: string,
    message: string,
    readonly code: string | null,
    readonly problem: StoreProblem = 'other',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreOpenError';
    this.exitCode = problem === 'missing' ? EXIT_NO_STORE : EXIT_SETUP;
  }
}

/** `sheriff watch` found another daemon already watching the same store. */
export class DaemonRunningError extends Error {
  readonly exitCode = EXIT_SETUP;

  constructor(
    readonly store: string,
    /** The running daemon's pid, when it could be read. */
    readonly pid: number | null,
    readonly lockFile: string,
  ) {
    super(
      `another Sheriff daemon${pid === null ? '' : ` (pid ${pid})`} is already watching the store ` +
        `${store} (it holds ${lockFile}): stop it first; only one daemon may write a store.`,
    );
    this.name = 'DaemonRunningError';
  }
}
