import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Store, type BanRequest } from './index.js';
import { T0 } from './testing.js';

const HOUR = 3_600_000;
const root = mkdtempSync(join(tmpdir(), 'sheriff-store-bans-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `b${++n}.db`);

function req(over: Partial<BanRequest> = {}): BanRequest {
  return {
    target: { cidr: '203.0.113.5/32', family: 4 },
    jail: 'sshd',
    reason: 'sshd: 5 failures',
    requestedBy: 'jail:sshd',
    approvalId: null,
    createdAt: T0,
    expiresAt: T0 + HOUR,
    ...over,
  };
}

describe('BanStore', () => {
  it('a ban is enforced only once a real firewall confirmed it; dry-run and unknown are not', () => {
    const store = Store.open(freshPath());
    try {
      const real = store.bans.insert(req());
      const dry = store.bans.insert(req({ target: { cidr: '203.0.113.6/32', family: 4 } }));
      const old = store.bans.insert(req({ target: { cidr: '203.0.113.7/32', family: 4 } }));
      store.bans.markApplied(real.id, T0, 'nftables');
      store.bans.markApplied(dry.id, T0, 'dry-run');
      store.bans.markApplied(old.id, T0, 'nftables');
      // A ban applied before Sheriff recorded its firewall (the column added by migration 4).
      store.db.prepare('UPDATE bans SET firewall = NULL WHERE id = ?').run(old.id);
      const state = () => store.bans.active(T0).map((b) => [b.target.cidr, b.firewall, b.enforced]);
      assert.deepEqual(state(), [
        ['203.0.113.5/32', 'nftables', true],
        ['203.0.113.6/32', 'dry-run', false],
        ['203.0.113.7/32', null, false],
      ]);
      // The daemon now runs with nftables and its reconciliation holds them all.
      store.bans.markHeld([dry.id, old.id], 'nftables');
      assert.deepEqual(
        state().map(([, fw, on]) => [fw, on]),
        [
          ['nftables', true],
          ['nftables', true],
          ['nftables', true],
        ],
      );
      // And back to a dry-run: nothing is enforced any more.
      store.bans.markHeld([real.id, dry.id, old.id], 'dry-run');
      assert.deepEqual(
        state().map(([, , on]) => on),
        [false, false, false],
      );
    } finally {
      store.close();
    }
  });

  it('a ban is pending until applied, active until it expires or is removed', () => {
    const store = Store.open(freshPath());
    try {
      const b = store.bans.insert(req({ approvalId: 'Fx7kQ2mZp9Ab' }));
      assert.deepEqual(b, {
        id: 1,
        target: { cidr: '203.0.113.5/32', family: 4 },
        jail: 'sshd',
        reason: 'sshd: 5 failures',
        requestedBy: 'jail:sshd',
        approvalId: 'Fx7kQ2mZp9Ab',
        createdAt: T0,
        expiresAt: T0 + HOUR,
        appliedAt: null,
        removedAt: null,
        removedReason: null,
        offence: 0,
        firewall: null,
        enforced: false,
      });
      assert.deepEqual(
        store.bans.pending().map((x) => x.id),
        [1],
      );
      assert.deepEqual(store.bans.active(T0), []);
      assert.equal(store.bans.markApplied(1, T0 + 1000, 'nftables'), true);
      assert.equal(store.bans.markApplied(1, T0 + 2000, 'nftables'), false);
      assert.deepEqual(store.bans.pending(), []);
      assert.deepEqual(
        store.bans.active(T0 + HOUR - 1).map((x) => x.id),
        [1],
      );
      assert.deepEqual(store.bans.expired(T0 + HOUR - 1), []);
      assert.deepEqual(store.bans.active(T0 + HOUR), []);
      assert.deepEqual(
        store.bans.expired(T0 + HOUR).map((x) => x.id),
        [1],
      );
      assert.equal(store.bans.markRemoved(1, T0 + HOUR, 'expired'), true);
      assert.equal(store.bans.markRemoved(1, T0 + HOUR + 1, 'again'), false);
      assert.deepEqual(store.bans.expired(T0 + 2 * HOUR), []);
      const removed = store.bans.get(1);
      assert.equal(removed?.removedAt, T0 + HOUR);
      assert.equal(removed?.removedReason, 'expired');
      assert.equal(store.bans.get(99), null);
    } finally {
      store.close();
    }
  });

  it('permanent bans never expire; a removed pending ban is never applied', () => {
    const store = Store.open(freshPath());
    try {
      const p = store.bans.insert(req({ expiresAt: null }));
      store.bans.markApplied(p.id, T0, 'nftables');
      assert.deepEqual(
        store.bans.active(T0 + 1000 * HOUR).map((x) => x.id),
        [p.id],
      );
      assert.deepEqual(store.bans.expired(T0 + 1000 * HOUR), []);
      const q = store.bans.insert(req({ target: { cidr: '2001:db8:1:2::/64', family: 6 } }));
      assert.equal(store.bans.markRemoved(q.id, T0, 'firewall failed'), true);
      assert.equal(store.bans.markApplied(q.id, T0 + 1, 'nftables'), false);
      assert.deepEqual(store.bans.pending(), []);
    } finally {
      store.close();
    }
  });

  it('counts earlier applied bans of the same cidr as offences; history is newest first', () => {
    const store = Store.open(freshPath());
    try {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        const b = store.bans.insert(
          req({ createdAt: T0 + i * HOUR, expiresAt: T0 + i * HOUR + 1 }),
        );
        assert.equal(b.offence, i);
        store.bans.markApplied(b.id, T0 + i * HOUR, 'nftables');
        store.bans.markRemoved(b.id, T0 + i * HOUR + 1, 'expired');
        ids.push(b.id);
      }
      // Never applied: not an offence.
      const failed = store.bans.insert(req({ createdAt: T0 + 5 * HOUR }));
      store.bans.markRemoved(failed.id, T0 + 5 * HOUR, 'firewall failed');
      assert.equal(store.bans.offences('203.0.113.5/32'), 3);
      assert.equal(store.bans.offences('203.0.113.6/32'), 0);
      // Recidive's window: applied at or after `since`, whatever the jail.
      assert.deepEqual(
        [T0, T0 + 1, T0 + 2 * HOUR, T0 + 2 * HOUR + 1].map((t) =>
          store.bans.offencesSince('203.0.113.5/32', t),
        ),
        [3, 2, 1, 0],
      );
      assert.equal(store.bans.insert(req({ offence: 7 })).offence, 7);
      assert.deepEqual(
        store.bans.history('203.0.113.5/32', 3).map((b) => b.createdAt),
        [T0 + 5 * HOUR, T0 + 2 * HOUR, T0 + HOUR],
      );
      assert.equal(store.bans.history('203.0.113.5/32').length, 5);
    } finally {
      store.close();
    }
  });

  it('accepts only canonical CIDRs of the family they claim', () => {
    const store = Store.open(freshPath());
    try {
      for (const target of [
        { cidr: '203.0.113.5', family: 4 as const },
        { cidr: '203.0.113.5/24', family: 4 as const },
        { cidr: '2001:DB8::/64', family: 6 as const },
        { cidr: '203.0.113.5/32', family: 6 as const },
        { cidr: "1.2.3.4/32'; DROP TABLE bans; --", family: 4 as const },
      ]) {
        assert.throws(() => store.bans.insert(req({ target })), TypeError, target.cidr);
      }
      assert.throws(() => store.bans.insert(req({ offence: -1 })), TypeError);
      assert.equal(store.bans.history('203.0.113.5/32').length, 0);
    } finally {
      store.close();
    }
  });
});
