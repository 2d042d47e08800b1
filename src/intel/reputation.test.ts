import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '../store/index.js';
import { T0 } from '../store/testing.js';
import { FakeIntelApis } from '../testing/fake-intel-apis.js';
import { intelSchema, type ReputationConfig } from './config.js';
import { Enricher } from './enricher.js';
import { AbuseIpDb, GreyNoise, Otx } from './reputation.js';
import { TrustedProvider } from './trusted.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-reputation-'));
let api: FakeIntelApis;
before(async () => {
  api = await FakeIntelApis.start();
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;
const openStore = () => Store.open(join(dir, `r${++n}.db`));

function cfg(over: Record<string, unknown> = {}): ReputationConfig {
  return intelSchema.parse({ abuseipdb: { baseUrl: api.baseUrl, ...over } }).abuseipdb!;
}

describe('reputation providers against fakes of the real APIs', () => {
  it('AbuseIPDB: score and reports; the answer is cached in the store until its TTL', async () => {
    const store = openStore();
    try {
      api.state.abuse.set('203.0.113.9', 87);
      const p = new AbuseIpDb(cfg({ ttl: '1h' }), { key: 'k-abuse', cache: store.intel });
      const before = api.requests.length;
      const a = await p.lookup('203.0.113.9', T0);
      assert.deepEqual(a, { reputation: 87, country: 'NL', summary: 'AbuseIPDB 87%, 42 reports' });
      const req = api.requests.at(-1)!;
      assert.equal(req.path, '/api/v2/check?ipAddress=203.0.113.9&maxAgeInDays=90');
      assert.equal(req.headers.key, 'k-abuse');
      assert.deepEqual(await p.lookup('203.0.113.9', T0 + 59 * 60_000), a);
      assert.equal(api.requests.length, before + 1);
      // A second process (new provider, same store) uses the cache too.
      const again = new AbuseIpDb(cfg({ ttl: '1h' }), { key: 'k-abuse', cache: store.intel });
      assert.deepEqual(await again.lookup('203.0.113.9', T0 + 1000), a);
      assert.equal(api.requests.length, before + 1);
      await p.lookup('203.0.113.9', T0 + 61 * 60_000);
      assert.equal(api.requests.length, before + 2);
    } finally {
      store.close();
    }
  });

  it('a cache that cannot be read or written (its database away) costs a request, never the answer', async () => {
    api.state.abuse.set('203.0.113.10', 64);
    const away = () => Promise.reject(new Error('connection terminated'));
    const p = new AbuseIpDb(cfg(), { key: 'k', cache: { get: away, put: away } });
    const before = api.requests.length;
    assert.equal((await p.lookup('203.0.113.10', T0))?.reputation, 64);
    assert.equal(api.requests.length, before + 1);
    assert.deepEqual(
      { ...p.stats },
      { requests: 1, cached: 0, skipped: 0, failed: 0, rateLimited: 0 },
    );
  });

  it('GreyNoise: malicious, benign (RIOT) and "not observed" (404, cached as nothing)', async () => {
    const store = openStore();
    try {
      api.state.greynoise.set('198.51.100.7', 'malicious');
      api.state.greynoise.set('198.51.100.8', 'benign');
      const p = new GreyNoise(cfg(), { key: 'k-gn', cache: store.intel });
      assert.deepEqual(await p.lookup('198.51.100.7', T0), {
        reputation: 90,
        summary: 'GreyNoise: malicious',
      });
      assert.deepEqual(await p.lookup('198.51.100.8', T0), {
        reputation: 0,
        summary: 'GreyNoise: benign (Example Scanner Co)',
      });
      assert.equal(await p.lookup('198.51.100.9', T0), null);
      const count = api.requests.length;
      assert.equal(await p.lookup('198.51.100.9', T0 + 1000), null);
      assert.equal(api.requests.length, count, 'the 404 answer was cached');
      assert.equal(p.stats.failed, 0);
    } finally {
      store.close();
    }
  });

  it('OTX: pulses become a reputation; country and AS come along; IPv6 uses its path', async () => {
    const store = openStore();
    try {
      api.state.otx.set('203.0.113.20', 7);
      const p = new Otx(cfg(), { key: 'k-otx', cache: store.intel });
      assert.deepEqual(await p.lookup('203.0.113.20', T0), {
        reputation: 70,
        summary: 'OTX: 7 pulses',
        country: 'NL',
        asn: 64501,
        asOrg: 'Documentation Hosting',
      });
      assert.equal(api.requests.at(-1)!.headers['x-otx-api-key'], 'k-otx');
      await p.lookup('2001:db8::20', T0);
      assert.equal(api.requests.at(-1)!.path, '/api/v1/indicators/IPv6/2001%3Adb8%3A%3A20/general');
    } finally {
      store.close();
    }
  });

  it('a 429 pauses the service until Retry-After; nothing is cached meanwhile', async () => {
    const store = openStore();
    try {
      api.state.rateLimited = true;
      const p = new AbuseIpDb(cfg(), { key: 'k', cache: store.intel });
      assert.equal(await p.lookup('203.0.113.30', T0), null);
      assert.equal(p.stats.rateLimited, 1);
      const count = api.requests.length;
      api.state.rateLimited = false;
      assert.equal(await p.lookup('203.0.113.30', T0 + 3599_000), null);
      assert.equal(api.requests.length, count, 'no request during the back-off');
      api.state.abuse.set('203.0.113.30', 55);
      assert.equal((await p.lookup('203.0.113.30', T0 + 3600_000))?.reputation, 55);
    } finally {
      api.state.rateLimited = false;
      store.close();
    }
  });

  it('a timeout gives null and triage goes on; at most perMinute requests a minute', async () => {
    const store = openStore();
    try {
      api.state.hang = true;
      const p = new GreyNoise(cfg({ timeout: '200ms' }), { key: 'k', cache: store.intel });
      assert.equal(await p.lookup('192.0.2.1', T0), null);
      assert.equal(p.stats.failed, 1);
      api.state.hang = false;
      const limited = new AbuseIpDb(cfg({ perMinute: 2 }), { key: 'k', cache: store.intel });
      const count = api.requests.length;
      for (const ip of ['192.0.2.11', '192.0.2.12', '192.0.2.13']) await limited.lookup(ip, T0);
      assert.equal(api.requests.length, count + 2);
      assert.equal(limited.stats.skipped, 1);
      await limited.lookup('192.0.2.13', T0 + 60_001);
      assert.equal(api.requests.length, count + 3);
    } finally {
      api.state.hang = false;
      store.close();
    }
  });

  it('the Enricher never asks reputation services about internal addresses', async () => {
    const store = openStore();
    try {
      api.state.abuse.set('10.0.0.5', 100);
      const trusted = new TrustedProvider();
      const enricher = new Enricher({
        trusted,
        providers: [new AbuseIpDb(cfg(), { key: 'k', cache: store.intel })],
        clock: () => T0,
      });
      const count = api.requests.length;
      const e = await enricher.enrich('10.0.0.5');
      assert.equal(e.internal, true);
      assert.equal(e.reputation, null);
      assert.equal(api.requests.length, count);
      api.state.abuse.set('203.0.113.77', 64);
      const out = await enricher.enrich('203.0.113.77');
      assert.deepEqual(
        [out.internal, out.reputation, out.sources],
        [false, 64, { abuseipdb: 'AbuseIPDB 64%, 42 reports' }],
      );
    } finally {
      store.close();
    }
  });
});
