/**
 * CIDR lists compiled once into masks, matched without allocation per lookup.
 */
import { formatIp, maskWord, maskWords, parseIp, type ParsedIp } from './ip.js';

export interface Cidr {
  family: 4 | 6;
  bits: number;
  words: number[];
  text: string;
}

export class CidrError extends Error {}

/** Parses "192.0.2.0/24", "2001:db8::/32" or a single address (a /32 or /128). */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  const ip = parseIp(addr.trim());
  if (ip === null)
    throw new CidrError(`expected an IP address or CIDR like 192.0.2.0/24, got "${text}"`);
  // An IPv4-mapped address written in IPv6 form takes an IPv6 prefix length.
  const max = addr.includes(':') ? 128 : 32;
  let bits = ip.family === 4 ? 32 : 128;
  if (slash !== -1) {
    const b = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(b) || Number(b) > max)
      throw new CidrError(`prefix length must be 0–${max} in "${text}"`);
    bits = Number(b);
    if (addr.includes(':') && ip.family === 4 && bits < 96)
      throw new CidrError(
        `"${text}" is wider than the IPv4-mapped range ::ffff:0:0/96; write IPv4 networks as a.b.c.d/n`,
      );
    // An IPv4-mapped network written in IPv6 form keeps its IPv4 meaning.
    if (addr.includes(':') && ip.family === 4) bits = Math.max(0, bits - 96);
  }
  const words = maskWords(ip, bits);
  return {
    family: ip.family,
    bits,
    words,
    text: `${formatIp({ family: ip.family, words })}/${bits}`,
  };
}

/** A prefix written with host bits set ("203.0.113.0/16"): which network was meant is a guess. */
export class HostBitsError extends CidrError {
  constructor(
    readonly input: string,
    readonly network: Cidr,
  ) {
    super(
      `"${input}" has bits set beyond its /${network.bits} prefix: the network is ${network.text}`,
    );
  }
}

/**
 * `parseCidr` for what will be acted on (a ban, an unban): host bits are refused
 * rather than cleared, so "203.0.113.0/16" never silently becomes 203.0.0.0/16.
 */
export function parseNetwork(text: string): Cidr {
  const c = parseCidr(text);
  const slash = text.indexOf('/');
  if (slash === -1) return c;
  const ip = parseIp(text.slice(0, slash).trim());
  if (ip !== null && ip.words.some((w, i) => w !== c.words[i])) throw new HostBitsError(text, c);
  return c;
}

/** Whether `inner` lies within `outer` (same family, at least as long, same network bits). */
export function within(inner: Cidr, outer: Cidr): boolean {
  if (inner.family !== outer.family || inner.bits < outer.bits) return false;
  return maskWords(inner, outer.bits).every((w, i) => w === outer.words[i]);
}

/** Whether two prefixes share any address: the shorter one contains the other's network. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.bits <= b.bits ? within(b, a) : within(a, b);
}

/** A compiled set of networks. */
export class CidrSet {
  private readonly nets: Cidr[];
  /**
   * Per family, its networks' indices in `nets` (in order) and each one's mask and network
   * words side by side (mask, network; four pairs for IPv6): this runs for every new address.
   */
  private readonly v4: Family;
  private readonly v6: Family;

  constructor(cidrs: Iterable<string | Cidr>) {
    this.nets = [...cidrs].map((c) => (typeof c === 'string' ? parseCidr(c) : c));
    this.v4 = family(this.nets, 4);
    this.v6 = family(this.nets, 6);
  }

  get size(): number {
    return this.nets.length;
  }

  /** The first network containing `ip`, or null. */
  match(ip: ParsedIp): Cidr | null {
    const w = ip.words;
    if (ip.family === 4) {
      const { index, words } = this.v4;
      const a = w[0]! | 0;
      for (let n = 0; n < index.length; n++)
        if ((a & words[2 * n]!) === words[2 * n + 1]) return this.nets[index[n]!]!;
      return null;
    }
    const { index, words } = this.v6;
    const a = w[0]! | 0;
    const b = w[1]! | 0;
    const c = w[2]! | 0;
    const d = w[3]! | 0;
    for (let n = 0; n < index.length; n++) {
      const k = 8 * n;
      if (
        (a & words[k]!) === words[k + 1] &&
        (b & words[k + 2]!) === words[k + 3] &&
        (c & words[k + 4]!) === words[k + 5] &&
        (d & words[k + 6]!) === words[k + 7]
      )
        return this.nets[index[n]!]!;
    }
    return null;
  }

  has(ip: ParsedIp): boolean {
    return this.match(ip) !== null;
  }

  list(): string[] {
    return this.nets.map((n) => n.text);
  }
}

interface Family {
  index: Int32Array;
  words: Int32Array;
}

/** `nets`' networks of one family, compiled for `match` (signed words: `a & mask` is signed). */
function family(nets: readonly Cidr[], f: 4 | 6): Family {
  const count = f === 4 ? 1 : 4;
  const index: number[] = [];
  const words: number[] = [];
  nets.forEach((net, i) => {
    if (net.family !== f) return;
    index.push(i);
    for (let k = 0; k < count; k++) {
      const mask = maskWord(0xffffffff, k, net.bits);
      words.push(mask | 0, net.words[k]! | 0);
    }
  });
  return { index: Int32Array.from(index), words: Int32Array.from(words) };
}
