import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCidr } from './cidr.js';
import { embeddedIpv4, protectedRangeOf, SPECIAL_PURPOSE, specialCidr } from './special.js';

// IANA's IPv4 and IPv6 special-purpose address registries as of 2026, plus
// multicast (RFC 5771, RFC 4291) and the deprecated IPv4-compatible ::/96.
const REGISTRIES = [
  '0.0.0.0/8',
  '0.0.0.0/32',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.0.0/29',
  '192.0.0.8/32',
  '192.0.0.9/32',
  '192.0.0.10/32',
  '192.0.0.170/32',
  '192.0.0.171/32',
  '192.0.2.0/24',
  '192.31.196.0/24',
  '192.52.193.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '192.175.48.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '255.255.255.255/32',
  '::/128',
  '::1/128',
  '::/96',
  '::ffff:0:0/96',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '100:0:0:1::/64',
  '2001::/23',
  '2001::/32',
  '2001:1::1/128',
  '2001:1::2/128',
  '2001:1::3/128',
  '2001:2::/48',
  '2001:3::/32',
  '2001:4:112::/48',
  '2001:10::/28',
  '2001:20::/28',
  '2001:30::/28',
  '2001:db8::/32',
  '2002::/16',
  '2620:4f:8000::/48',
  '3fff::/20',
  '5f00::/16',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
];

const cidr = (s: string) => parseCidr(s);
const carried = (s: string) =>
  embeddedIpv4(cidr(s)).map((e) => [e.scheme, e.ipv4.text] as [string, string]);

describe('special-purpose address table', () => {
  it('has exactly one row per registry entry, each canonical and explained', () => {
    assert.deepEqual(SPECIAL_PURPOSE.map((r) => r.prefix).sort(), [...REGISTRIES].sort());
    for (const r of SPECIAL_PURPOSE) {
      assert.equal(specialCidr(r.prefix).text, r.prefix, `${r.prefix} is canonical`);
      assert.match(r.rfc, /^RFC \d+/, r.prefix);
      assert.ok(r.name.length > 0 && r.why.length > 10, `${r.prefix} says what and why`);
    }
  });

  it('names the most specific protected range, and lets carved-out blocks through', () => {
    assert.equal(protectedRangeOf(cidr('192.0.0.9/32'))?.name, 'Port Control Protocol Anycast');
    assert.equal(protectedRangeOf(cidr('192.0.0.100/32'))?.prefix, '192.0.0.0/24');
    assert.equal(protectedRangeOf(cidr('2001:5::1/128'))?.prefix, '2001::/23');
    assert.equal(protectedRangeOf(cidr('2001:2::1/128')), null); // benchmarking
    assert.equal(protectedRangeOf(cidr('2001:20::1/128')), null); // ORCHIDv2
    assert.equal(protectedRangeOf(cidr('2001:0:4136:e378::1/128')), null); // Teredo
    // A prefix that contains a protected block is refused for it.
    assert.equal(protectedRangeOf(cidr('2001::/22'))?.prefix, '2001::/23');
    assert.equal(protectedRangeOf(cidr('192.0.0.0/28'))?.prefix, '192.0.0.0/24');
    assert.equal(protectedRangeOf(cidr('192.0.0.0/23'))?.prefix, '192.0.0.0/24');
    assert.equal(protectedRangeOf(cidr('198.51.100.0/24')), null);
  });
});

describe('embeddedIpv4', () => {
  it('reads the IPv4 address in each IPv6 form', () => {
    assert.deepEqual(carried('::7f00:1/128'), [['IPv4-compatible', '127.0.0.1/32']]);
    assert.deepEqual(carried('64:ff9b::c633:6407/128'), [['NAT64', '198.51.100.7/32']]);
    assert.deepEqual(carried('64:ff9b:1:2::cb00:7107/128'), [['local NAT64', '203.0.113.7/32']]);
    assert.deepEqual(carried('2002:cb00:7107:5::1/128'), [['6to4', '203.0.113.7/32']]);
    assert.deepEqual(carried('2002:cb00:7107::/48'), [['6to4', '203.0.113.7/32']]);
    // RFC 4380's example: server 65.54.227.120, client 192.0.2.45 behind port 40000.
    assert.deepEqual(carried('2001:0:4136:e378:8000:63bf:3fff:fdd2/128'), [
      ['Teredo server', '65.54.227.120/32'],
      ['Teredo client', '192.0.2.45/32'],
    ]);
    assert.deepEqual(carried('2001:db8::1/128'), []);
  });

  it('gives the whole IPv4 prefix a shorter IPv6 prefix spans', () => {
    assert.deepEqual(carried('64:ff9b::/64'), [['NAT64', '0.0.0.0/0']]);
    assert.deepEqual(carried('64:ff9b::/96'), [['NAT64', '0.0.0.0/0']]);
    assert.deepEqual(carried('64:ff9b::cb00:7100/120'), [['NAT64', '203.0.113.0/24']]);
    assert.deepEqual(carried('2002:cb00::/24'), [['6to4', '203.0.0.0/8']]);
    assert.deepEqual(carried('2001:0:4136:e378::/64'), [
      ['Teredo server', '65.54.227.120/32'],
      ['Teredo client', '0.0.0.0/0'],
    ]);
    // ::/64 holds both the compatible and the mapped forms.
    assert.deepEqual(carried('::/64'), [
      ['IPv4-compatible', '0.0.0.0/0'],
      ['IPv4-mapped', '0.0.0.0/0'],
    ]);
    // Teredo clients' bits are inverted: a /120 fixes the top 24 of them.
    assert.deepEqual(carried('2001:0:4136:e378:8000:63bf:3fff:fd00/120'), [
      ['Teredo server', '65.54.227.120/32'],
      ['Teredo client', '192.0.2.0/24'],
    ]);
  });
});
