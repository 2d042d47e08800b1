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

  it('keeps its sums as failures come and leave the window: the same findings as summing every failure each time', () => {
    const settings = { hosts: 3, failures: 12, window: 10 * MIN };
    const d = new CrossHostDetector(settings);
    const reference = new Recount(settings);
    // Deterministic pseudo-random input: late deliveries, hosts interleaved, a few addresses.
    let x = 42;
    const next = (n: number) => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31), x % n);
    let now = 0;
    let found = 0;
    for (let i = 0; i < 2000; i++) {
      now += next(20) * 1000;
      const at = now - (next(10) === 0 ? next(15 * MIN) : 0);
      const e = { ...fail(`192.0.2.${next(4)}`, at, `u${next(5)}`), attempts: 1 + next(3) };
      const host = `web-${next(6)}`;
      const got = d.observe(host, e);
      assert.deepEqual(got, reference.observe(host, e), `failure ${i}`);
      if (got !== null) found++;
    }
    assert.ok(found > 10, `the input makes findings (${found})`);
  });
});

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
        jail: 'sshd',
        scope: 'address',
        ip: e.ip!,
        count,
        first: seen[0]!.e.time,
        last: newest,
        users: [...new Set(seen.map((y) => y.e.user!))],
      },
    };
  }
}
