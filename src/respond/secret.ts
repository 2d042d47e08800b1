/**
 * The HMAC key that authenticates approvals (respond/approvals.ts). It comes
 * from the environment (`SHERIFF_SECRET`, hex or base64, at least 32 bytes), or
 * from a key file — by default `secret.key` beside the store — created with 32
 * random bytes and mode 0600 on first start.
 *
 * The key itself never appears in an error, a log line or JSON: `SecretKey`
 * prints as "[SecretKey]", and only computes MACs. Programs Sheriff runs should
 * get an environment without `SHERIFF_SECRET`.
 */
import { codeOf, messageOf, readPrivateFile, SecretError } from '../config/private-file.js';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inspect } from 'node:util';

export const SECRET_ENV = 'SHERIFF_SECRET';
export const MIN_SECRET_BYTES = 32;
export const SECRET_FILE_NAME = 'secret.key';

/** An HMAC-SHA256 key that never reveals itself. */
export class SecretKey {
  readonly #key: Buffer;

  /** `source` says where it came from ("env SHERIFF_SECRET", a file path), for messages. */
  constructor(
    bytes: Uint8Array,
    readonly source: string,
  ) {
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new SecretError(
        `the secret from ${source} is ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} are needed`,
      );
    }
    this.#key = Buffer.from(bytes);
  }

  /** Hex HMAC-SHA256 of `data` (UTF-8). */
  mac(data: string): string {
    return createHmac('sha256', this.#key).update(data, 'utf8').digest('hex');
  }

  /** Whether `mac` is this key's MAC of `data`, compared in constant time. */
  verify(data: string, mac: string): boolean {
    if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return false;
    return timingSafeEqual(Buffer.from(this.mac(data), 'hex'), Buffer.from(mac, 'hex'));
  }

  toString(): string {
    return '[SecretKey]';
  }

  toJSON(): string {
    return '[SecretKey]';
  }

  [inspect.custom](): string {
    return `[SecretKey from ${this.source}]`;
  }
}

/**
 * Decodes a key written as hex (preferred when the text is valid hex) or
 * base64 (standard or URL-safe). `where` names its origin in errors; the text
 * itself is never quoted.
 */
export function parseSecret(text: string, where: string): SecretKey {
  const t = text.trim();
  let bytes: Buffer;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(t)) {
    bytes = Buffer.from(t, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  } else {
    throw new SecretError(
      `the secret in ${where} is neither hex nor base64. ` +
        `Generate one with: openssl rand -hex ${MIN_SECRET_BYTES}`,
    );
  }
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new SecretError(
      `the secret in ${where} is ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} are needed. ` +
        `Generate one with: openssl rand -hex ${MIN_SECRET_BYTES}`,
    );
  }
  return new SecretKey(bytes, where);
}

/** The default key file: `secret.key` in the store's directory. */
export function defaultSecretFile(storePath: string): string {
  if (storePath === ':memory:') {
    throw new SecretError(
      `the store is in memory: set ${SECRET_ENV}, or give the secret key file explicitly`,
    );
  }
  return join(dirname(resolve(storePath)), SECRET_FILE_NAME);
}

export interface LoadSecretOptions {
  /** The key file; default `defaultSecretFile(storePath)`. */
  file?: string;
  /** The store's path, for the default file. One of `file` or `storePath` is needed without the env. */
  storePath?: string;
  env?: NodeJS.ProcessEnv;
  /** Test hook; default `process.getuid()`. */
  uid?: number;
  /**
   * Create the key file when it is missing (default true: the daemon). The
   * CLI passes false: a key it made would not be the daemon's, and the daemon
   * would refuse every approval signed with it.
   */
  create?: boolean;
}

/**
 * The key: `SHERIFF_SECRET` when set (non-empty), else the key file, created
 * (32 random bytes, hex, mode 0600, directory 0700) when missing unless
 * `create` is false. Refuses a
 * file that other users could read or write, or that another user owns.
 */
export function loadSecret(options: LoadSecretOptions = {}): SecretKey {
  const env = options.env ?? process.env;
  const fromEnv = env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return parseSecret(fromEnv, `the environment variable ${SECRET_ENV}`);
  }
  let file: string;
  if (options.file !== undefined) file = resolve(options.file);
  else if (options.storePath !== undefined) file = defaultSecretFile(options.storePath);
  else throw new SecretError(`no secret: set ${SECRET_ENV}, or give the key file or store path`);
  const uid = options.uid ?? process.getuid?.() ?? 0;
  const existing = readKeyFile(file, uid);
  if (existing !== null) return existing;
  if (options.create === false) {
    throw new SecretError(
      `no secret key file ${file}: the daemon makes it when it first starts. ` +
        `If the daemon gets its key from ${SECRET_ENV}, set the same ${SECRET_ENV} here.`,
    );
  }
  createKeyFile(file);
  const created = readKeyFile(file, uid);
  if (created === null)
    throw new SecretError(`the secret key file ${file} vanished after creation`);
  return created;
}

/** The key in `file`, or null when there is no such file. */
function readKeyFile(file: string, uid: number): SecretKey | null {
  const text = readPrivateFile(file, uid, 'secret key file');
  return text === null ? null : parseSecret(text, `the secret key file ${file}`);
}

/** Writes a new key atomically: a private temporary file, then a hard link (fails if one exists). */
function createKeyFile(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SecretError(
      `cannot create the directory ${dir} for the secret key file ${file}: ${messageOf(err)}`,
      {
        cause: err,
      },
    );
  }
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(MIN_SECRET_BYTES).toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, file);
    } catch (err) {
      // Another process created it first: use theirs.
      if (codeOf(err) !== 'EEXIST') throw err;
    }
  } catch (err) {
    throw new SecretError(`cannot create the secret key file ${file}: ${messageOf(err)}`, {
      cause: err,
    });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone, or never created.
    }
  }
}
