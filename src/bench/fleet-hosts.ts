/**
 * The hub's hosts store for the fleet bench, on PostgreSQL as at a hub
 * (`hub.database`): the records store's pool, its events' day partitions.
 */
import type { Async } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';
import { PgHostStore } from '../store/pg/hosts.js';
import { openPgStore } from '../store/pg/index.js';

export interface HubHosts {
  store: Async<HostStore>;
  close(): Promise<void>;
}

export async function openHubHosts(url: string): Promise<HubHosts> {
  const records = await openPgStore(url);
  return {
    store: new PgHostStore(records.pool, records.partitions),
    close: () => records.close(),
  };
}
