/**
 * One contract, every intel provider: the trusted networks, GeoIP (real .mmdb files), a
 * blocklist, and the three reputation APIs (fakes of AbuseIPDB, GreyNoise and OTX over real
 * HTTP on 127.0.0.1). Each answers for a listed and an unlisted IPv4 and IPv6 address, refuses
 * what is not a canonical address (null, and no request), and never rejects. The providers
 * that call out: a failure (HTTP 500, no answer, a body cut short) is "unknown" (null) — never
 * a throw, never a clean score — is not cached, and is counted; a good answer is cached.
 * A blocklist whose download fails keeps listing what its last copy listed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '../store/index.js';
import { T0 } from '../store/testing.js';
import { FakeIntelApis } from '../testing/fake-intel-apis.js';
import { ListServer } from '../testing/list-server.js';
import { asnMmdb, countryMmdb } from '../testing/mmdb-writer.js';
import { BlocklistProvider } from './blocklist.js';
import { intelSchema } from './config.js';
import { GeoIpProvider } from './geoip.js';
import type { IntelAnswer, IntelProvider } from './provider.js';
import { AbuseIpDb, GreyNoise, Otx, type ReputationProvider } from './reputation.js';
import { TrustedProvider } from './trusted.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-intel-contract-'));
let api: FakeIntelApis;
let lists: ListServer;
const stores: Store[] = [];
before(async () => {
  api = await FakeIntelApis.start();
  lists = await ListServer.start();
});
after(async () => {
  for (const s of stores) s.close();
  await api.close();
  await lists.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Not canonical addresses: garbage, injection, a prefix, leading zeros, upper case, a zone. */
const BAD_INPUT = [
  '',
  'example.com',
  '203.0.113.5; rm -rf /',
  '203.0.113.5/24',
  '203.0.113.256',
  '010.0.0.1',
  '../../../etc/passwd',
  '2001:DB8::5',
  '2001:db8::5%eth0',
  '::ffff:203.0.113.5',
  '203.0.113.5\n203.0.113.6',
];

interface Harness {
  name: string;
  make(): IntelProvider;
  /** Listed: what the provider knows something about. */
  listed: { v4: string; v6: string };
  unlisted: { v4: string; v6: string };
  /** Whether an answer says the address is listed (internal, on a list, bad reputation…). */
  says(a: IntelAnswer | null): boolean;
  /** Requests made so far, for providers that call out. */
  requests?: () => number;
}

interface CallingHarness extends Harness {
  /** `timeout` short only where the fake hangs: a busy machine may take long over a real answer. */
  make(timeout?: string): ReputationProvider;
}

function reputation(
  name: string,
  Kind: new (...args: ConstructorParameters<typeof AbuseIpDb>) => ReputationProvider,
  says: (a: IntelAnswer | null) => boolean,
  list: (ip: string) => void,
): CallingHarness {
  const listed = { v4: '203.0.113.66', v6: '2001:db8:bad::66' };
  return {
    name,
    make: (timeout = '30s') => {
      list(listed.v4); // the fake starts in `before`
      list(listed.v6);
      const store = Store.open(join(dir, `${name}-${stores.length}.db`));
      stores.push(store);
      const cfg = intelSchema.parse({
        abuseipdb: { baseUrl: api.baseUrl, timeout, perMinute: 1000 },
      }).abuseipdb!;
      return new Kind(cfg, { key: `key-${name}`, cache: store.intel });
    },
    listed,
    unlisted: { v4: '198.51.100.77', v6: '2001:db8:600d::77' },
    says,
    requests: () => api.requests.length,
  };
}

const REPUTATION = [
  reputation(
    'abuseipdb',
    AbuseIpDb,
    (a) => (a?.reputation ?? 0) >= 50,
    (ip) => api.state.abuse.set(ip, 87),
  ),
  reputation(
    'greynoise',
    GreyNoise,
    (a) => a?.reputation === 90,
    (ip) => api.state.greynoise.set(ip, 'malicious'),
  ),
  reputation(
    'otx',
    Otx,
    (a) => (a?.reputation ?? 0) > 0,
    (ip) => api.state.otx.set(ip, 7),
  ),
];

function geoip(): Harness {
  const country = join(dir, 'country.mmdb');
  const asn = join(dir, 'asn.mmdb');
  writeFileSync(country, countryMmdb({ '192.0.2.0/24': 'KR', '2001:db8:1::/48': 'KR' }));
  writeFileSync(asn, asnMmdb({ '192.0.2.0/24': [64500, 'Example Telecom'] }));
  return {
    name: 'geoip',
    make: () => new GeoIpProvider({ country, asn }),
    listed: { v4: '192.0.2.77', v6: '2001:db8:1::77' },
    unlisted: { v4: '198.51.100.77', v6: '2001:db8:2::77' },
    says: (a) => a?.country === 'KR',
  };
}

function blocklist(): Harness {
  const path = join(dir, 'drop.netset');
  writeFileSync(path, '# a FireHOL netset\n203.0.113.0/24\n2001:db8:bad::/48\n');
  return {
    name: 'blocklist',
    make: () => {
      const p = new BlocklistProvider(
        { name: 'drop', path, format: 'netset', refresh: 1 },
        { cacheDir: dir },
      );
      p.load();
      return p;
    },
    listed: { v4: '203.0.113.66', v6: '2001:db8:bad::66' },
    unlisted: { v4: '198.51.100.77', v6: '2001:db8:600d::77' },
    says: (a) => a?.blocklists?.includes('drop') === true,
  };
}

const trusted: Harness = {
  name: 'trusted',
  make: () => new TrustedProvider(['203.0.113.0/24', '2001:db8:bad::/48']),
  listed: { v4: '203.0.113.66', v6: '2001:db8:bad::66' },
  unlisted: { v4: '198.51.100.77', v6: '2001:db8:600d::77' },
  says: (a) => a?.internal === true,
};

for (const h of [trusted, geoip(), blocklist(), ...REPUTATION]) {
  describe(`intel provider contract: ${h.name}`, () => {
    it('says what it knows of a listed IPv4 and IPv6 address', async () => {
      const p = h.make();
      for (const ip of [h.listed.v4, h.listed.v6])
        assert.ok(h.says(await p.lookup(ip, T0)), `${ip} listed`);
    });

    it('does not list an unlisted IPv4 or IPv6 address', async () => {
      const p = h.make();
      for (const ip of [h.unlisted.v4, h.unlisted.v6]) {
        const a = await p.lookup(ip, T0);
        assert.ok(!h.says(a), `${ip} not listed`);
        assert.ok(a === null || typeof a === 'object');
      }
    });

    it('refuses what is not a canonical address: null, no request, no throw', async () => {
      const p = h.make();
      const before = h.requests?.() ?? 0;
      for (const bad of BAD_INPUT) assert.equal(await p.lookup(bad, T0), null, JSON.stringify(bad));
      assert.equal((h.requests?.() ?? 0) - before, 0, 'requests for bad input');
    });
  });
}

for (const h of REPUTATION) {
  describe(`intel provider contract, calling out: ${h.name}`, () => {
    for (const mode of ['http-500', 'timeout', 'malformed'] as const) {
      it(`${mode}: unknown (null), counted, not cached; the next lookup asks again`, async () => {
        const p = h.make(mode === 'timeout' ? '1s' : undefined);
        const ip = h.listed.v4;
        try {
          if (mode === 'timeout') api.state.hang = true;
          else api.state.broken = mode;
          assert.equal(await p.lookup(ip, T0), null);
          assert.equal(p.stats.failed, 1);
        } finally {
          api.state.hang = false;
          api.state.broken = null;
        }
        const before = api.requests.length;
        assert.ok(h.says(await p.lookup(ip, T0 + 1000)), 'the real answer once it works');
        assert.equal(api.requests.length - before, 1);
      });
    }

    it('caches an answer, listed or not, until its TTL', async () => {
      const p = h.make();
      for (const ip of [h.listed.v6, h.unlisted.v6]) {
        const first = await p.lookup(ip, T0);
        const before = api.requests.length;
        assert.deepEqual(await p.lookup(ip, T0 + 60_000), first);
        assert.equal(api.requests.length, before, `${ip} answered from the cache`);
      }
      assert.equal(p.stats.failed, 0);
    });

    it('never sends its key anywhere but the header', async () => {
      const p = h.make();
      await p.lookup(h.listed.v4, T0);
      assert.ok(!api.requests.at(-1)!.path.includes(`key-${h.name}`));
    });
  });
}

describe('intel provider contract, a downloaded blocklist', () => {
  it('a failed download (500, a body without addresses) keeps what the last copy listed', async () => {
    const path = '/drop.netset';
    lists.serve(path, '203.0.113.0/24\n2001:db8:bad::/48\n');
    const p = new BlocklistProvider(
      { name: 'drop', url: lists.url(path), format: 'netset', refresh: 1000 },
      { cacheDir: join(dir, 'lists') },
    );
    assert.equal(await p.refresh(T0), true);
    assert.deepEqual(await p.lookup('203.0.113.66'), { blocklists: ['drop'] });
    let now = T0;
    for (const [status, body] of [
      [500, 'Internal Server Error'],
      [200, '<html>a captive portal</html>'],
    ] as const) {
      lists.serve(path, body, status);
      now += 60 * 60_000;
      assert.equal(await p.refresh(now), false);
      assert.deepEqual(await p.lookup('203.0.113.66'), { blocklists: ['drop'] });
      assert.deepEqual(await p.lookup('2001:db8:bad::66'), { blocklists: ['drop'] });
    }
  });
});
