/**
 * Credentials named by the config (a bot token, a webhook key, a reputation
 * API key): from the environment, or from a file only its owner can read
 * (mode 0600 or stricter); never from sheriff.yaml. Errors name the variable
 * or the file, never the value.
 *
 * The file checks themselves (no symlink, owner, mode) are `readPrivateFile`'s.
 */
import { readPrivateFile, SecretError } from './private-file.js';

/** The trimmed content of a private file; `what` names it in errors ("API key file"). */
export function readSecretFile(file: string, what = 'secret file'): string {
  const text = readPrivateFile(file, undefined, what)?.trim();
  if (text === undefined) throw new SecretError(`the ${what} ${file} does not exist`);
  if (text === '') throw new SecretError(`the ${what} ${file} is empty`);
  return text;
}

/** A secret from `file` when given, else from the variable `envName`; null when neither is set. */
export function secretFrom(
  file: string | undefined,
  envName: string,
  env: NodeJS.ProcessEnv = process.env,
  what = 'secret file',
): string | null {
  if (file !== undefined) return readSecretFile(file, what);
  const value = env[envName]?.trim();
  return value === undefined || value === '' ? null : value;
}
