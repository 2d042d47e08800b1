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
import { migratePg, PG_MIGRATIONS } from './migrations.js';

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
const openHosts = async (url: string) => {
  const records = await openPgStore(url);
  return {
    hosts: new PgHostStore(records.pool, records.partitions),
    records,
    close: () => records.close(),
  };
};
describeHostStoreContract('PostgreSQL', {
  open: async () => openHosts(await database(`hosts_${++hostStores}`)),
  openUpgraded: async (last) => {
    const url = await database(`hosts_${++hostStores}`);
    const pool = new pg.Pool({ connectionString: url });
    try {
      await migratePg(pool, PG_MIGRATIONS.slice(0, 3));
      for (const h of last)
        await pool.query(
          'INSERT INTO fleet_hosts (name, last_seen, epoch, last_seq) VALUES ($1, 0, $2, $3)',
          [h.name, h.epoch, h.seq],
        );
    } finally {
      await pool.end();
    }
    return openHosts(url);
  },
});
