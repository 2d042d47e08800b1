/**
 * The console password: scrypt (node:crypto) hashes as `scrypt$N$r$p$salt$hash`
 * (salt and hash base64url), compared in constant time. Without a configured
 * hash, one random password is generated at first start, shown once, and only
 * its hash is kept, in a 0600 file beside the store.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isPasswordHash, PASSWORD_HASH } from './password-hash.js';

const N = 16384;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
export const PASSWORD_FILE_NAME = 'web-password';

function scrypt(password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((ok, fail) =>
    scryptCb(password, salt, keylen, o, (err, key) => (err ? fail(err) : ok(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_BYTES, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches `hash`; false for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const m = PASSWORD_HASH.exec(hash);
  if (m === null || !isPasswordHash(hash)) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64url'), expected.length, {
    N: Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
    maxmem: 256 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}

/** A password a person can type: 20 characters of base64url (120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

export function passwordFile(storePath: string): string {
  return join(dirname(resolve(storePath)), PASSWORD_FILE_NAME);
}

/**
 * The hash to check logins against: the configured one, else the one in the
 * password file, else a new password (returned once in `generated`) whose hash
 * is written to that file with mode 0600.
 */
export async function loadPasswordHash(
  configured: string | undefined,
  storePath: string,
): Promise<{ hash: string; generated: string | null; file: string | null }> {
  if (configured !== undefined) return { hash: configured, generated: null, file: null };
  const file = passwordFile(storePath);
  try {
    const text = readFileSync(file, 'utf8').trim();
    if (isPasswordHash(text)) return { hash: text, generated: null, file };
    throw new Error(`${file} does not hold a password hash; delete it to get a new password`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const generated = generatePassword();
  const hash = await hashPassword(generated);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // 'wx': never overwrite a file another process wrote meanwhile.
  writeFileSync(file, hash + '\n', { mode: 0o600, flag: 'wx' });
  return { hash, generated, file };
}
