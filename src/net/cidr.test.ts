import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CidrError, CidrSet, parseCidr, type Cidr } from './cidr.js';
import { formatIp, maskWords, parseIp, type ParsedIp } from './ip.js';

function ip(s: string): ParsedIp {
  const p = parseIp(s);
  assert.ok(p !== null, `expected ${s} to parse`);
  return p;
}

describe('parseCidr', () => {
  const cases: [string, { family: 4 | 6; bits: number; text: string }][] = [
    ['192.0.2.0/24', { family: 4, bits: 24, text: '192.0.2.0/24' }],
    ['192.0.2.77/24', { family: 4, bits: 24, text: '192.0.2.0/24' }], // host bits cleared
    ['10.0.0.0/8', { family: 4, bits: 8, text: '10.0.0.0/8' }],
    ['0.0.0.0/0', { family: 4, bits: 0, text: '0.0.0.0/0' }],
    ['203.0.113.9', { family: 4, bits: 32, text: '203.0.113.9/32' }],
    ['203.0.113.9/32', { family: 4, bits: 32, text: '203.0.113.9/32' }],
    [' 192.0.2.0 / 24 ', { family: 4, bits: 24, text: '192.0.2.0/24' }],
    ['2001:DB8::/32', { family: 6, bits: 32, text: '2001:db8::/32' }],
    ['2001:db8:1:2:3:4:5:6/64', { family: 6, bits: 64, text: '2001:db8:1:2::/64' }],
    ['::/0', { family: 6, bits: 0, text: '::/0' }],
    ['::1', { family: 6, bits: 128, text: '::1/128' }],
    ['fe80::1%eth0/64', { family: 6, bits: 64, text: 'fe80::/64' }],
    // An IPv4-mapped network keeps its IPv4 meaning: /120 of ::ffff:0:0/96 is a /24.
    ['::ffff:192.0.2.0/120', { family: 4, bits: 24, text: '192.0.2.0/24' }],
    ['::ffff:192.0.2.9/128', { family: 4, bits: 32, text: '192.0.2.9/32' }],
    ['::ffff:0.0.0.0/96', { family: 4, bits: 0, text: '0.0.0.0/0' }],
    ['::ffff:192.0.2.9', { family: 4, bits: 32, text: '192.0.2.9/32' }],
  ];
  for (const [input, want] of cases) {
    it(`${JSON.stringify(input)} → ${want.text}`, () => {
      const c = parseCidr(input);
      assert.deepEqual({ family: c.family, bits: c.bits, text: c.text }, want);
    });
  }

  const errors: [string, RegExp][] = [
    ['', /expected an IP address or CIDR like 192\.0\.2\.0\/24, got ""/],
    ['/24', /expected an IP address or CIDR/],
    ['example.com/24', /got "example\.com\/24"/],
    ['192.030.0.0/24', /expected an IP address or CIDR/],
    ['192.0.2.0/33', /prefix length must be 0–32 in "192\.0\.2\.0\/33"/],
    ['2001:db8::/129', /prefix length must be 0–128 in "2001:db8::\/129"/],
    ['::ffff:192.0.2.0/129', /prefix length must be 0–128/],
    ['192.0.2.0/', /prefix length/],
    ['192.0.2.0/-1', /prefix length/],
    ['192.0.2.0/+8', /prefix length/],
    ['192.0.2.0/8.0', /prefix length/],
    ['192.0.2.0/0x10', /prefix length/],
    ['192.0.2.0/1000', /prefix length/],
    ['192.0.2.0/24/8', /prefix length/],
    ['192.0.2.0/ab', /prefix length/],
  ];
  for (const [input, message] of errors) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseCidr(input),
        (e: unknown) => {
          assert.ok(e instanceof CidrError);
          assert.match(e.message, message);
          return true;
        },
      );
    });
  }
});

describe('CidrSet', () => {
  const table: [string[], string, string | null][] = [
    [['192.0.2.0/24'], '192.0.2.0', '192.0.2.0/24'],
    [['192.0.2.0/24'], '192.0.2.255', '192.0.2.0/24'],
    [['192.0.2.0/24'], '192.0.3.0', null],
    [['192.0.2.0/24'], '192.0.1.255', null],
    [['128.0.0.0/1'], '255.255.255.255', '128.0.0.0/1'],
    [['128.0.0.0/1'], '127.255.255.255', null],
    [['0.0.0.0/0'], '203.0.113.1', '0.0.0.0/0'],
    [['0.0.0.0/0'], '2001:db8::1', null], // /0 of one family never matches the other
    [['::/0'], '2001:db8::1', '::/0'],
    [['::/0'], '203.0.113.1', null],
    [['203.0.113.9'], '203.0.113.9', '203.0.113.9/32'],
    [['203.0.113.9'], '203.0.113.8', null],
    [['203.0.113.9'], '203.0.113.10', null],
    [['2001:db8::/32'], '2001:db8:ffff::1', '2001:db8::/32'],
    [['2001:db8::/32'], '2001:db9::1', null],
    [['2001:db8::1'], '2001:db8::1', '2001:db8::1/128'],
    [['2001:db8::1'], '2001:db8::2', null],
    [['2001:db8:0:7::/64'], '2001:db8:0:7:ffff:ffff:ffff:ffff', '2001:db8:0:7::/64'],
    [['2001:db8:0:7::/64'], '2001:db8:0:8::', null],
    [['2001:db8:0:7::/63'], '2001:db8:0:6::1', '2001:db8:0:6::/63'],
    [
      ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127'],
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127',
    ],
    // An IPv4 network matches the same address seen as IPv4-mapped IPv6, and back.
    [['192.0.2.0/24'], '::ffff:192.0.2.7', '192.0.2.0/24'],
    [['::ffff:192.0.2.0/120'], '192.0.2.7', '192.0.2.0/24'],
    [['::ffff:192.0.2.0/120'], '192.0.3.7', null],
    [['::ffff:192.0.2.0/120'], '::ffff:192.0.2.200', '192.0.2.0/24'],
    // The first network that contains the address wins.
    [['10.0.0.0/8', '10.1.0.0/16'], '10.1.2.3', '10.0.0.0/8'],
    [['10.1.0.0/16', '10.0.0.0/8'], '10.1.2.3', '10.1.0.0/16'],
    [['10.1.0.0/16', '10.0.0.0/8'], '10.2.2.3', '10.0.0.0/8'],
    [[], '10.2.2.3', null],
  ];
  for (const [nets, addr, want] of table) {
    it(`[${nets.join(', ')}] ∋ ${addr}: ${want ?? 'no'}`, () => {
      const set = new CidrSet(nets);
      assert.equal(set.match(ip(addr))?.text ?? null, want);
      assert.equal(set.has(ip(addr)), want !== null);
    });
  }

  it('accepts compiled networks and lists them canonically', () => {
    const set = new CidrSet([parseCidr('2001:DB8::/32'), '192.0.2.9', '10.9.8.7/8']);
    assert.equal(set.size, 3);
    assert.deepEqual(set.list(), ['2001:db8::/32', '192.0.2.9/32', '10.0.0.0/8']);
  });

  it('matches as masking the address with each network in turn does, on random sets', () => {
    // Few distinct words, so that addresses fall inside the networks often.
    const word = fc.constantFrom(0, 1, 0x0a000000, 0x7fffffff, 0x80000000, 0xc0a80000, 0xffffffff);
    const address = fc.oneof(
      fc.tuple(word).map((words) => ({ family: 4 as const, words })),
      fc.tuple(word, word, word, word).map((words) => ({ family: 6 as const, words })),
    );
    const network = fc
      .tuple(address, fc.integer({ min: 0, max: 128 }))
      .map(([a, n]) => parseCidr(`${formatIp(a)}/${a.family === 4 ? n % 33 : n}`));
    const naive = (nets: Cidr[], a: ParsedIp) =>
      nets.find(
        (n) => n.family === a.family && maskWords(a, n.bits).every((w, i) => w === n.words[i]),
      ) ?? null;
    fc.assert(
      fc.property(fc.array(network, { maxLength: 12 }), fc.array(address), (nets, addresses) => {
        const set = new CidrSet(nets);
        for (const a of addresses) assert.equal(set.match(a), naive(nets, a));
      }),
    );
  });

  it('throws CidrError on the first bad entry', () => {
    assert.throws(() => new CidrSet(['10.0.0.0/8', 'nope']), CidrError);
  });
});
