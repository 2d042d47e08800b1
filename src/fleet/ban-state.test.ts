/**
 * A fleet ban at the hub is a published decision: never "banned" or "enforced"
 * by itself, only "confirmed on N of M hosts" as the sensors answered — in the
 * store's counts, in `sheriff bans` and in `sheriff status`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCounts } from '../store/counts.js';
import { asyncHosts, HostStore } from '../store/hosts.js';
import { Store } from '../store/index.js';
import { runCli } from '../testing/run-cli.js';
import { fleetBanStates, recordPublished } from './ban-state.js';
import { decisionIdOf } from './fleet-firewall.js';
import type { Decision } from './protocol.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-fleet-bans-'));
after(() => rmSync(root, { recursive: true, force: true }));
const HOUR = 3_600_000;

/** A hub's store: three hosts (two in group edge), one published ban, what the hosts answered. */
async function hubStore(path: string, now: number) {
  const store = Store.open(path);
  const hosts = new HostStore(store.db);
  for (const [name, groups] of [
    ['web-1', ['edge']],
    ['web-2', ['edge']],
    ['db-1', []],
  ] as const)
    hosts.status(
      name,
      { version: '1', lagMs: 0, outbox: 0, errors: [], groups: [...groups], at: now },
      now,
    );
  const target = { cidr: '203.0.113.7/32', family: 4 as const };
  const ban = store.bans.insert({
    target,
    jail: 'sshd',
    reason: 'sshd: 5 failures',
    requestedBy: 'web:admin',
    approvalId: null,
    createdAt: now - 1000,
    expiresAt: now + HOUR,
  });
  const d: Decision = {
    v: 1,
    id: decisionIdOf(target.cidr),
    action: 'ban',
    cidr: target.cidr,
    scope: { kind: 'group', group: 'edge' },
    expiresAt: now + HOUR,
    reason: 'sshd: 5 failures',
    approvalId: null,
    issuedAt: now - 500,
  };
  await recordPublished(store.records.status, d);
  store.bans.markApplied(ban.id, now - 400, 'fleet');
  // An answer to an earlier ban of the same address does not count for this one.
  hosts.confirm({
    decision: d.id,
    host: 'web-2',
    outcome: 'applied',
    reason: null,
    at: now - 9000,
  });
  hosts.confirm({ decision: d.id, host: 'web-1', outcome: 'applied', reason: null, at: now - 100 });
  // Out of the decision's scope: not one of its hosts.
  hosts.confirm({ decision: d.id, host: 'db-1', outcome: 'applied', reason: null, at: now - 100 });
  return { store, hosts, ban, d };
}

describe('fleet bans at the hub', () => {
  it('are not enforced by themselves; their state is the confirmations of the hosts in scope', async () => {
    const now = Date.UTC(2026, 11, 7, 9, 0);
    const { store, hosts, ban, d } = await hubStore(join(root, 'unit.db'), now);
    try {
      const stored = store.bans.get(ban.id)!;
      assert.equal(stored.enforced, false, 'a published decision drops no packet by itself');
      const counts = await readCounts(store.records, now);
      assert.equal(counts.fleetBans, 1);
      assert.equal(counts.unenforcedBans, 0, 'not a dry-run ban either: counted on its own');

      const sources = { status: store.records.status, hosts: asyncHosts(hosts) };
      const states = await fleetBanStates([stored], sources);
      assert.deepEqual(states.get(ban.id), { applied: 1, of: 2, problems: [] });

      hosts.confirm({
        decision: d.id,
        host: 'web-2',
        outcome: 'refused',
        reason: 'an admin address',
        at: now,
      });
      const again = await fleetBanStates([stored], sources);
      assert.deepEqual(again.get(ban.id), {
        applied: 1,
        of: 2,
        problems: [{ host: 'web-2', outcome: 'refused', reason: 'an admin address' }],
      });
    } finally {
      store.close();
    }
  });

  it('`sheriff bans` and `sheriff status` say published and confirmed on N of M hosts, never banned', async () => {
    const now = Date.now();
    const path = join(root, 'hub.db');
    const config = join(root, 'hub.yaml');
    writeFileSync(config, `store: { path: ${path} }\nsources: [{ type: stdin }]\n`);
    const { store } = await hubStore(path, now);
    store.close();

    const bans = await runCli(['--config', config, 'bans']);
    assert.equal(bans.code, 0, bans.stderr);
    assert.match(
      bans.stdout,
      /203\.0\.113\.7\/32.*published to the fleet, confirmed on 1 of 2 hosts/,
    );
    const json = JSON.parse((await runCli(['--config', config, 'bans', '--json'])).stdout) as {
      enforced: boolean;
      fleet: unknown;
    };
    assert.equal(json.enforced, false);
    assert.deepEqual(json.fleet, { applied: 1, of: 2, problems: [] });

    const status = await runCli(['--config', config, 'status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      /Fleet bans published: 1; confirmed on every host in scope: 0; not yet on every host: 1/,
    );
    assert.doesNotMatch(status.stdout, /Bans in force/);
    const s = JSON.parse((await runCli(['--config', config, 'status', '--json'])).stdout) as {
      bans: unknown;
    };
    assert.deepEqual(s.bans, {
      active: 1,
      enforced: 0,
      fleet: { count: 1, everywhere: 0, partial: 1 },
    });
  });
});
