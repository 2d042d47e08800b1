/**
 * The long-horizon detector on a real SQLite store (store/failure-history.ts):
 * which addresses its hourly runs report, and that each is reported once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../domain.js';
import { trustedNetworks } from '../intel/trusted.js';
import { openStore, type Store } from '../store/index.js';
import { sampleEvent, T0 } from '../store/testing.js';
import { defaultJail, type JailSettings } from './jail.js';
import { LongHorizonDetector } from './long-horizon.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let dir: string;
let n = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-long-horizon-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup(over: Partial<JailSettings> = {}) {
  const store = openStore(join(dir, `s${n++}.db`));
  const jail = { ...defaultJail('sshd', trustedNetworks(['198.18.0.0/15']), 'normal'), ...over };
  const detector = new LongHorizonDetector([jail], store.failureHistory);
  const fail = (ip: string, time: number, user = 'root') =>
    store.events.insert(sampleEvent({ ip, host: ip, time, user }));
  const login = (ip: string, time: number, user: string) =>
    store.events.insert(sampleEvent({ ip, host: ip, time, user, result: 'success' }));
  /** Runs hourly from `from` to `to`, storing each finding as the daemon does. */
  const runs = async (from: number, to: number) => {
    const found: Finding[] = [];
    for (let t = from; t <= to; t += HOUR)
      for (const f of await detector.run(t)) {
        store.findings.insert(f, t);
        found.push(f);
      }
    return found;
  };
  return { store, detector, fail, login, runs };
}

const close = (s: Store) => s.close();

describe('LongHorizonDetector', () => {
  it('reports a persistent attacker once, when 20 failures span two days, not before', async () => {
    const { store, fail, runs } = setup();
    for (let i = 0; i < 36; i++) fail('203.0.113.7', T0 + i * 2 * HOUR);
    // 20 failures within the first 40 hours: the run after the 20th, on the second day.
    const found = await runs(T0, T0 + 7 * DAY);
    assert.deepEqual(
      found.map((f) => [f.kind, f.ip, f.users]),
      [['persistent', '203.0.113.7', ['root']]],
    );
    assert.equal(found[0]!.count, 20);
    assert.equal(found[0]!.first, T0);
    close(store);
  });

  it('does not report 20 failures within one day (the faster windows are for those)', async () => {
    const { store, fail, runs } = setup();
    const dayStart = Date.UTC(2026, 10, 26);
    for (let i = 0; i < 23; i++) fail('203.0.113.8', dayStart + i * HOUR);
    assert.deepEqual(await runs(dayStart, dayStart + DAY - 1), []);
    close(store);
  });

  it('reports stuffing (many accounts), before and instead of persistent', async () => {
    const { store, fail, runs } = setup();
    for (let i = 0; i < 25; i++) fail('198.51.100.3', T0 + i * 3 * HOUR, `user${i}`);
    const found = await runs(T0, T0 + 7 * DAY);
    assert.deepEqual(
      found.map((f) => [f.kind, f.count]),
      [['stuffing', 20]],
    );
    assert.equal(found[0]!.users.length, 16);
    close(store);
  });

  it('sums an IPv6 /64 whose addresses each try one account, and names a lone address alone', async () => {
    const { store, fail, runs } = setup();
    for (let i = 0; i < 22; i++)
      fail(`2001:db8:5:6::${(i + 1).toString(16)}`, T0 + i * 3 * HOUR, `user${i}`);
    for (let i = 0; i < 24; i++) fail('2001:db8:9:9::1', T0 + i * 3 * HOUR);
    const found = await runs(T0, T0 + 7 * DAY);
    assert.deepEqual(found.map((f) => [f.kind, f.scope, f.ip, f.count]).sort(), [
      ['persistent', 'address', '2001:db8:9:9::1', 20],
      ['stuffing', 'prefix', '2001:db8:5:6::/64', 20],
    ]);
    assert.ok(found.find((f) => f.kind === 'stuffing')!.users.includes('user0'));
    close(store);
  });

  it('counts no account that logged in from the address, and no trusted address', async () => {
    const { store, fail, login, runs } = setup();
    for (let d = 0; d < 6; d++) {
      for (let i = 0; i < 5; i++) fail('192.0.2.40', T0 + d * DAY + i * 60_000, 'alice');
      login('192.0.2.40', T0 + d * DAY + 10 * 60_000, 'alice');
      for (let i = 0; i < 8; i++) fail('198.18.0.9', T0 + d * DAY + i * HOUR, `svc${i}${d}`);
      fail('10.0.0.9', T0 + d * DAY, 'root');
    }
    for (let i = 0; i < 30; i++) fail('10.0.0.9', T0 + i * 4 * HOUR, `u${i}`);
    assert.deepEqual(await runs(T0, T0 + 7 * DAY), []);
    close(store);
  });

  it('is off per rule with false, and skips an address another rule already reported', async () => {
    const off = setup({ persistent: null, stuffing: null });
    assert.equal(off.detector.enabled, false);
    close(off.store);
    const { store, fail, runs } = setup();
    store.findings.insert(
      {
        kind: 'slow-bruteforce',
        jail: 'sshd',
        scope: 'address',
        ip: '203.0.113.9',
        count: 12,
        first: T0,
        last: T0,
        users: ['root'],
      },
      T0,
    );
    for (let i = 0; i < 30; i++) fail('203.0.113.9', T0 + i * 2 * HOUR);
    // Reported at T0 by the slow window: not again by this detector within its 7-day window.
    assert.deepEqual(
      (await runs(T0, T0 + 7 * DAY - HOUR)).map((f) => f.kind),
      [],
    );
    close(store);
  });
});
