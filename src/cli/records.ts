/**
 * The records a command reads and writes: at a hub with `hub.database`, its
 * PostgreSQL (what the hub daemon writes); everywhere else the local store's.
 */
import type { SheriffConfig } from '../app/config.js';
import type { Async, RecordStore } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';
import type { Store } from '../store/index.js';

export interface OpenRecords {
  records: RecordStore;
  /** The fleet's hosts as the hub keeps them (none away from a hub), made when first asked for. */
  hosts: () => Async<HostStore>;
  /** Closes the records and `store`. */
  close: () => Promise<void>;
}

/** The records beside the local `store` (which the command opened, and this closes). */
export async function recordsOf(config: SheriffConfig, store: Store): Promise<OpenRecords> {
  if (config.hub?.database === undefined) {
    // Loaded here, not at the top: `sheriff --help` loads this module and no store.
    const { asyncHosts, HostStore } = await import('../store/hosts.js');
    return {
      records: store.records,
      hosts: () => asyncHosts(new HostStore(store.db)),
      close: () => Promise.resolve(store.close()),
    };
  }
  try {
    const { openHubDatabase } = await import('../app/hub-database.js');
    const { records, hosts } = (await openHubDatabase(config.hub))!;
    return {
      records,
      hosts: () => hosts,
      close: async () => {
        store.close();
        await records.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
