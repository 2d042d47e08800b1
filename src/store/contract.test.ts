import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRecordStoreContract } from './contract.js';
import { Store, openDatabase, type Database } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-store-contract-'));
const file = (name: string) => join(root, `${name}.db`);

/** Runs `use` on a connection of its own to the store `name`, as another process would. */
function onDatabase<T>(name: string, use: (db: Database) => T): Promise<T> {
  return Promise.resolve().then(() => {
    const db = openDatabase(file(name));
    try {
      return use(db);
    } finally {
      db.close();
    }
  });
}

describeRecordStoreContract('SQLite', {
  open: (name) => Promise.resolve(Store.open(file(name)).records),
  schemaVersion: (name) =>
    onDatabase(name, (db) => db.pragma('user_version', { simple: true }) as number),
  exec: (name, sql) => onDatabase(name, (db) => void db.exec(sql)),
  cleanup: () => Promise.resolve(rmSync(root, { recursive: true, force: true })),
});
