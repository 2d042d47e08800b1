/**
 * IP address parsing and canonical form. Every address Sheriff stores, compares
 * or hands to a firewall goes through `canonicalIp` first: IPv4 as strict dotted
 * decimal (no leading zeros, so "192.030.0.6" is not an address), IPv6
 * compressed and lower case (RFC 5952), IPv4-mapped IPv6 as IPv4, `%zone` dropped.
 */

import { detach } from '../detach.js';

export type IpFamily = 4 | 6;

/** A parsed address: IPv4 in one 32-bit word, IPv6 in four, most significant first. */
export interface ParsedIp {
  family: IpFamily;
  words: number[];
}

function parseIpv4Words(s: string, start: number, end: number): number | null {
  let value = 0;
  let parts = 0;
  let i = start;
  while (i < end) {
    let octet = 0;
    let digits = 0;
    const first = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (!(c >= 48 && c <= 57)) break;
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return null;
    if (digits > 1 && s.charCodeAt(first) === 48) return null; // leading zero: octal ambiguity
    value = value * 256 + octet;
    parts++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 46 || parts === 4) return null;
    i++;
    if (i === end) return null;
  }
  return parts === 4 ? value : null;
}

function parseIpv6(s: string): number[] | null {
  let text = s;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (text.length < 2 || text.length > 45) return null;
  const hextets: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
    if (text.length === 2) return [0, 0, 0, 0];
  } else if (text.charCodeAt(0) === 58) {
    return null;
  }
  while (i < text.length) {
    // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4).
    const nextColon = text.indexOf(':', i);
    const segEnd = nextColon === -1 ? text.length : nextColon;
    if (nextColon === -1 && text.indexOf('.', i) !== -1) {
      const v4 = parseIpv4Words(text, i, text.length);
      if (v4 === null) return null;
      hextets.push(Math.floor(v4 / 65536), v4 % 65536);
      i = text.length;
      break;
    }
    const len = segEnd - i;
    if (len === 0 || len > 4) return null;
    let h = 0;
    for (let j = i; j < segEnd; j++) {
      const c = text.charCodeAt(j);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else return null;
      h = h * 16 + d;
    }
    hextets.push(h);
    if (segEnd === text.length) {
      i = segEnd;
      break;
    }
    // segEnd is a colon
    if (text.charCodeAt(segEnd + 1) === 58) {
      if (gap !== -1) return null;
      gap = hextets.length;
      i = segEnd + 2;
      if (i === text.length) break;
    } else {
      i = segEnd + 1;
      if (i === text.length) return null;
    }
  }
  if (hextets.length > 8) return null;
  if (gap === -1) {
    if (hextets.length !== 8) return null;
  } else {
    if (hextets.length > 7) return null;
    const zeros: number[] = new Array<number>(8 - hextets.length).fill(0);
    hextets.splice(gap, 0, ...zeros);
  }
  const words: number[] = [];
  for (let w = 0; w < 4; w++) words.push(hextets[2 * w]! * 65536 + hextets[2 * w + 1]!);
  return words;
}

/** An address in strict dotted decimal as one 32-bit word, or null (no allocation: hot paths). */
export function ipv4Word(s: string): number | null {
  return parseIpv4Words(s, 0, s.length);
}

/** Parses an address; IPv4-mapped IPv6 comes back as IPv4. Null when `s` is not exactly one address. */
export function parseIp(s: string): ParsedIp | null {
  if (s.length === 0) return null;
  if (s.indexOf(':') === -1) {
    const v4 = parseIpv4Words(s, 0, s.length);
    return v4 === null ? null : { family: 4, words: [v4] };
  }
  const words = parseIpv6(s);
  if (words === null) return null;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff)
    return { family: 4, words: [words[3]!] };
  return { family: 6, words };
}

export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) {
    const v = ip.words[0]!;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const h: number[] = [];
  for (const w of ip.words) h.push(Math.floor(w / 65536), w % 65536);
  // RFC 5952: compress the longest run of two or more zero hextets, the first on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart === -1) return hex(h);
  return `${hex(h.slice(0, bestStart))}::${hex(h.slice(bestStart + bestLen))}`;
}

/** Canonical text of an address, or null when `s` is not one (a host name, garbage). */
export function canonicalIp(s: string): string | null {
  // A strict dotted quad is already canonical: no need to format it again (hot path).
  if (s.indexOf(':') === -1) return parseIpv4Words(s, 0, s.length) === null ? null : s;
  // IPv6 attackers repeat themselves: remember recent answers (keys copied, see detach.ts).
  const cached = v6Cache.get(s);
  if (cached !== undefined) return cached;
  const parsed = parseIp(s);
  const canonical = parsed === null ? null : formatIp(parsed);
  if (v6Cache.size >= V6_CACHE_SIZE) v6Cache.clear();
  v6Cache.set(detach(s), canonical);
  return canonical;
}

/**
 * Room for every IPv6 attacker of a busy log: past the cap the cache starts over, so a
 * few thousand addresses more than it holds would miss on nearly every line (the
 * bench's mixed log has some 4,200). About 100 bytes an entry.
 */
const V6_CACHE_SIZE = 16_384;
const v6Cache = new Map<string, string | null>();

/** The prefix of `ip` of `bits` length (IPv6 /64 for rotating attackers), in CIDR form. */
export function prefixOf(ip: ParsedIp, bits: number): string {
  const words = maskWords(ip, bits);
  return `${formatIp({ family: ip.family, words })}/${bits}`;
}

export function maskWords(ip: ParsedIp, bits: number): number[] {
  return ip.words.map((w, i) => maskWord(w, i, bits));
}

/** Word `i` of an address (`w`) with the bits beyond a prefix of `bits` cleared. */
export function maskWord(w: number, i: number, bits: number): number {
  const keep = Math.max(0, Math.min(32, bits - 32 * i));
  if (keep === 32) return w;
  if (keep === 0) return 0;
  return (w & (0xffffffff << (32 - keep))) >>> 0;
}
