import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord } from '../store/events.js';
import { CrossHostDetector } from './cross-host.js';

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
});
