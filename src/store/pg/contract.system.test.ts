/**
 * The RecordStore contract (store/contract.ts) and the hub's hosts store
 * contract (store/hosts-contract.ts) against PostgreSQL: one throwaway
 * cluster, one database per store name.
 */
import pg from 'pg';
import { describeRecordStoreContract } from '../contract.js';
import { describeHostStoreContract } from '../hosts-contract.js';
import { startPostgres, type Postgres } from '../../testing/postgres.js';
import { PgHostStore } from './hosts.js';
import { openPgStore } from './index.js';

let server: Promise<Postgres> | undefined;
const databases = new Map<string, Promise<string>>();

/** The URL of the database `name`, created on first use (once, however many open it at once). */
function database(name: string): Promise<string> {
  let url = databases.get(name);
  if (url === undefined) {
    server ??= startPostgres();
    url = server.then((s) => s.createDatabase());
    databases.set(name, url);
  }
  return url;
}

async function onDatabase<T>(name: string, use: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await database(name) });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describeRecordStoreContract('PostgreSQL', {
  open: async (name) => openPgStore(await database(name)),
  schemaVersion: (name) =>
    onDatabase(name, async (c) => {
      const r = await c.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM schema_migrations',
      );
      return r.rows[0]?.v ?? 0;
    }),
  exec: (name, sql) => onDatabase(name, async (c) => void (await c.query(sql))),
  cleanup: async () => {
    await (await server)?.stop();
  },
});

let hostStores = 0;
describeHostStoreContract('PostgreSQL', {
  open: async () => {
    const records = await openPgStore(await database(`hosts_${++hostStores}`));
    return {
      hosts: new PgHostStore(records.pool, records.partitions),
      records,
      close: () => records.close(),
    };
  },
});
