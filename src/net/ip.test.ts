import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIp, formatIp, maskWords, parseIp, prefixOf, type ParsedIp } from './ip.js';

function ip(s: string): ParsedIp {
  const p = parseIp(s);
  assert.ok(p !== null, `expected ${s} to parse`);
  return p;
}

describe('canonicalIp: IPv4', () => {
  const valid: [string, string][] = [
    ['0.0.0.0', '0.0.0.0'],
    ['1.2.3.4', '1.2.3.4'],
    ['192.0.2.1', '192.0.2.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['10.0.0.10', '10.0.0.10'],
    ['100.64.0.200', '100.64.0.200'],
  ];
  for (const [input, want] of valid) {
    it(`${input} → ${want}`, () => assert.equal(canonicalIp(input), want));
  }

  const invalid = [
    '',
    '192.030.0.6', // leading zero: octal to inet_aton
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3.00',
    '256.1.1.1',
    '1.2.3.256',
    '1.2.3.999',
    '1.2.3.1000',
    '1.2.3',
    '1.2',
    '1',
    '1.2.3.4.5',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4/24',
    '1.2.3.-4',
    '+1.2.3.4',
    '0x1.2.3.4',
    '1.2.3.4%eth0',
    'example.com',
    'localhost',
    'garbage',
    '3232235777', // a bare integer is not an address here
  ];
  for (const input of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(canonicalIp(input), null);
      assert.equal(parseIp(input), null);
    });
  }
});

describe('canonicalIp: IPv6 (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1::', '1::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // tie: the first run
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run, not the first
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero is not compressed
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'], // "::" for one group, written back as 0
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['0:1:2:3:4:5:6:0', '0:1:2:3:4:5:6:0'],
    ['0:0:1:2:3:4:5:6', '::1:2:3:4:5:6'],
    ['1:2:3:4:5:6:0:0', '1:2:3:4:5:6::'],
    ['ABCD:EF01:2345:6789:ABCD:EF01:2345:6789', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789'],
    ['fe80::1%eth0', 'fe80::1'],
    ['FE80::0001%25en0', 'fe80::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:192.0.2.128', '192.0.2.128'],
    ['0:0:0:0:0:ffff:c000:0280', '192.0.2.128'], // mapped, written in hex
    ['::ffff:0:0', '0.0.0.0'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'], // NAT64: stays IPv6
    ['::1.2.3.4', '::102:304'], // IPv4-compatible (deprecated): stays IPv6
    ['::fffe:1.2.3.4', '::fffe:102:304'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['0000:0000:0000:0000:0000:ffff:255.255.255.255', '255.255.255.255'],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(canonicalIp(input), want));
  }

  const invalid = [
    ':',
    ':::',
    '1:::2',
    ':1',
    '1:',
    ':1::',
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1::2:3:4:5:6:7:8', // "::" must stand for at least one group
    '1:2:3:4:5:6:7:8::',
    '12345::',
    'g::1',
    '::ffff:1.2.3',
    '::ffff:1.2.3.4.5',
    '::ffff:192.030.0.6',
    '::ffff:256.0.0.1',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4', // nine groups' worth
    '2001:db8::1 ',
    '[2001:db8::1]',
    '2001:db8::1/64',
    '%eth0',
  ];
  for (const input of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(canonicalIp(input), null));
  }

  it('is idempotent on its own output', () => {
    for (const [input] of cases) {
      const once = canonicalIp(input);
      assert.ok(once !== null);
      assert.equal(canonicalIp(once), once, input);
    }
  });
});

describe('parseIp', () => {
  it('gives IPv4 as one unsigned word', () => {
    assert.deepEqual(parseIp('255.255.255.254'), { family: 4, words: [0xfffffffe] });
    assert.deepEqual(parseIp('::ffff:128.0.0.1'), { family: 4, words: [0x80000001] });
  });

  it('gives IPv6 as four unsigned words, most significant first', () => {
    assert.deepEqual(parseIp('ffff:fffe::1'), { family: 6, words: [0xfffffffe, 0, 0, 1] });
    assert.deepEqual(parseIp('::'), { family: 6, words: [0, 0, 0, 0] });
  });

  it('round-trips through formatIp', () => {
    assert.equal(formatIp(ip('2001:db8:1:2:3:4:5:6')), '2001:db8:1:2:3:4:5:6');
    assert.equal(formatIp({ family: 4, words: [0xc0000201] }), '192.0.2.1');
  });
});

describe('prefixOf', () => {
  const cases: [string, number, string][] = [
    ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2::/64'],
    ['2001:db8:1:2:3:4:5:6', 48, '2001:db8:1::/48'],
    ['2001:db8:abcd:ffff:3:4:5:6', 56, '2001:db8:abcd:ff00::/56'],
    ['2001:db8:1:2:3:4:5:6', 128, '2001:db8:1:2:3:4:5:6/128'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 64, 'ffff:ffff:ffff:ffff::/64'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 48, 'ffff:ffff:ffff::/48'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 1, '8000::/1'],
    ['2001:db8::1', 0, '::/0'],
    ['192.0.2.77', 24, '192.0.2.0/24'],
    ['255.255.255.255', 1, '128.0.0.0/1'],
    ['255.255.255.255', 31, '255.255.255.254/31'],
    ['192.0.2.77', 32, '192.0.2.77/32'],
    ['192.0.2.77', 0, '0.0.0.0/0'],
  ];
  for (const [addr, bits, want] of cases) {
    it(`${addr}/${bits} → ${want}`, () => assert.equal(prefixOf(ip(addr), bits), want));
  }

  it('two addresses of one /64 share the prefix, a neighbour /64 does not', () => {
    const a = prefixOf(ip('2001:db8:0:7:aaaa::1'), 64);
    assert.equal(prefixOf(ip('2001:db8:0:7:ffff:1:2:3'), 64), a);
    assert.notEqual(prefixOf(ip('2001:db8:0:8::1'), 64), a);
  });

  it('maskWords keeps words unsigned', () => {
    assert.deepEqual(maskWords(ip('255.255.255.255'), 8), [0xff000000]);
    assert.deepEqual(maskWords(ip('ffff:ffff:ffff:ffff::'), 40), [0xffffffff, 0xff000000, 0, 0]);
  });
});
