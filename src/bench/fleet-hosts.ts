/**
 * The hub's hosts store for the fleet bench: on PostgreSQL when given a
 * `postgres://` URL, else in a SQLite file (store/hosts.ts).
 */
import type { Async } from '../store/api.js';
import { asyncHosts, HostStore } from '../store/hosts.js';
import { openStore } from '../store/index.js';

export interface HubHosts {
  store: Async<HostStore>;
  close(): Promise<void>;
}

export function openHubHosts(database: string): Promise<HubHosts> {
  const store = openStore(database);
  return Promise.resolve({
    store: asyncHosts(new HostStore(store.db)),
    close: () => Promise.resolve(store.close()),
  });
}
