/** The hub's hosts store contract (hosts-contract.ts) against SQLite. */
import { describeHostStoreContract } from './hosts-contract.js';
import { asyncHosts, HostStore } from './hosts.js';
import { Store } from './index.js';

describeHostStoreContract('SQLite', {
  open: () => {
    const store = Store.open(':memory:');
    return Promise.resolve({
      hosts: asyncHosts(new HostStore(store.db)),
      records: store.records,
      close: () => Promise.resolve(store.close()),
    });
  },
});
