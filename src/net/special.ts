/**
 * IANA's IPv4 and IPv6 special-purpose address registries (RFC 6890 and its
 * successors, as of 2026), plus multicast and the deprecated IPv4-compatible
 * form, with Sheriff's verdict on each: can a real remote peer — someone who
 * could be attacking sshd — have an address there?
 *
 * - 'bannable': yes (the documentation ranges stay bannable: tests and examples
 *   use them as attackers);
 * - 'trusted': yes, but it is private or local, so it is already a built-in
 *   trusted network (intel/trusted.ts) and never banned;
 * - 'protected': no — multicast, broadcast, reserved, unspecified, anycast
 *   service addresses. A ban there only breaks something, so it is refused;
 * - 'embedded': an IPv6 form of an IPv4 address: it is judged by the IPv4
 *   address inside it (`embeddedIpv4`).
 *
 * The most specific entry decides (2001:2::/48 is benchmarking inside the
 * protocol-assignment block 2001::/23).
 */
import { overlaps, parseCidr, within, type Cidr } from './cidr.js';
import { formatIp, maskWords } from './ip.js';

export type SpecialVerdict = 'bannable' | 'trusted' | 'protected' | 'embedded';

export interface SpecialRange {
  prefix: string;
  name: string;
  rfc: string;
  verdict: SpecialVerdict;
  /** Why a real peer can or cannot have such an address. */
  why: string;
}

const NOT_A_PEER = 'never the source of a connection to this host';

export const SPECIAL_PURPOSE: readonly SpecialRange[] = [
  // IPv4 Special-Purpose Address Registry.
  {
    prefix: '0.0.0.0/8',
    name: 'This network',
    rfc: 'RFC 791',
    verdict: 'protected',
    why: `only a source while a host learns its address (DHCP); ${NOT_A_PEER} over TCP`,
  },
  {
    prefix: '0.0.0.0/32',
    name: 'This host on this network',
    rfc: 'RFC 1122',
    verdict: 'trusted',
    why: 'the unspecified address; a built-in trusted network',
  },
  {
    prefix: '10.0.0.0/8',
    name: 'Private-Use',
    rfc: 'RFC 1918',
    verdict: 'trusted',
    why: 'private: a local peer, trusted by default',
  },
  {
    prefix: '100.64.0.0/10',
    name: 'Shared Address Space',
    rfc: 'RFC 6598',
    verdict: 'trusted',
    why: "carrier-grade NAT: the provider's side of this host's own network, trusted by default",
  },
  {
    prefix: '127.0.0.0/8',
    name: 'Loopback',
    rfc: 'RFC 1122',
    verdict: 'trusted',
    why: 'this host itself',
  },
  {
    prefix: '169.254.0.0/16',
    name: 'Link Local',
    rfc: 'RFC 3927',
    verdict: 'trusted',
    why: 'the local link only, trusted by default',
  },
  {
    prefix: '172.16.0.0/12',
    name: 'Private-Use',
    rfc: 'RFC 1918',
    verdict: 'trusted',
    why: 'private: a local peer, trusted by default',
  },
  {
    prefix: '192.0.0.0/24',
    name: 'IETF Protocol Assignments',
    rfc: 'RFC 6890',
    verdict: 'protected',
    why: 'protocol addresses (DS-Lite, NAT64 discovery, anycast services), not hosts',
  },
  {
    prefix: '192.0.0.0/29',
    name: 'IPv4 Service Continuity Prefix',
    rfc: 'RFC 7335',
    verdict: 'protected',
    why: "DS-Lite's tunnel ends (B4 and AFTR); banning them can cut this host's own IPv4",
  },
  {
    prefix: '192.0.0.8/32',
    name: 'IPv4 dummy address',
    rfc: 'RFC 7600',
    verdict: 'protected',
    why: 'the source of ICMP errors from routers without an IPv4 address, shared by all of them',
  },
  {
    prefix: '192.0.0.9/32',
    name: 'Port Control Protocol Anycast',
    rfc: 'RFC 7723',
    verdict: 'protected',
    why: `an anycast service this host may call; ${NOT_A_PEER}`,
  },
  {
    prefix: '192.0.0.10/32',
    name: 'Traversal Using Relays around NAT Anycast',
    rfc: 'RFC 8155',
    verdict: 'protected',
    why: `an anycast service this host may call; ${NOT_A_PEER}`,
  },
  {
    prefix: '192.0.0.170/32',
    name: 'NAT64/DNS64 Discovery',
    rfc: 'RFC 8880',
    verdict: 'protected',
    why: 'the well-known name ipv4only.arpa answers with it; not a host',
  },
  {
    prefix: '192.0.0.171/32',
    name: 'NAT64/DNS64 Discovery',
    rfc: 'RFC 8880',
    verdict: 'protected',
    why: 'the well-known name ipv4only.arpa answers with it; not a host',
  },
  {
    prefix: '192.0.2.0/24',
    name: 'Documentation (TEST-NET-1)',
    rfc: 'RFC 5737',
    verdict: 'bannable',
    why: 'examples and tests use it as an attacker',
  },
  {
    prefix: '192.31.196.0/24',
    name: 'AS112-v4',
    rfc: 'RFC 7535',
    verdict: 'protected',
    why: `anycast DNS sinks for private reverse zones; ${NOT_A_PEER}, and banning them slows sshd's reverse lookups`,
  },
  {
    prefix: '192.52.193.0/24',
    name: 'AMT',
    rfc: 'RFC 7450',
    verdict: 'protected',
    why: `anycast multicast-tunnel relays; ${NOT_A_PEER}`,
  },
  {
    prefix: '192.88.99.0/24',
    name: 'Deprecated (6to4 Relay Anycast)',
    rfc: 'RFC 7526',
    verdict: 'protected',
    why: `the old 6to4 relays' anycast, reserved since; ${NOT_A_PEER}`,
  },
  {
    prefix: '192.168.0.0/16',
    name: 'Private-Use',
    rfc: 'RFC 1918',
    verdict: 'trusted',
    why: 'private: a local peer, trusted by default',
  },
  {
    prefix: '192.175.48.0/24',
    name: 'Direct Delegation AS112 Service',
    rfc: 'RFC 7534',
    verdict: 'protected',
    why: `anycast DNS sinks; ${NOT_A_PEER}`,
  },
  {
    prefix: '198.18.0.0/15',
    name: 'Benchmarking',
    rfc: 'RFC 2544',
    verdict: 'bannable',
    why: 'test equipment in a lab is a real peer, and banning it harms nothing else',
  },
  {
    prefix: '198.51.100.0/24',
    name: 'Documentation (TEST-NET-2)',
    rfc: 'RFC 5737',
    verdict: 'bannable',
    why: 'examples and tests use it as an attacker',
  },
  {
    prefix: '203.0.113.0/24',
    name: 'Documentation (TEST-NET-3)',
    rfc: 'RFC 5737',
    verdict: 'bannable',
    why: 'examples and tests use it as an attacker',
  },
  {
    prefix: '224.0.0.0/4',
    name: 'Multicast',
    rfc: 'RFC 5771',
    verdict: 'protected',
    why: 'a group address is only ever a destination; banning it breaks local multicast',
  },
  {
    prefix: '240.0.0.0/4',
    name: 'Reserved',
    rfc: 'RFC 1112',
    verdict: 'protected',
    why: 'reserved: no host has such an address',
  },
  {
    prefix: '255.255.255.255/32',
    name: 'Limited Broadcast',
    rfc: 'RFC 919',
    verdict: 'protected',
    why: 'every host on the link; banning it breaks DHCP',
  },

  // IPv6 Special-Purpose Address Registry.
  {
    prefix: '::/128',
    name: 'Unspecified Address',
    rfc: 'RFC 4291',
    verdict: 'trusted',
    why: 'no address at all; a built-in trusted network',
  },
  {
    prefix: '::1/128',
    name: 'Loopback Address',
    rfc: 'RFC 4291',
    verdict: 'trusted',
    why: 'this host itself',
  },
  {
    prefix: '::/96',
    name: 'IPv4-compatible (deprecated)',
    rfc: 'RFC 4291 §2.5.5.1',
    verdict: 'embedded',
    why: 'an IPv4 address in the low 32 bits: judged by that address',
  },
  {
    prefix: '::ffff:0:0/96',
    name: 'IPv4-mapped Address',
    rfc: 'RFC 4291',
    verdict: 'embedded',
    why: 'an IPv4 address as IPv6 sockets show it; Sheriff reads it as the IPv4 address',
  },
  {
    prefix: '64:ff9b::/96',
    name: 'IPv4-IPv6 Translat.',
    rfc: 'RFC 6052',
    verdict: 'embedded',
    why: 'NAT64: on a NAT64 host every IPv4 peer, admins included, arrives in this form',
  },
  {
    prefix: '64:ff9b:1::/48',
    name: 'IPv4-IPv6 Translat. (local use)',
    rfc: 'RFC 8215',
    verdict: 'embedded',
    why: 'local NAT64, read as a /96 translation prefix: the IPv4 address in the low 32 bits',
  },
  {
    prefix: '100::/64',
    name: 'Discard-Only Address Block',
    rfc: 'RFC 6666',
    verdict: 'protected',
    why: `a remote-triggered blackhole; ${NOT_A_PEER}`,
  },
  {
    prefix: '100:0:0:1::/64',
    name: 'Dummy IPv6 Prefix',
    rfc: 'RFC 9780',
    verdict: 'protected',
    why: 'the source of ICMPv6 errors from routers without an IPv6 address, shared by all of them',
  },
  {
    prefix: '2001::/23',
    name: 'IETF Protocol Assignments',
    rfc: 'RFC 2928',
    verdict: 'protected',
    why: 'protocol addresses, not hosts, except the blocks listed on their own',
  },
  {
    prefix: '2001::/32',
    name: 'TEREDO',
    rfc: 'RFC 4380',
    verdict: 'embedded',
    why: "a Teredo peer: the server's IPv4 in bits 32–63, the client's (inverted) in the low 32 bits",
  },
  {
    prefix: '2001:1::1/128',
    name: 'Port Control Protocol Anycast',
    rfc: 'RFC 7723',
    verdict: 'protected',
    why: `an anycast service this host may call; ${NOT_A_PEER}`,
  },
  {
    prefix: '2001:1::2/128',
    name: 'Traversal Using Relays around NAT Anycast',
    rfc: 'RFC 8155',
    verdict: 'protected',
    why: `an anycast service this host may call; ${NOT_A_PEER}`,
  },
  {
    prefix: '2001:1::3/128',
    name: 'DNS-SD Service Registration Protocol Anycast',
    rfc: 'RFC 9665',
    verdict: 'protected',
    why: `an anycast service this host may call; ${NOT_A_PEER}`,
  },
  {
    prefix: '2001:2::/48',
    name: 'Benchmarking',
    rfc: 'RFC 5180',
    verdict: 'bannable',
    why: 'test equipment in a lab is a real peer, and banning it harms nothing else',
  },
  {
    prefix: '2001:3::/32',
    name: 'AMT',
    rfc: 'RFC 7450',
    verdict: 'protected',
    why: `anycast multicast-tunnel relays; ${NOT_A_PEER}`,
  },
  {
    prefix: '2001:4:112::/48',
    name: 'AS112-v6',
    rfc: 'RFC 7535',
    verdict: 'protected',
    why: `anycast DNS sinks; ${NOT_A_PEER}`,
  },
  {
    prefix: '2001:10::/28',
    name: 'Deprecated (previously ORCHID)',
    rfc: 'RFC 4843',
    verdict: 'protected',
    why: 'retired identifiers, reserved: no peer has one',
  },
  {
    prefix: '2001:20::/28',
    name: 'ORCHIDv2',
    rfc: 'RFC 7343',
    verdict: 'bannable',
    why: 'a HIP peer: applications such as sshd see its identifier as the peer address',
  },
  {
    prefix: '2001:30::/28',
    name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix',
    rfc: 'RFC 9374',
    verdict: 'bannable',
    why: 'a HIP peer: applications such as sshd see its identifier as the peer address',
  },
  {
    prefix: '2001:db8::/32',
    name: 'Documentation',
    rfc: 'RFC 3849',
    verdict: 'bannable',
    why: 'examples and tests use it as an attacker',
  },
  {
    prefix: '2002::/16',
    name: '6to4',
    rfc: 'RFC 3056',
    verdict: 'embedded',
    why: "a 6to4 site: its router's IPv4 address in bits 16–47",
  },
  {
    prefix: '2620:4f:8000::/48',
    name: 'Direct Delegation AS112 Service',
    rfc: 'RFC 7534',
    verdict: 'protected',
    why: `anycast DNS sinks; ${NOT_A_PEER}`,
  },
  {
    prefix: '3fff::/20',
    name: 'Documentation',
    rfc: 'RFC 9637',
    verdict: 'bannable',
    why: 'examples and tests use it as an attacker',
  },
  {
    prefix: '5f00::/16',
    name: 'Segment Routing (SRv6) SIDs',
    rfc: 'RFC 9602',
    verdict: 'protected',
    why: "segment identifiers: the network's forwarding instructions, not hosts",
  },
  {
    prefix: 'fc00::/7',
    name: 'Unique-Local',
    rfc: 'RFC 4193',
    verdict: 'trusted',
    why: 'private: a local peer, trusted by default',
  },
  {
    prefix: 'fe80::/10',
    name: 'Link-Local Unicast',
    rfc: 'RFC 4291',
    verdict: 'trusted',
    why: 'the local link only, trusted by default',
  },
  {
    prefix: 'ff00::/8',
    name: 'Multicast',
    rfc: 'RFC 4291',
    verdict: 'protected',
    why: 'a group address is only ever a destination',
  },
];

export interface CompiledSpecialRange extends SpecialRange {
  cidr: Cidr;
}

/** IPv4-mapped space as an IPv6 prefix: parseCidr reads "::ffff:0:0/96" as IPv4's 0.0.0.0/0. */
const MAPPED: Cidr = { family: 6, bits: 96, words: [0, 0, 0xffff, 0], text: '::ffff:0:0/96' };

/** A table prefix as a Cidr of its own family. */
export function specialCidr(prefix: string): Cidr {
  return prefix === MAPPED.text ? MAPPED : parseCidr(prefix);
}

const COMPILED: readonly CompiledSpecialRange[] = SPECIAL_PURPOSE.map((r) => ({
  ...r,
  cidr: specialCidr(r.prefix),
}));

const NARROWEST_FIRST = [...COMPILED].sort((a, b) => b.cidr.bits - a.cidr.bits);
const WIDEST_FIRST = [...NARROWEST_FIRST].reverse();

/**
 * The protected special-purpose range that `target` overlaps, or null: the
 * narrowest one it lies inside (192.0.0.9 is PCP anycast before it is an IETF
 * protocol address) unless a narrower range that is not protected holds it
 * (benchmarking 2001:2::/48 inside 2001::/23); else the widest one it contains.
 */
export function protectedRangeOf(target: Cidr): CompiledSpecialRange | null {
  for (const r of NARROWEST_FIRST) {
    if (!within(target, r.cidr)) continue;
    if (r.verdict === 'protected') return r;
    break;
  }
  for (const r of WIDEST_FIRST) {
    if (r.verdict === 'protected' && within(r.cidr, target)) return r;
  }
  return null;
}

/** How an IPv6 prefix carries an IPv4 address: from bit `offset`, inverted for Teredo's client. */
interface Embedding {
  scheme: string;
  prefix: Cidr;
  offset: number;
  inverted: boolean;
}

const EMBEDDINGS: readonly Embedding[] = [
  { scheme: 'IPv4-compatible', prefix: '::/96', offset: 96, inverted: false },
  { scheme: 'IPv4-mapped', prefix: '::ffff:0:0/96', offset: 96, inverted: false },
  { scheme: 'NAT64', prefix: '64:ff9b::/96', offset: 96, inverted: false },
  { scheme: 'local NAT64', prefix: '64:ff9b:1::/48', offset: 96, inverted: false },
  { scheme: '6to4', prefix: '2002::/16', offset: 16, inverted: false },
  { scheme: 'Teredo server', prefix: '2001::/32', offset: 32, inverted: false },
  { scheme: 'Teredo client', prefix: '2001::/32', offset: 96, inverted: true },
].map((e) => ({ ...e, prefix: specialCidr(e.prefix) }));

export interface EmbeddedIpv4 {
  scheme: string;
  /** Every IPv4 address the target's addresses carry, as one prefix (0.0.0.0/0 when any). */
  ipv4: Cidr;
}

/**
 * The IPv4 addresses an IPv6 prefix carries in each embedding it overlaps.
 * A prefix that leaves some of the IPv4 bits open carries the whole IPv4
 * prefix they span: 64:ff9b::/64 carries 0.0.0.0/0, all of IPv4.
 */
export function embeddedIpv4(target: Cidr): EmbeddedIpv4[] {
  if (target.family !== 6) return [];
  const out: EmbeddedIpv4[] = [];
  for (const e of EMBEDDINGS) {
    if (!overlaps(target, e.prefix)) continue;
    const bits = Math.max(0, Math.min(32, target.bits - e.offset));
    let v4 = bitsAt(target.words, e.offset);
    if (e.inverted) v4 = ~v4 >>> 0;
    const words = maskWords({ family: 4, words: [v4] }, bits);
    out.push({ scheme: e.scheme, ipv4: parseCidr(`${formatIp({ family: 4, words })}/${bits}`) });
  }
  return out;
}

/** The 32 bits of a 128-bit address (four words) starting at bit `offset`. */
function bitsAt(words: readonly number[], offset: number): number {
  const i = Math.floor(offset / 32);
  const shift = offset % 32;
  if (shift === 0) return words[i]! >>> 0;
  return ((words[i]! << shift) | (words[i + 1]! >>> (32 - shift))) >>> 0;
}
