/**
 * `--host` on `sheriff events`, `incidents` and `bans` at the fleet's hub: one
 * host's rows, from a store filled through the hub's own ingest; each event
 * line names its host; a name that is not a host name is a usage error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HostStore } from '../store/hosts.js';
import { Store } from '../store/index.js';
import { sampleEvent, sampleFinding } from '../store/testing.js';
import { runCli } from '../testing/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-host-filter-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));
const config = join(root, 'hub.yaml');
const now = Date.now();

describe('--host at the hub', () => {
  before(() => {
    const store = Store.open(join(root, 'hub.db'));
    const hosts = new HostStore(store.db);
    for (const [host, ip, seq] of [
      ['web-1', '198.51.100.7', 1],
      ['web-3', '203.0.113.9', 2],
    ] as const) {
      const [finding] = hosts.ingest(
        host,
        'e1',
        seq,
        {
          events: [sampleEvent({ ip, time: now - 1000, source: 'file:/var/log/auth.log' })],
          findings: [{ finding: sampleFinding({ ip }), createdAt: now }],
        },
        now,
      )!;
      store.incidents.open(
        {
          attacker: ip,
          scope: 'address',
          kind: 'bruteforce',
          jail: 'sshd',
          first: now,
          last: now,
          users: [],
        },
        now,
        { time: now, kind: 'finding', actor: 'detect', refId: finding!, detail: {} },
      );
      const ban = store.bans.insert({
        target: { cidr: `${ip}/32`, family: 4 },
        jail: 'sshd',
        reason: 'sshd: 5 failures',
        requestedBy: 'jail:sshd',
        approvalId: null,
        createdAt: now,
        expiresAt: null,
      });
      store.bans.markApplied(ban.id, now, 'fleet');
    }
    store.close();
    writeFileSync(
      config,
      [
        `store: { path: ${join(root, 'hub.db')} }`,
        'timezone: UTC',
        "hub: { servers: ['nats://127.0.0.1:4222'], seedFile: hub.seed, signingKey: hub.pem }",
        '',
      ].join('\n'),
    );
  });

  it('events: each line names its host; --host keeps one', async () => {
    const all = await runCli(['--config', config, 'events']);
    assert.equal(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines.join('\n'), /fail +web-3 +sshd +203\.0\.113\.9 /);
    assert.match(lines.join('\n'), /fail +web-1 +sshd +198\.51\.100\.7 /);
    const one = await runCli(['--config', config, 'events', '--host', 'web-3']);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(
      one.stdout
        .trimEnd()
        .split('\n')
        .map((l) => /(\d+\.\d+\.\d+\.\d+)/.exec(l)?.[1]),
      ['203.0.113.9'],
    );
  });

  it('incidents and bans: only those of attackers the host reported', async () => {
    const incidents = await runCli(['--config', config, 'incidents', '--host', 'web-1', '--json']);
    assert.equal(incidents.code, 0, incidents.stderr);
    assert.deepEqual(
      incidents.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { attacker: string }).attacker),
      ['198.51.100.7'],
    );
    const bans = await runCli(['--config', config, 'bans', '--host', 'web-3', '--json']);
    assert.equal(bans.code, 0, bans.stderr);
    assert.deepEqual(
      bans.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { target: { cidr: string } }).target.cidr),
      ['203.0.113.9/32'],
    );
    const none = await runCli(['--config', config, 'bans', '--host', 'db-1']);
    assert.equal(none.code, 0, none.stderr);
    assert.doesNotMatch(none.stdout, /\d+\.\d+\.\d+\.\d+/);
  });

  it('a name that is not a host name is a usage error (exit 2)', async () => {
    for (const command of ['events', 'incidents', 'bans']) {
      const r = await runCli(['--config', config, command, '--host', 'Web_3']);
      assert.equal(r.code, 2, command);
      assert.match(r.stderr, /--host: Web_3 is not a host name/, command);
    }
  });
});
