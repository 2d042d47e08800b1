/**
 * Reading a file that holds a secret (the approval key, an API key, a bot
 * token): only its owner may read it. Every secret file in Sheriff is vetted
 * by this one function.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { SetupError } from './errors.js';

/** A secret could not be loaded; the message names the variable or the file and a remedy. */
export class SecretError extends SetupError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretError';
  }
}

/**
 * The text of a secret file only its owner can read (mode 0600 or stricter,
 * owned by this user or root, not a symbolic link), or null when there is no
 * such file. `what` names the file in errors ("secret key file", "API key file").
 */
export function readPrivateFile(
  file: string,
  uid: number = process.getuid?.() ?? 0,
  what = 'secret file',
): string | null {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink planted at the key's path is refused, not followed.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') {
      throw new SecretError(`the ${what} ${file} is a symbolic link: refusing it`);
    }
    throw new SecretError(`cannot read the ${what} ${file}: ${messageOf(err)}`, {
      cause: err,
    });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretError(`the ${what} ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new SecretError(
        `the ${what} ${file} is accessible to other users (mode ${mode}): ` +
          `refusing to use it. Run: chmod 600 ${file} — and, if others may have read it, ` +
          (what === 'secret key file'
            ? `delete it so Sheriff makes a new one (pending approvals are then refused).`
            : `replace the secret in it.`),
      );
    }
    if (st.uid !== uid && st.uid !== 0 && uid !== 0) {
      throw new SecretError(
        `the ${what} ${file} belongs to uid ${st.uid}, not to this user (uid ${uid}): refusing it`,
      );
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export function codeOf(err: unknown): string | null {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : null;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
