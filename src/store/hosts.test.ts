/** The hub's hosts store contract (hosts-contract.ts) against SQLite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describeHostStoreContract } from './hosts-contract.js';
import { asyncHosts, HostStore } from './hosts.js';
import { Store } from './index.js';
import { migrate, MIGRATIONS } from './migrations.js';

const dirs: string[] = [];

const underTest = (store: Store) => ({
  hosts: asyncHosts(new HostStore(store.db)),
  records: store.records,
  close: () => Promise.resolve(store.close()),
});

describeHostStoreContract('SQLite', {
  open: () => Promise.resolve(underTest(Store.open(':memory:'))),
  openUpgraded: (last) => {
    const dir = mkdtempSync(join(tmpdir(), 'sheriff-hosts-'));
    dirs.push(dir);
    const path = join(dir, 'hub.db');
    const old = new BetterSqlite3(path);
    migrate(old, MIGRATIONS.slice(0, 9));
    const add = old.prepare(
      'INSERT INTO fleet_hosts (name, last_seen, epoch, last_seq) VALUES (?, 0, ?, ?)',
    );
    for (const h of last) add.run(h.name, h.epoch, h.seq);
    old.close();
    return Promise.resolve(underTest(Store.open(path)));
  },
  cleanup: () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
});
