import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../log.js';
import type { FleetBanAlert } from '../notify/notifier.js';
import { asyncHosts, HostStore } from '../store/hosts.js';
import { Store } from '../store/index.js';
import { ManualClock } from '../testing/manual-clock.js';
import { BanTally } from './hub.js';
import type { Confirmation, Decision } from './protocol.js';

const T0 = 1_800_000_000_000;

describe('BanTally', () => {
  it('counts a burst of confirmations together and tells the complete count once', async () => {
    const store = Store.open(':memory:');
    try {
      const hosts = asyncHosts(new HostStore(store.db));
      const names = Array.from({ length: 100 }, (_, i) => `h${i}`);
      for (const name of names)
        await hosts.status(
          name,
          { version: '1', lagMs: 0, outbox: 0, errors: [], groups: [], at: T0 },
          T0,
        );
      let lists = 0;
      const counted = {
        ...hosts,
        list: () => {
          lists++;
          return hosts.list();
        },
      };
      const alerts: FleetBanAlert[] = [];
      const tally = new BanTally({
        hosts: counted,
        clock: new ManualClock(T0),
        logger: createLogger({ level: 'silent', format: 'json' }),
        alert: (a) => alerts.push(a),
      });
      const d: Decision = {
        v: 1,
        id: 'bMTk4LjUxLjEwMC43LzMy',
        action: 'ban',
        cidr: '198.51.100.7/32',
        scope: { kind: 'fleet' },
        expiresAt: null,
        reason: 'test',
        approvalId: null,
        issuedAt: T0,
      };
      tally.published(d);
      // Every host answers at once, as a fleet does within a second of a decision.
      const answers = names.map(async (host) => {
        const c: Confirmation = { v: 1, decision: d.id, outcome: 'applied', reason: null, at: T0 };
        await hosts.confirm({ ...c, host });
        await tally.confirmed(c);
      });
      await Promise.all(answers);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(alerts.length, 1, 'told once');
      assert.deepEqual(
        { applied: alerts[0]!.applied, of: alerts[0]!.of, problems: alerts[0]!.problems },
        { applied: 100, of: 100, problems: [] },
      );
      // One count per answer read every host 100 times; a count runs at a time.
      assert.ok(lists <= 3, `the hosts were read ${lists} times for 100 answers`);
    } finally {
      store.close();
    }
  });
});
