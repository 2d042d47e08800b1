/**
 * A throwaway PostgreSQL cluster for tests: Debian's server binaries
 * (initdb, pg_ctl) in a fresh temp dir, listening on 127.0.0.1 and a free
 * port, its socket in that dir (never /var/run), trust authentication for
 * 127.0.0.1 only. PostgreSQL refuses to run as root, so as root the cluster
 * runs as `nobody` (users.ts). `stop()` stops it at once and removes the dir;
 * a start that fails cleans up the same way and says why (the server's log).
 */
import { execFile } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { unprivileged } from './users.js';

const run = promisify(execFile);

/** Where Debian installs each major version's server binaries. */
const PG_ROOT = '/usr/lib/postgresql';

export interface Postgres {
  /** The `postgres` database, as the `postgres` superuser. */
  url: string;
  /** A new, empty database on the cluster; its URL. */
  createDatabase(): Promise<string>;
  /**
   * The database of `url` over the cluster's unix socket: a file, so a client
   * in another network namespace (the e2e sandbox's) reaches it too.
   */
  socketUrl(url: string): string;
  /** Stops the server at once and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** The newest installed version's bin dir; a clear error when there is none. */
export function postgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) {
    throw new Error(
      `no PostgreSQL server found (${PG_ROOT}/*/bin/initdb): install Debian's "postgresql" package ` +
        '(scripts/test.sh does) to run the PostgreSQL store tests',
    );
  }
  return join(PG_ROOT, versions[0], 'bin');
}

export interface PostgresOptions {
  /** More postgresql.conf settings (name → value as the file writes it), e.g. a test's tuning. */
  settings?: Record<string, string>;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (unprivileged.uid !== undefined) chownSync(dir, unprivileged.uid, unprivileged.gid!);
  const as = { ...unprivileged, env: { PATH: '/usr/bin:/bin', LANG: 'C' }, cwd: dir };
  const pgCtl = (args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, ...args], as);
  let started = false;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      if (started) await pgCtl(['stop', '-m', 'immediate', '-w']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  try {
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      as,
    );
    // Only 127.0.0.1 and this dir's socket: no other address, no other user's socket dir.
    writeFileSync(
      join(data, 'pg_hba.conf'),
      'local all all trust\nhost all all 127.0.0.1/32 trust\n',
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      writeFileSync(
        join(data, 'postgresql.auto.conf'),
        [
          "listen_addresses = '127.0.0.1'",
          `port = ${port}`,
          `unix_socket_directories = '${dir}'`,
          // A test cluster: nothing to keep across a crash of the machine.
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          'max_connections = 100',
          ...Object.entries(options.settings ?? {}).map(([k, v]) => `${k} = ${v}`),
          '',
        ].join('\n'),
      );
      try {
        await pgCtl(['start', '-w', '-t', '120', '-l', log]);
        started = true;
        const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
        let seq = 0;
        const createDatabase = async () => {
          const name = `t${++seq}`;
          await withClient(url, (c) => c.query(`CREATE DATABASE ${name}`));
          return `postgres://postgres@127.0.0.1:${port}/${name}`;
        };
        const socketUrl = (of: string) => {
          const db = new URL(of).pathname;
          return `postgresql://${db}?host=${encodeURIComponent(dir)}&port=${port}&user=postgres`;
        };
        return { url, createDatabase, socketUrl, stop };
      } catch (err) {
        // Another process may have taken the port between freePort and the bind.
        if (attempt >= 3 || !/could not bind|already in use/i.test(readLog(log))) throw err;
      }
    }
  } catch (err) {
    const tail = readLog(log).split('\n').slice(-20).join('\n');
    await stop().catch(() => undefined);
    throw new Error(
      `could not start a test PostgreSQL with ${bin}: ${(err as Error).message}` +
        (tail.trim() === '' ? '' : `\nserver log:\n${tail}`),
      { cause: err },
    );
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A port nothing listens on right now (the kernel's choice for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
