/**
 * The records a command reads and writes: at a hub with `hub.database`, its
 * PostgreSQL (what the hub daemon writes); everywhere else the local store's.
 */
import type { SheriffConfig } from '../app/config.js';
import type { RecordStore } from '../store/api.js';
import type { Store } from '../store/index.js';

export interface OpenRecords {
  records: RecordStore;
  /** Closes the records and `store`. */
  close: () => Promise<void>;
}

/** The records beside the local `store` (which the command opened, and this closes). */
export async function recordsOf(config: SheriffConfig, store: Store): Promise<OpenRecords> {
  if (config.hub?.database === undefined)
    return { records: store.records, close: () => Promise.resolve(store.close()) };
  try {
    const { openHubDatabase } = await import('../app/hub-database.js');
    const { records } = (await openHubDatabase(config.hub))!;
    return {
      records,
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
