/** `sheriff hosts`: the fleet's hosts from the hub's store, as a table and as JSON; a sensor's text stays data. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HostStore } from '../store/hosts.js';
import { Store } from '../store/index.js';
import { runCli } from '../testing/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-hosts-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const config = join(root, 'hub.yaml');
const T0 = Date.UTC(2026, 11, 7, 8, 0);

describe('sheriff hosts', () => {
  before(() => {
    const store = Store.open(join(root, 'hub.db'));
    const hosts = new HostStore(store.db);
    hosts.status(
      'web-2',
      {
        version: '1.4.0',
        lagMs: 2500,
        outbox: 3,
        errors: ['nats: timeout\n\u001b[31mred'],
        groups: [],
        at: T0,
      },
      T0,
    );
    hosts.status(
      'web-1',
      { version: '1.4.1', lagMs: 0, outbox: 0, errors: [], groups: ['edge'], at: T0 },
      T0,
    );
    hosts.confirm({
      decision: 'bMTIzNDU2Nzg',
      host: 'web-1',
      outcome: 'applied',
      reason: null,
      at: T0,
    });
    hosts.rejected('web-2', T0);
    store.close();
    writeFileSync(config, `store: { path: ${join(root, 'hub.db')} }\ntimezone: UTC\n`);
  });

  it('lists every host with its lag, version, outbox, bans in force and errors', async () => {
    const r = await runCli(['--config', config, 'hosts']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^HOST\s+LAST SEEN\s+LAG\s+VERSION\s+OUTBOX\s+BANS\s+ERRORS$/);
    assert.match(lines[1]!, /^web-1\s+2026-12-07T08:00:00\+00:00\s+0s\s+1\.4\.1\s+0\s+1$/);
    assert.match(lines[2]!, /^web-2\s+2026-12-07T08:00:00\+00:00\s+3s\s+1\.4\.0\s+3\s+0\s/);
    assert.match(
      lines[2]!,
      /nats: timeout {2}\[31mred; 1 rejected$/,
      'control characters are blanked',
    );
    assert.equal(lines.length, 3);
  });

  it('prints JSON for scripts', async () => {
    const r = await runCli(['--config', config, 'hosts', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const hosts = JSON.parse(r.stdout) as { name: string; bansApplied: number; rejected: number }[];
    assert.deepEqual(
      hosts.map((h) => [h.name, h.bansApplied, h.rejected]),
      [
        ['web-1', 1, 0],
        ['web-2', 0, 1],
      ],
    );
  });
});
