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

/**
 * The IPv4 text last read and its value, as `scanIpv6` keeps the last IPv6 one: the filter
 * canonicalises an event's address, then the tracker parses the same string.
 */
let lastV4Text = '';
let lastV4Word: number | null = null;

function ipv4Word(s: string): number | null {
  if (s !== lastV4Text) {
    lastV4Text = s;
    lastV4Word = parseIpv4Words(s, 0, s.length);
  }
  return lastV4Word;
}

/** What `scanIpv6` read: the eight hextets, and whether the text is already canonical. */
const hextets = new Int32Array(8);
let scannedCanonical = false;
/**
 * The text last scanned, and whether it was an address: `hextets` still hold it. (It may
 * keep the chunk of log it was cut from alive, one chunk at most, until the next address.)
 */
let lastScanned = '';
let lastScanValid = false;

/**
 * Reads an IPv6 address into `hextets` without allocating (it runs once per event, and a
 * flood of distinct addresses misses every cache); false when `s` is not one. Also notes
 * whether `s` is exactly what `formatIp` prints for it (RFC 5952), so the common case
 * needs no formatting.
 */
function scanIpv6(s: string): boolean {
  // The filter canonicalises an event's address, then the tracker parses the same string.
  if (s === lastScanned) return lastScanValid;
  lastScanned = s;
  lastScanValid = false;
  let end = s.indexOf('%');
  if (end === -1) end = s.length;
  if (end < 2 || end > 45) return false;
  let canonical = end === s.length;
  let n = 0;
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58 /* : */) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let j = i;
    let h = 0;
    for (; j < end; j++) {
      const c = s.charCodeAt(j);
      if (c >= 48 && c <= 57) h = h * 16 + (c - 48);
      else if (c >= 97 && c <= 102) h = h * 16 + (c - 87);
      else if (c >= 65 && c <= 70) {
        h = h * 16 + (c - 55);
        canonical = false;
      } else break;
    }
    if (j < end && s.charCodeAt(j) === 46 /* . */) {
      // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4): formatIp never prints one.
      if (n > 6) return false;
      const v4 = parseIpv4Words(s, i, end);
      if (v4 === null) return false;
      hextets[n++] = Math.floor(v4 / 65536);
      hextets[n++] = v4 % 65536;
      canonical = false;
      i = end;
      break;
    }
    const len = j - i;
    if (len === 0 || len > 4 || n === 8) return false;
    if (len > 1 && s.charCodeAt(i) === 48) canonical = false;
    hextets[n++] = h;
    if (j === end) {
      i = end;
      break;
    }
    if (s.charCodeAt(j) !== 58) return false;
    if (s.charCodeAt(j + 1) === 58) {
      if (gap !== -1) return false;
      gap = n;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return false;
    }
  }
  if (gap === -1) {
    if (n !== 8) return false;
  } else {
    if (n > 7) return false;
    // The hextets after the gap move to the end; zeros fill it.
    const after = n - gap;
    for (let k = 0; k < after; k++) hextets[7 - k] = hextets[n - 1 - k]!;
    for (let k = gap; k < 8 - after; k++) hextets[k] = 0;
  }
  if (canonical) {
    // RFC 5952: "::" stands for the longest run of two or more zero hextets, the first on a tie.
    let bestStart = -1;
    let bestLen = 1;
    for (let k = 0; k < 8;) {
      if (hextets[k] !== 0) {
        k++;
        continue;
      }
      let e = k;
      while (e < 8 && hextets[e] === 0) e++;
      if (e - k > bestLen) {
        bestStart = k;
        bestLen = e - k;
      }
      k = e;
    }
    canonical = gap === -1 ? bestStart === -1 : gap === bestStart && 8 - n === bestLen;
    // IPv4-mapped: its canonical form is the IPv4 address.
    if (
      hextets[0] === 0 &&
      hextets[1] === 0 &&
      hextets[2] === 0 &&
      hextets[3] === 0 &&
      hextets[4] === 0 &&
      hextets[5] === 0xffff
    )
      canonical = false;
  }
  scannedCanonical = canonical;
  lastScanValid = true;
  return true;
}

function parseIpv6(s: string): number[] | null {
  if (!scanIpv6(s)) return null;
  const words: number[] = [0, 0, 0, 0];
  for (let w = 0; w < 4; w++) words[w] = hextets[2 * w]! * 65536 + hextets[2 * w + 1]!;
  return words;
}

/**
 * Parses `s` into `out` (reused: for hot paths), or null. An IPv4 address (or IPv4-mapped
 * IPv6) fills `v4`, whose `words` has one element; IPv6 fills `v6`, four.
 */
export function parseIpInto(s: string, v4: ParsedIp, v6: ParsedIp): ParsedIp | null {
  if (s.indexOf(':') === -1) {
    const w = ipv4Word(s);
    if (w === null) return null;
    v4.words[0] = w;
    return v4;
  }
  if (!scanIpv6(s)) return null;
  const words = v6.words;
  for (let w = 0; w < 4; w++) words[w] = hextets[2 * w]! * 65536 + hextets[2 * w + 1]!;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) {
    v4.words[0] = words[3]!;
    return v4;
  }
  return v6;
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
  if (s.indexOf(':') === -1) return ipv4Word(s) === null ? null : s;
  // Most IPv6 addresses in logs are written canonically already: checked without allocating.
  if (!scanIpv6(s)) return null;
  if (scannedCanonical) return s;
  // The others repeat themselves: remember recent answers (keys copied, see detach.ts).
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
