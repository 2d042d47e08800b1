/**
 * Notification credentials: the Telegram bot token, a webhook's HMAC key or a
 * URL that is itself a credential. From the environment, or from a file that
 * only its owner can read (mode 0600 or stricter); never from sheriff.yaml.
 * Error messages name the variable or the file, never the value.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { SecretError } from '../respond/secret.js';

export const TELEGRAM_TOKEN_ENV = 'SHERIFF_TELEGRAM_TOKEN';

export function webhookSecretEnv(name: string): string {
  return `SHERIFF_WEBHOOK_${name.toUpperCase().replace(/-/g, '_')}_SECRET`;
}

/** The trimmed content of a private file. */
export function readSecretFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw new SecretError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretError(`${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0)
      throw new SecretError(
        `${file} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}): run chmod 600 ${file}`,
      );
    const text = readFileSync(fd, 'utf8').trim();
    if (text === '') throw new SecretError(`${file} is empty`);
    return text;
  } finally {
    closeSync(fd);
  }
}

/** A secret from `file` when given, else from the variable `envName`; null when neither is set. */
export function secretFrom(
  file: string | undefined,
  envName: string,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (file !== undefined) return readSecretFile(file);
  const value = env[envName]?.trim();
  return value === undefined || value === '' ? null : value;
}
