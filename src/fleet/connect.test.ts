import assert from 'node:assert/strict';
import { createAccount, createUser } from '@nats-io/nkeys';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { PeerCertificate } from 'node:tls';
import {
  fleetConnectionOptions,
  fleetServerIdentity,
  hostsStreamConfig,
  MAX_RECONNECT_DELAY_MS,
  readSeed,
  reconnectBackoff,
  seedPublicKey,
} from './connect.js';
import { accountsConfig, hostPermissions } from './nats-config.js';
import { INGESTED_KEEP_MS } from '../store/retention.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-connect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function seedFile(name: string, text: string, mode = 0o600): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode });
  chmodSync(file, mode);
  return file;
}

describe('fleet connection', () => {
  it('reads a user seed only from a private file, never quoting it', () => {
    const kp = createUser();
    const seed = new TextDecoder().decode(kp.getSeed());
    const good = seedFile('good.seed', seed + '\n');
    assert.equal(seedPublicKey(readSeed(good)), kp.getPublicKey());
    const open = seedFile('open.seed', seed, 0o644);
    assert.throws(() => readSeed(open), /accessible to other users/);
    const account = new TextDecoder().decode(createAccount().getSeed());
    for (const [name, text] of [
      ['account.seed', account],
      ['junk.seed', 'SUnot-a-seed'],
    ] as const) {
      assert.throws(
        () => readSeed(seedFile(name, text)),
        (err: Error) => /holds no user nkey seed/.test(err.message) && !err.message.includes(text),
      );
    }
    assert.throws(() => readSeed(join(dir, 'none.seed')), /no NATS seed file/);
  });

  it("puts a host's inboxes under its own prefix and requires TLS with the CA when given", () => {
    const file = seedFile('host.seed', new TextDecoder().decode(createUser().getSeed()));
    const o = fleetConnectionOptions({
      servers: ['tls://hub:4222'],
      seedFile: file,
      host: 'web-1',
      caFile: '/etc/sheriff/fleet/ca.pem',
    });
    assert.equal(o.inboxPrefix, '_INBOX_web-1');
    assert.equal(o.tls?.caFile, '/etc/sheriff/fleet/ca.pem');
    assert.equal(o.maxReconnectAttempts, -1);
    const hub = fleetConnectionOptions({ servers: ['nats://hub:4222'], seedFile: file });
    assert.equal(hub.inboxPrefix, undefined);
    assert.equal(hub.tls, undefined);
  });

  it("accepts a certificate naming one of the fleet's servers, an address included", () => {
    const check = fleetServerIdentity([
      'tls://10.0.0.5:4222',
      'tls://[fd00::6]:4222',
      'tls://nats-3.example:4222',
    ]);
    const cert = (san: string) =>
      ({ subject: { CN: 'x' }, subjectaltname: san }) as unknown as PeerCertificate;
    // The NATS client asks about an address URL as "localhost".
    for (const san of [
      'IP Address:10.0.0.5',
      'IP Address:FD00:0:0:0:0:0:0:6',
      'DNS:nats-3.example',
    ])
      assert.equal(check('localhost', cert(san)), undefined, san);
    assert.equal(check('nats-9.example', cert('DNS:nats-9.example')), undefined);
    // A certificate for no server of the fleet: the usual refusal, naming the host asked about.
    assert.match(
      String(check('localhost', cert('IP Address:10.0.0.9, DNS:other.example'))),
      /Host: localhost\. is not in the cert's altnames/,
    );
  });

  it('waits longer after each failed reconnect, up to a limit, and starts over when connected', () => {
    let t = 0;
    const b = reconnectBackoff(() => t);
    /**
     * When the NATS client dials, as its dial loop (nats-core dodialLoop) asks:
     * it asks for the pause on every turn, and dials once the last dial is that long ago.
     */
    const dials = (n: number) => {
      const at: number[] = [];
      let last = -Infinity;
      for (let turns = 0; at.length < n && turns < 1000; turns++) {
        const wait = b.delay();
        if (last + wait <= t) at.push((last = t));
        else t += Math.min(wait, last + wait - t);
      }
      return at;
    };
    const first = dials(9);
    assert.deepEqual(first.slice(0, 7), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(first[8]! - first[7]!, MAX_RECONNECT_DELAY_MS, 'never more than the limit apart');
    // Connected again, then lost: it starts over with short pauses.
    b.reset();
    const start = t;
    assert.deepEqual(
      dials(3).map((d) => d - start),
      [0, 500, 1500],
    );
  });

  it('keeps hosts messages on disk 7 days, dropping retries within 10 minutes', () => {
    const c = hostsStreamConfig({ replicas: 3 });
    assert.equal(c.storage, 'file');
    assert.equal(c.num_replicas, 3);
    assert.equal(c.max_age, 7 * 86_400_000 * 1e6);
    assert.ok(
      INGESTED_KEEP_MS * 1e6 > c.max_age,
      'the hub remembers a stored row longer than the stream can redeliver it',
    );
    assert.equal(c.duplicate_window, 10 * 60_000 * 1e6);
  });
});

describe('fleet accounts config', () => {
  const hub = createUser().getPublicKey();

  it('lets a host publish only on its own subjects and read only its own inbox', () => {
    const p = hostPermissions('web-1');
    assert.ok(p.publish.includes('sheriff.host.web-1.>'));
    assert.deepEqual(
      p.publish.filter((s) => s.startsWith('sheriff.') || s.startsWith('$KV') || s === '>'),
      ['sheriff.host.web-1.>'],
    );
    assert.deepEqual(p.subscribe, ['_INBOX_web-1.>']);
    assert.ok(p.publish.every((s) => !s.includes('SHERIFF_HOSTS')));
  });

  it('refuses a bad host name, a twice-listed host, or a key that is not a user key', () => {
    const nkey = createUser().getPublicKey();
    assert.throws(() => accountsConfig({ hub, hosts: [{ name: 'a.b', nkey }] }), /not a host name/);
    assert.throws(
      () =>
        accountsConfig({
          hub,
          hosts: [
            { name: 'a', nkey },
            { name: 'a', nkey },
          ],
        }),
      /listed twice/,
    );
    assert.throws(
      () => accountsConfig({ hub, hosts: [{ name: 'a', nkey: createAccount().getPublicKey() }] }),
      /not an nkey user public key/,
    );
    assert.throws(() => accountsConfig({ hub: 'x', hosts: [] }), /not an nkey user/);
  });

  it('quotes every subject, so "$JS" is not read as a variable', () => {
    const text = accountsConfig({ hub, hosts: [{ name: 'a', nkey: createUser().getPublicKey() }] });
    assert.match(text, /"\$JS\.API\.INFO"/);
    assert.doesNotMatch(text, /[^"]\$JS/);
  });
});
