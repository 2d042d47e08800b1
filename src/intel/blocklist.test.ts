import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { T0 } from '../store/testing.js';
import { ListServer } from '../testing/list-server.js';
import { BlocklistProvider, parseBlocklist, RETRY_AFTER_FAILURE_MS } from './blocklist.js';
import { intelSchema, type BlocklistConfig } from './config.js';
import { Enricher } from './enricher.js';
import { TrustedProvider } from './trusted.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-blocklist-'));
let server: ListServer;
before(async () => {
  server = await ListServer.start();
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const HOUR = 3_600_000;

/** The head of FireHOL's firehol_level1.netset; like it, the list holds bogons and private ranges. */
const NETSET = `#
# firehol_level1
#
# ipv4 hash:net ipset
#
# Maintainer      : FireHOL
# Maintainer URL  : http://iplists.firehol.org/
# Category        : attacks
# Entries         : 7 subnets
#
0.0.0.0/8
10.0.0.0/8
127.0.0.0/8
192.168.0.0/16
198.51.100.0/24
203.0.113.77
224.0.0.0/3
`;

/** Spamhaus DROP in its JSON-lines form (drop_v4.json, drop_v6.json): entries, then a metadata line. */
const DROP = `{"cidr":"198.51.100.0/24","sblid":"SBL000001","rir":"arin"}
{"cidr":"2001:db8:bad::/48","sblid":"SBL000002","rir":"ripencc"}
{"type":"metadata","timestamp":1764057600,"size":178,"records":2,"copyright":"(c) 2025 The Spamhaus Project SLU","terms":"https://www.spamhaus.org/drop/terms/"}
`;

const texts = (text: string, format?: Parameters<typeof parseBlocklist>[1]) => {
  const parsed = parseBlocklist(text, format);
  return { networks: parsed.networks.map((n) => n.text), skipped: parsed.skipped };
};

function listConfig(list: Record<string, unknown>): BlocklistConfig {
  return intelSchema.parse({ blocklists: [list] }).blocklists[0]!;
}

describe('parseBlocklist', () => {
  it('a FireHOL netset: comments skipped, CIDRs kept, single addresses as /32', () => {
    assert.deepEqual(texts(NETSET, 'netset'), {
      networks: [
        '0.0.0.0/8',
        '10.0.0.0/8',
        '127.0.0.0/8',
        '192.168.0.0/16',
        '198.51.100.0/24',
        '203.0.113.77/32',
        '224.0.0.0/3',
      ],
      skipped: 0,
    });
  });

  it('Spamhaus DROP JSON lines, IPv4 and IPv6; the metadata line is not an entry', () => {
    assert.deepEqual(texts(DROP, 'spamhaus-drop'), {
      networks: ['198.51.100.0/24', '2001:db8:bad::/48'],
      skipped: 0,
    });
  });

  it('a plain list: inline comments cut, junk lines counted as skipped', () => {
    const plain = [
      '# local list',
      '; also a comment',
      '203.0.113.9',
      '198.51.100.0/24 ; SBL000001',
      '2001:db8:bad::1\t# seen on the honeypot',
      '',
      'not-an-address',
      '300.1.2.3',
      '192.0.2.0/33',
      '<html><body>Moved</body></html>',
    ].join('\r\n');
    assert.deepEqual(texts(plain, 'plain'), {
      networks: ['203.0.113.9/32', '198.51.100.0/24', '2001:db8:bad::1/128'],
      skipped: 4,
    });
  });

  it("'auto' tells JSON lines from text by the first entry", () => {
    assert.deepEqual(texts(DROP), texts(DROP, 'spamhaus-drop'));
    assert.deepEqual(texts(NETSET), texts(NETSET, 'netset'));
    // Read as text, every JSON line is junk: the format matters.
    assert.deepEqual(texts(DROP, 'plain'), { networks: [], skipped: 3 });
  });
});

describe('BlocklistProvider from a file', () => {
  it('lists what the file holds, IPv4 and IPv6, and is never due for download', async () => {
    const path = join(dir, 'drop.json');
    writeFileSync(path, DROP);
    const list = new BlocklistProvider(listConfig({ name: 'spamhaus_drop', path }), {
      cacheDir: join(dir, 'unused'),
    });
    assert.equal(list.load(), true);
    assert.equal(list.size, 2);
    assert.deepEqual(await list.lookup('198.51.100.200'), { blocklists: ['spamhaus_drop'] });
    assert.deepEqual(await list.lookup('2001:db8:bad:1::7'), { blocklists: ['spamhaus_drop'] });
    assert.equal(await list.lookup('2001:db8:good::1'), null);
    assert.equal(await list.lookup('203.0.113.1'), null);
    assert.equal(list.due(T0 + 365 * 24 * HOUR), false);
    assert.equal(await list.refresh(T0), false);
  });

  it('a file that cannot be read is an error naming the list and the file', () => {
    const list = new BlocklistProvider(listConfig({ name: 'mine', path: join(dir, 'nope.txt') }), {
      cacheDir: dir,
    });
    assert.throws(() => list.load(), /blocklist mine \(.*nope\.txt\).*ENOENT/);
  });
});

describe('a list with private and bogon ranges, through the Enricher', () => {
  it('never lists an internal address, and still lists an outside one', async () => {
    const path = join(dir, 'level1.netset');
    writeFileSync(path, `${NETSET}fc00::/7\n2001:db8:bad::/48\n`);
    const list = new BlocklistProvider(listConfig({ name: 'firehol_level1', path }), {
      cacheDir: dir,
    });
    list.load();
    const enricher = new Enricher({
      trusted: new TrustedProvider(),
      providers: [list],
      clock: () => T0,
    });
    for (const ip of ['10.1.2.3', '192.168.7.7', '127.0.0.1', '0.0.0.0', 'fd00::5']) {
      assert.equal(list.has(ip), true, `the list itself covers ${ip}`);
      const e = await enricher.enrich(ip);
      assert.equal(e.internal, true, ip);
      assert.deepEqual(e.blocklists, [], `${ip} is internal: not listed`);
    }
    for (const ip of ['198.51.100.7', '203.0.113.77', '2001:db8:bad::9']) {
      const e = await enricher.enrich(ip);
      assert.equal(e.internal, false, ip);
      assert.deepEqual(e.blocklists, ['firehol_level1'], ip);
    }
    assert.deepEqual((await enricher.enrich('203.0.113.78')).blocklists, []);
  });
});

describe('BlocklistProvider from a URL', () => {
  it('downloads when due, keeps the last good copy through a 500 and an empty body', async () => {
    const cacheDir = join(dir, 'download');
    const file = join(cacheDir, 'drop.list');
    server.serve('/drop.json', DROP);
    const list = new BlocklistProvider(
      listConfig({ name: 'drop', url: server.url('/drop.json'), refresh: '1h' }),
      { cacheDir },
    );
    assert.equal(list.load(), false, 'nothing downloaded yet is not an error');
    assert.equal(list.loaded, false);
    assert.equal(await list.lookup('198.51.100.7'), null);

    assert.equal(await list.refresh(T0), true);
    assert.equal(server.count('/drop.json'), 1);
    assert.equal(list.has('198.51.100.7'), true);
    assert.equal(readFileSync(file, 'utf8'), DROP);
    assert.equal(existsSync(`${file}.tmp`), false);

    assert.equal(await list.refresh(T0 + HOUR - 1), false, 'not due yet');
    assert.equal(server.count('/drop.json'), 1);

    server.serve('/drop.json', 'Internal Server Error\n', 500);
    assert.equal(await list.refresh(T0 + HOUR), false);
    assert.equal(server.count('/drop.json'), 2);
    assert.equal(list.has('198.51.100.7'), true, 'the previous copy stays in use');
    assert.equal(readFileSync(file, 'utf8'), DROP);

    // After a failure the next try waits, instead of polling every minute.
    server.serve('/drop.json', '');
    assert.equal(await list.refresh(T0 + HOUR + RETRY_AFTER_FAILURE_MS - 1), false);
    assert.equal(server.count('/drop.json'), 2);
    assert.equal(await list.refresh(T0 + HOUR + RETRY_AFTER_FAILURE_MS), false);
    assert.equal(server.count('/drop.json'), 3, 'an empty body is a failed download');
    assert.equal(list.has('198.51.100.7'), true);
    assert.equal(readFileSync(file, 'utf8'), DROP);

    const next = '{"cidr":"203.0.113.0/24","sblid":"SBL000003","rir":"arin"}\n';
    server.serve('/drop.json', next);
    assert.equal(await list.refresh(T0 + HOUR + 2 * RETRY_AFTER_FAILURE_MS), true);
    assert.equal(list.has('203.0.113.5'), true);
    assert.equal(list.has('198.51.100.7'), false, 'the new copy replaces the old one');
    assert.equal(readFileSync(file, 'utf8'), next);
  });

  it('after a restart, the last download is used at once, without the network', async () => {
    const cacheDir = join(dir, 'restart');
    server.serve('/level1.netset', NETSET);
    const cfg = listConfig({ name: 'level1', url: server.url('/level1.netset'), refresh: '1h' });
    assert.equal(await new BlocklistProvider(cfg, { cacheDir }).refresh(T0), true);
    // The download's age comes from its file: as if it were downloaded at T0.
    utimesSync(join(cacheDir, 'level1.list'), T0 / 1000, T0 / 1000);
    const before = server.requests.length;

    const offline = () => Promise.reject(new TypeError('fetch failed'));
    const restarted = new BlocklistProvider(cfg, { cacheDir, fetch: offline });
    assert.equal(restarted.load(), true);
    assert.equal(restarted.has('203.0.113.77'), true);
    assert.equal(restarted.due(T0 + HOUR - 1), false);
    assert.equal(restarted.due(T0 + HOUR), true);
    assert.equal(await restarted.refresh(T0 + HOUR), false);
    assert.equal(restarted.has('203.0.113.77'), true, 'offline, the last copy keeps working');
    assert.equal(server.requests.length, before, 'the restart asked the server nothing');
  });
});
