import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord } from '../store/events.js';
import { CrossHostDetector, type CrossHostSettings, type DistributedAttack } from './cross-host.js';

const T0 = 1_800_000_000_000;
const MIN = 60_000;
const fail = (ip: string, at: number, user = 'root'): EventRecord => ({
  time: T0 + at,
  jail: 'sshd',
  filter: 'sshd',
  rule: 'auth-fail',
  result: 'fail',
  ip,
  host: null,
  user,
  attempts: 1,
  source: 'auth.log',
  line: `Failed password for ${user} from ${ip}`,
});

describe('CrossHostDetector', () => {
  it('finds an address failing a little on each of many hosts, naming them, once per window', () => {
    const d = new CrossHostDetector({ hosts: 3, failures: 10, window: 60 * MIN });
    const found = [];
    // Two failures on each of five hosts: below any host's own threshold.
    for (let h = 1; h <= 5; h++)
      for (let i = 0; i < 2; i++) {
        const r = d.observe(`web-${h}`, fail('203.0.113.7', (h * 2 + i) * MIN, `u${h}`));
        if (r !== null) found.push(r);
      }
    assert.equal(found.length, 1, 'one finding, not one per further failure');
    assert.deepEqual(found[0]!.hosts, ['web-1', 'web-2', 'web-3', 'web-4', 'web-5']);
    assert.equal(found[0]!.finding.kind, 'distributed');
    assert.equal(found[0]!.finding.count, 10);
    assert.equal(found[0]!.finding.first, T0 + 2 * MIN);
    assert.deepEqual(found[0]!.finding.users, ['u1', 'u2', 'u3', 'u4', 'u5']);
  });

  it('does not count failures on too few hosts, nor ones older than the window', () => {
    const d = new CrossHostDetector({ hosts: 3, failures: 10, window: 60 * MIN });
    // Many failures, but on two hosts only: each host's own jail sees them.
    for (let i = 0; i < 20; i++)
      assert.equal(d.observe(`web-${i % 2}`, fail('198.51.100.1', i * MIN)), null);
    // Three hosts, ten failures, but spread over three hours.
    for (let i = 0; i < 10; i++)
      assert.equal(d.observe(`web-${i % 3}`, fail('198.51.100.2', i * 20 * MIN)), null);
  });

  it('reports the same address again after a window, and counts late deliveries by event time', () => {
    const d = new CrossHostDetector({ hosts: 2, failures: 4, window: 10 * MIN });
    const at = (h: string, m: number) => d.observe(h, fail('192.0.2.9', m * MIN));
    assert.equal(at('a', 5), null);
    assert.equal(at('a', 6), null);
    assert.equal(at('b', 7), null);
    // A sensor back from an outage delivers an older failure: still within the window.
    assert.ok(at('c', 1));
    assert.equal(at('b', 8), null, 'reported already in this window');
    for (let m = 30; m < 33; m++) assert.equal(at('a', m), null);
    assert.ok(at('b', 33), 'a new window, a new finding');
  });

  it('ignores successes and lines without an address', () => {
    const d = new CrossHostDetector({ hosts: 1, failures: 1, window: MIN });
    assert.equal(d.observe('a', { ...fail('192.0.2.1', 0), result: 'success' }), null);
    assert.equal(d.observe('a', { ...fail('192.0.2.1', 0), ip: null }), null);
  });

  it('finds what summing every failure of the window finds, for every input it holds whole', () => {
    // Few failures per address and window: the detector holds each one, so all of it is exact.
    for (let seed = 1; seed <= 20; seed++) {
      const settings = { hosts: 3, failures: 12, window: 10 * MIN };
      const found = compare(new CrossHostDetector(settings), new Recount(settings), seed, {
        failures: 400,
        addresses: 12,
      });
      assert.ok(found.length > 0, `seed ${seed}: the input makes findings`);
      for (const [got, want] of found) assert.deepEqual(got, want);
    }
  });

  it('holds a bounded number of failures per address, and still decides exactly when and on which hosts', () => {
    const settings = { hosts: 3, failures: 12, window: 10 * MIN };
    for (let seed = 1; seed <= 10; seed++) {
      const d = new CrossHostDetector(settings);
      // Busy addresses: hundreds of failures in a window, far beyond what is held one by one.
      const found = compare(d, new Recount(settings), seed, { failures: 3000, addresses: 3 });
      assert.ok(found.length > 3, `seed ${seed}: the input makes findings (${found.length})`);
      for (const [got, want] of found) {
        assert.deepEqual(got.hosts, want.hosts);
        const g = got.finding;
        const w = want.finding;
        assert.deepEqual([g.ip, g.last, g.kind], [w.ip, w.last, w.kind]);
        // Summed per slice: the slice at the window's edge (1/60 of it) counts whole.
        assert.ok(g.count >= w.count && g.first <= w.first, `${g.count} ≥ ${w.count}`);
        assert.ok(g.first >= g.last - settings.window, 'first: within the window');
        assert.ok(
          g.users.every((u) => w.users.includes(u)),
          'users: a sample of the real ones',
        );
      }
      assert.ok(d.held().failures <= 3 * 16, `held ${d.held().failures}`);
    }
  });

  it('keeps a busy fleet-wide attacker in a few hundred bytes: what it holds does not grow with the rate', () => {
    const d = new CrossHostDetector({ hosts: 3, failures: 10, window: 60 * MIN });
    let found = 0;
    // 100,000 failures of one address within the hour, on 500 hosts.
    for (let i = 0; i < 100_000; i++)
      if (d.observe(`web-${i % 500}`, fail('203.0.113.9', Math.floor(i / 30) * 1000)) !== null)
        found++;
    assert.equal(found, 1);
    assert.deepEqual(d.held(), { addresses: 1, failures: 16 });
  });
});

/**
 * Feeds the same pseudo-random failures (late deliveries, hosts interleaved)
 * to `d` and `reference`; every pair of answers where either found something,
 * after checking that both found at the same failures.
 */
function compare(
  d: CrossHostDetector,
  reference: Recount,
  seed: number,
  o: { failures: number; addresses: number },
): [DistributedAttack, DistributedAttack][] {
  let x = seed;
  const next = (n: number) => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31), (x >>> 8) % n);
  let now = 0;
  const found: [DistributedAttack, DistributedAttack][] = [];
  for (let i = 0; i < o.failures; i++) {
    now += next(20) * 1000;
    const at = now - (next(10) === 0 ? next(15 * MIN) : 0);
    const e = {
      ...fail(`192.0.2.${next(o.addresses)}`, at, `u${next(20)}`),
      jail: next(3) === 0 ? 'sshd-ddos' : 'sshd',
      attempts: 1 + next(3),
    };
    const host = `web-${next(6)}`;
    const got = d.observe(host, e);
    const want = reference.observe(host, e);
    assert.equal(got === null, want === null, `seed ${seed}, failure ${i}: found or not`);
    if (got !== null) found.push([got, want!]);
  }
  return found;
}

/** The definition, slowly: every failure of the address within the window, summed at each one. */
class Recount {
  private readonly byIp = new Map<string, { host: string; e: EventRecord }[]>();
  private readonly reported = new Map<string, number>();
  constructor(private readonly s: CrossHostSettings) {}

  observe(host: string, e: EventRecord): DistributedAttack | null {
    const all = [...(this.byIp.get(e.ip!) ?? []), { host, e }];
    this.byIp.set(e.ip!, all);
    const newest = Math.max(...all.map((y) => y.e.time));
    // Stable by time: equal times keep their arrival order.
    const seen = all
      .filter((y) => y.e.time >= newest - this.s.window)
      .sort((a, b) => a.e.time - b.e.time);
    const hosts = new Set(seen.map((y) => y.host));
    const count = seen.reduce((n, y) => n + Math.max(1, y.e.attempts), 0);
    if (hosts.size < this.s.hosts || count < this.s.failures) return null;
    const last = this.reported.get(e.ip!);
    if (last !== undefined && newest - last < this.s.window) return null;
    this.reported.set(e.ip!, newest);
    return {
      hosts: [...hosts].sort(),
      finding: {
        kind: 'distributed',
        jail: mostCommon(seen.map((y) => y.e.jail)),
        scope: 'address',
        ip: e.ip!,
        count,
        first: seen[0]!.e.time,
        last: newest,
        users: [...new Set(seen.map((y) => y.e.user!))].sort(),
      },
    };
  }
}

/** The jail most of `jails` name; of equals, the one named first. */
function mostCommon(jails: readonly string[]): string {
  const n = new Map<string, number>();
  for (const j of jails) n.set(j, (n.get(j) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0]![0];
}
