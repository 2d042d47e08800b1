/**
 * The throttle's own rules, with an injected clock: which address a client
 * counts under, forgetting, and its two bounded lists. The HTTP side (real
 * clients from many addresses) is in attack.system.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginThrottle, throttleKey } from './login-throttle.js';

describe('login throttle', () => {
  it('counts IPv4 (mapped or not) per address and IPv6 per /64', () => {
    assert.equal(throttleKey('192.0.2.1'), '192.0.2.1');
    assert.equal(throttleKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(throttleKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(throttleKey('2001:DB8:1:2::ffff'), '2001:db8:1:2::/64');
  });

  it('forgets an address that has not tried for a day', () => {
    let now = 0;
    const t = new LoginThrottle({ clock: () => now, free: 2 });
    t.attempt('192.0.2.1');
    t.attempt('192.0.2.1');
    assert.equal(t.attempt('192.0.2.1'), 1000);
    now += 24 * 3_600_000;
    assert.equal(t.attempt('192.0.2.1'), 0);
    assert.equal(t.attempt('192.0.2.1'), 0, 'starting over, it has its free tries again');
  });

  it('keeps at most maxTracked addresses, half for new ones, half for those made to wait', () => {
    const now = 0;
    const t = new LoginThrottle({ clock: () => now, free: 1, maxTracked: 4 });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) t.attempt(ip);
    assert.equal(t.tracked, 2, 'the third made to wait pushed out the first');
    assert.equal(t.waiting('192.0.2.1'), 0);
    assert.equal(t.waiting('192.0.2.3'), 1000);
    const fresh = new LoginThrottle({ clock: () => now, free: 3, maxTracked: 4 });
    for (let i = 0; i < 3; i++) fresh.attempt('192.0.2.9');
    for (let i = 1; i <= 50; i++) fresh.attempt(`198.51.100.${i}`);
    assert.equal(fresh.tracked, 3);
    assert.equal(fresh.waiting('192.0.2.9'), 1000, 'new addresses did not push it out');
  });
});
