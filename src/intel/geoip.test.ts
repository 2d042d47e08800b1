import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asnMmdb, countryMmdb } from '../testing/mmdb-writer.js';
import { GeoIpError, GeoIpProvider } from './geoip.js';

const dir = mkdtempSync(join(tmpdir(), 'sheriff-geoip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('GeoIpProvider', () => {
  const country = join(dir, 'country.mmdb');
  const asn = join(dir, 'asn.mmdb');
  writeFileSync(
    country,
    countryMmdb({ '192.0.2.0/24': 'KR', '203.0.113.0/25': 'NL', '2001:db8:1::/48': 'DE' }),
  );
  writeFileSync(
    asn,
    asnMmdb({
      '192.0.2.0/24': [64500, 'Example Telecom'],
      '203.0.113.0/24': [64501, 'Doc Hosting'],
    }),
  );

  it('reads country and ASN from real .mmdb files, IPv4 and IPv6', () => {
    const geo = new GeoIpProvider({ country, asn });
    assert.deepEqual(geo.lookupSync('192.0.2.77'), {
      country: 'KR',
      asn: 64500,
      asOrg: 'Example Telecom',
    });
    assert.deepEqual(geo.lookupSync('203.0.113.5'), {
      country: 'NL',
      asn: 64501,
      asOrg: 'Doc Hosting',
    });
    assert.deepEqual(geo.lookupSync('203.0.113.200'), { asn: 64501, asOrg: 'Doc Hosting' });
    assert.deepEqual(geo.lookupSync('2001:db8:1:ffff::1'), { country: 'DE' });
    assert.equal(geo.lookupSync('198.51.100.1'), null);
    assert.equal(geo.lookupSync('2001:db8:2::1'), null);
  });

  it('a missing or foreign file is an error naming it', () => {
    assert.throws(
      () => new GeoIpProvider({ country: join(dir, 'nope.mmdb') }),
      (e: Error) => e instanceof GeoIpError && e.message.includes('nope.mmdb'),
    );
    const junk = join(dir, 'junk.mmdb');
    writeFileSync(junk, 'not a database at all');
    assert.throws(() => new GeoIpProvider({ asn: junk }), /junk\.mmdb is not a MaxMind DB/);
  });
});
