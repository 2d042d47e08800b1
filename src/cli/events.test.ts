/** `sheriff events --ip` with a network: the addresses of a prefix incident, as a user asks. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '../store/index.js';
import { sampleEvent as ev, T0 } from '../store/testing.js';
import { runCli } from '../testing/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-events-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const config = join(root, 'sheriff.yaml');

describe('sheriff events --ip', () => {
  before(() => {
    const store = Store.open(join(root, 'sheriff.db'));
    // Addresses in 2001:db8:1:2::/64 written in every canonical shape, neighbours outside it.
    for (const [i, ip] of [
      '2001:db8:1:2::7',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:db8:1:2:0:1::',
      '2001:db8:1:3::7',
      '2001:db8:1::2',
      '203.0.113.5',
      '203.0.113.250',
      '203.0.114.5',
    ].entries())
      store.events.insert(ev({ time: T0 + i * 1000, ip }));
    store.close();
    writeFileSync(config, `store: { path: ${join(root, 'sheriff.db')} }\n`);
  });

  const ips = async (value: string) => {
    const r = await runCli(['--config', config, 'events', '--ip', value, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { ip: string }).ip)
      .sort();
  };

  it('takes an IPv6 /64 (a prefix incident subject) or an IPv4 /24, and still one address', async () => {
    assert.deepEqual(await ips('2001:db8:1:2::/64'), [
      '2001:db8:1:2:0:1::',
      '2001:db8:1:2::7',
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
    ]);
    assert.deepEqual(await ips('203.0.113.0/24'), ['203.0.113.250', '203.0.113.5']);
    assert.deepEqual(await ips('203.0.113.5'), ['203.0.113.5']);
  });

  it('refuses a network with host bits or a bad prefix, with status 2', async () => {
    for (const value of ['203.0.113.5/24', '2001:db8::/129', 'x/24']) {
      const r = await runCli(['--config', config, 'events', '--ip', value]);
      assert.equal(r.code, 2, value);
      assert.match(
        r.stderr,
        /--ip: ".*" is not an IP address or a network like 203\.0\.113\.0\/24/,
      );
    }
  });
});
