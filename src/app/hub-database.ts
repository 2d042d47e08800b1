/**
 * The hub's database: with `hub.database` set, the hub keeps its records
 * (events, findings, incidents, approvals, audit, bans, reports) and its hosts
 * in PostgreSQL, and the local SQLite store only what the daemon process keeps
 * for itself (its lock, source positions, the notification outbox). The
 * password never sits in the YAML: PGPASSWORD (read by pg itself), or a file
 * only its owner may read.
 */
import { readPrivateFile, SecretError } from '../config/private-file.js';
import type { HubConfig } from '../fleet/config.js';
import type { RecordStore } from '../store/api.js';
import type { Async } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';

export interface HubDatabase {
  records: RecordStore;
  hosts: Async<HostStore>;
}

/**
 * Opens and migrates the hub's PostgreSQL database, or null when the hub
 * keeps its records in the local store. A missing password file or a database
 * that cannot be reached or migrated throws (SecretError, StoreOpenError: the
 * CLI says which and exits 2); the message names the URL without a password.
 */
export async function openHubDatabase(
  cfg: Pick<HubConfig, 'database' | 'databasePasswordFile'>,
): Promise<HubDatabase | null> {
  if (cfg.database === undefined) return null;
  const password =
    cfg.databasePasswordFile === undefined ? undefined : readPassword(cfg.databasePasswordFile);
  const [{ openPgStore }, { PgHostStore }] = await Promise.all([
    import('../store/pg/index.js'),
    import('../store/pg/hosts.js'),
  ]);
  const records = await openPgStore(cfg.database, password === undefined ? {} : { password });
  return { records, hosts: new PgHostStore(records.pool, records.partitions) };
}

function readPassword(file: string): string {
  const text = readPrivateFile(file, undefined, 'PostgreSQL password file');
  if (text === null) throw new SecretError(`the PostgreSQL password file ${file} does not exist`);
  // One line, as `echo secret > file` writes it.
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new SecretError(`the PostgreSQL password file ${file} is empty`);
  return password;
}
