import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretError } from '../config/private-file.js';
import { Store } from '../store/index.js';
import { T0 } from '../store/testing.js';
import { FakeIntelApis } from '../testing/fake-intel-apis.js';
import { ListServer } from '../testing/list-server.js';
import { asnMmdb, countryMmdb } from '../testing/mmdb-writer.js';
import { intelSchema } from './config.js';
import { GeoIpError } from './geoip.js';
import { blocklistDir, buildIntel, type IntelSetup } from './setup.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-intel-setup-'));
let api: FakeIntelApis;
let lists: ListServer;
before(async () => {
  [api, lists] = await Promise.all([FakeIntelApis.start(), ListServer.start()]);
});
after(async () => {
  await Promise.all([api.close(), lists.close()]);
  rmSync(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh directory holding a store, like /var/lib/sheriff. */
function stateDir(): string {
  const dir = join(root, `state${++n}`);
  mkdirSync(dir);
  return dir;
}

/** buildIntel with a real store in `dir` and its cache; the test closes the store. */
function setup(
  dir: string,
  intel: Record<string, unknown>,
  over: Partial<IntelSetup> = {},
): IntelSetup & { store: Store } {
  const storePath = join(dir, 'sheriff.db');
  const store = Store.open(storePath);
  return {
    store,
    config: intelSchema.parse(intel),
    trusted: [],
    storePath,
    cache: store.intel,
    clock: () => T0,
    env: {},
    ...over,
  };
}

/** Runs `fn` with a setup and always closes its store. */
async function withSetup(
  intel: Record<string, unknown>,
  over: Partial<IntelSetup>,
  fn: (s: IntelSetup, dir: string) => Promise<void> | void,
): Promise<void> {
  const dir = stateDir();
  const s = setup(dir, intel, over);
  try {
    await fn(s, dir);
  } finally {
    s.store.close();
  }
}

function keyFile(dir: string, key: string, mode: number): string {
  const file = join(dir, `key-${mode.toString(8)}`);
  writeFileSync(file, `${key}\n`);
  chmodSync(file, mode); // exactly `mode`, whatever the umask
  return file;
}

describe('buildIntel', () => {
  it('with no intel config: trusted networks only, nothing to refresh', () =>
    withSetup({}, {}, async (s) => {
      const intel = buildIntel(s);
      assert.deepEqual(intel.describe(), ['trusted: 11 networks']);
      assert.deepEqual(intel.enricher.providers, []);
      await intel.refresh(T0);
      assert.equal(intel.trusted.isInternal('10.9.8.7'), true);
      assert.equal(intel.trusted.isInternal('198.51.100.7'), false);
    }));

  it('GeoIP databases give country and ASN through the Enricher', () =>
    withSetup({}, {}, async (s, dir) => {
      const country = join(dir, 'country.mmdb');
      const asn = join(dir, 'asn.mmdb');
      writeFileSync(country, countryMmdb({ '198.51.100.0/24': 'KR', '2001:db8::/32': 'DE' }));
      writeFileSync(asn, asnMmdb({ '198.51.100.0/24': [64500, 'Example Telecom'] }));
      const intel = buildIntel({ ...s, config: intelSchema.parse({ geoip: { country, asn } }) });
      const e = await intel.enricher.enrich('198.51.100.7');
      assert.equal(e.country, 'KR');
      assert.equal(e.asn, 64500);
      assert.equal(e.asOrg, 'Example Telecom');
      assert.equal((await intel.enricher.enrich('2001:db8::1')).country, 'DE');
      assert.deepEqual(intel.describe(), [
        'trusted: 11 networks',
        `geoip: country ${country}, asn ${asn}`,
      ]);
    }));

  it('a GeoIP database or blocklist file that cannot be read is an error naming it', () =>
    withSetup({}, {}, (s, dir) => {
      assert.throws(
        () =>
          buildIntel({
            ...s,
            config: intelSchema.parse({ geoip: { asn: join(dir, 'GeoLite2-ASN.mmdb') } }),
          }),
        (e: Error) => e instanceof GeoIpError && e.message.includes('GeoLite2-ASN.mmdb'),
      );
      const missing = { blocklists: [{ name: 'local', path: join(dir, 'local.txt') }] };
      assert.throws(
        () => buildIntel({ ...s, config: intelSchema.parse(missing) }),
        /blocklist local \(.*local\.txt\)/,
      );
    }));

  it('configured trusted networks are internal: a blocklist never lists them', () =>
    withSetup({}, { trusted: ['203.0.113.0/25'] }, async (s, dir) => {
      const path = join(dir, 'mine.txt');
      writeFileSync(path, '203.0.113.0/24\n');
      const intel = buildIntel({
        ...s,
        config: intelSchema.parse({ blocklists: [{ name: 'mine', path }] }),
      });
      assert.deepEqual((await intel.enricher.enrich('203.0.113.5')).blocklists, []);
      assert.deepEqual((await intel.enricher.enrich('203.0.113.200')).blocklists, ['mine']);
      assert.deepEqual(intel.describe(), ['trusted: 12 networks', 'blocklist:mine: 1 networks']);
    }));

  it('downloads URL lists beside the store, one round at a time, and reloads them after a restart', async () => {
    const dir = stateDir();
    lists.serve('/drop_v4.json', '{"cidr":"198.51.100.0/24","sblid":"SBL1","rir":"arin"}\n');
    const config = { blocklists: [{ name: 'drop', url: lists.url('/drop_v4.json') }] };
    const first = setup(dir, config);
    try {
      const intel = buildIntel(first);
      assert.deepEqual(intel.describe(), [
        'trusted: 11 networks',
        'blocklist:drop: not downloaded yet',
      ]);
      assert.deepEqual((await intel.enricher.enrich('198.51.100.7')).blocklists, []);
      await Promise.all([intel.refresh(T0), intel.refresh(T0)]);
      assert.equal(lists.count('/drop_v4.json'), 1, 'a refresh while one runs joins it');
      assert.equal(existsSync(join(blocklistDir(first.storePath), 'drop.list')), true);
      assert.equal(blocklistDir(first.storePath), join(dir, 'blocklists'));
      assert.deepEqual((await intel.enricher.enrich('198.51.100.7')).blocklists, ['drop']);
      assert.equal(intel.describe()[1], 'blocklist:drop: 1 networks');
    } finally {
      first.store.close();
    }
    const offline = () => Promise.reject(new TypeError('fetch failed'));
    const restarted = setup(dir, config, { fetch: offline });
    try {
      const intel = buildIntel(restarted);
      assert.deepEqual((await intel.enricher.enrich('198.51.100.7')).blocklists, ['drop']);
      await intel.refresh(T0 + 1000);
      assert.equal(lists.count('/drop_v4.json'), 1, 'the last download is fresh: no request');
    } finally {
      restarted.store.close();
    }
  });

  it('a URL list needs a store on disk to keep its download', () =>
    withSetup({ blocklists: [{ name: 'drop', url: lists.url('/x') }] }, {}, (s) => {
      assert.throws(() => buildIntel({ ...s, storePath: ':memory:' }), /drop .*store\.path/);
    }));
});

describe('buildIntel: reputation API keys', () => {
  const services = (baseUrl: string, extra: Record<string, unknown> = {}) => ({
    abuseipdb: { baseUrl, ...extra },
    greynoise: { baseUrl },
    otx: { baseUrl },
  });

  it('reads keys from the environment and from a 0600 file, and never shows them', () =>
    withSetup({}, {}, async (s, dir) => {
      const file = keyFile(dir, 'abuse-from-file', 0o600);
      const intel = buildIntel({
        ...s,
        config: intelSchema.parse(services(api.baseUrl, { keyFile: file })),
        env: { SHERIFF_GREYNOISE_KEY: 'gn-from-env', SHERIFF_OTX_KEY: ' otx-from-env\n' },
      });
      api.state.abuse.set('198.51.100.66', 75);
      const from = api.requests.length;
      const e = await intel.enricher.enrich('198.51.100.66');
      assert.equal(e.reputation, 75);
      const headers = api.requests.slice(from).map((r) => r.headers);
      assert.ok(headers.some((h) => h.key === 'abuse-from-file'));
      assert.ok(headers.some((h) => h.key === 'gn-from-env'));
      assert.ok(headers.some((h) => h['x-otx-api-key'] === 'otx-from-env'));
      const described = intel.describe().join('\n');
      assert.match(described, /^abuseipdb: 1 requests, 0 cached/m);
      assert.doesNotMatch(described, /from-file|from-env/);
      // Internal addresses are never sent to a reputation service.
      const count = api.requests.length;
      await intel.enricher.enrich('10.0.0.5');
      assert.equal(api.requests.length, count);
    }));

  it('refuses a key file others can read, naming the file', () =>
    withSetup({}, {}, (s, dir) => {
      const file = keyFile(dir, 'leaked', 0o644);
      assert.throws(
        () => buildIntel({ ...s, config: intelSchema.parse({ otx: { keyFile: file } }) }),
        (e: Error) =>
          e instanceof SecretError &&
          e.message.includes(file) &&
          /accessible to other users/.test(e.message) &&
          !e.message.includes('leaked'),
      );
    }));

  it('a configured service without a key is an error naming the variable and keyFile', () =>
    withSetup({}, {}, (s, dir) => {
      assert.throws(
        () => buildIntel({ ...s, config: intelSchema.parse({ greynoise: {} }) }),
        (e: Error) =>
          e instanceof SecretError &&
          e.message.includes('SHERIFF_GREYNOISE_KEY') &&
          e.message.includes('intel.greynoise.keyFile'),
      );
      const absent = join(dir, 'no-such-key');
      assert.throws(
        () => buildIntel({ ...s, config: intelSchema.parse({ abuseipdb: { keyFile: absent } }) }),
        (e: Error) => e instanceof SecretError && e.message.includes(absent),
      );
    }));
});

describe('intel config', () => {
  it('refuses two blocklists with one name, at the second one', () => {
    const r = intelSchema.safeParse({
      blocklists: [
        { name: 'drop', path: '/a' },
        { name: 'drop', url: 'https://example.net/drop.json' },
      ],
    });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, ['blocklists', 1, 'name']);
  });
});
