/**
 * canonicalIp and parseIp read IPv6 with a scanner that allocates nothing and
 * knows when the text is already canonical (ip.ts): the same answers as the
 * straightforward parser they replaced (kept here as the reference) followed by
 * formatIp, on every way of writing an address and on garbage.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalIp, formatIp, parseIp, parseIpInto, type ParsedIp } from './ip.js';

/** The parser before the scanner, as it was. */
function referenceIpv6(s: string): number[] | null {
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
  } else if (text.charCodeAt(0) === 58) return null;
  while (i < text.length) {
    const nextColon = text.indexOf(':', i);
    const segEnd = nextColon === -1 ? text.length : nextColon;
    if (nextColon === -1 && text.indexOf('.', i) !== -1) {
      const v4 = referenceIpv4(text.slice(i));
      if (v4 === null) return null;
      hextets.push(Math.floor(v4 / 65536), v4 % 65536);
      i = text.length;
      break;
    }
    const len = segEnd - i;
    if (len === 0 || len > 4) return null;
    if (!/^[0-9a-fA-F]+$/.test(text.slice(i, segEnd))) return null;
    hextets.push(parseInt(text.slice(i, segEnd), 16));
    if (segEnd === text.length) {
      i = segEnd;
      break;
    }
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
    hextets.splice(gap, 0, ...new Array<number>(8 - hextets.length).fill(0));
  }
  const words: number[] = [];
  for (let w = 0; w < 4; w++) words.push(hextets[2 * w]! * 65536 + hextets[2 * w + 1]!);
  return words;
}

function referenceIpv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    v = v * 256 + Number(p);
  }
  return v;
}

/** parseIp as it was: IPv4-mapped IPv6 as IPv4. */
function reference(s: string): ParsedIp | null {
  if (s.indexOf(':') === -1) {
    const v4 = referenceIpv4(s);
    return v4 === null ? null : { family: 4, words: [v4] };
  }
  const words = referenceIpv6(s);
  if (words === null) return null;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff)
    return { family: 4, words: [words[3]!] };
  return { family: 6, words };
}

/** Eight hextets, zeros common (runs to compress), written every way RFC 4291 allows and some it does not. */
const written = fc
  .record({
    hextets: fc.array(
      fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })),
      {
        minLength: 8,
        maxLength: 8,
      },
    ),
    upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
    gap: fc.option(
      fc.record({ at: fc.integer({ min: 0, max: 7 }), len: fc.integer({ min: 1, max: 8 }) }),
    ),
    mapped: fc.boolean(),
    v4Tail: fc.boolean(),
    zone: fc.option(fc.constantFrom('%eth0', '%1', '%')),
  })
  .map((r) => {
    const h = r.hextets.slice();
    if (r.mapped) h.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
    const text = h.map((x, i) => {
      const hex = x.toString(16);
      const padded = '0'.repeat(Math.min(r.pad[i]!, 4 - hex.length)) + hex;
      return r.upper[i] ? padded.toUpperCase() : padded;
    });
    let parts = text;
    if (r.v4Tail) {
      const v4 = `${h[6]! >> 8}.${h[6]! & 255}.${h[7]! >> 8}.${h[7]! & 255}`;
      parts = [...text.slice(0, 6), v4];
    }
    let s: string;
    // A gap over zero hextets only is a valid "::"; over others it writes another address.
    if (r.gap !== null) {
      const at = Math.min(r.gap.at, parts.length - 1);
      const end = Math.min(parts.length, at + r.gap.len);
      s = `${parts.slice(0, at).join(':')}::${parts.slice(end).join(':')}`;
    } else s = parts.join(':');
    return s + (r.zone ?? '');
  });

/** Canonical text, and the same address one small step away from it. */
const nearCanonical = fc
  .record({
    words: fc.array(
      fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
      ),
      { minLength: 4, maxLength: 4 },
    ),
    edit: fc.constantFrom('none', 'none', 'upper', 'pad', 'expand', 'lastTie'),
    at: fc.nat(),
  })
  .map(({ words, edit, at }) => {
    const s = formatIp({ family: 6, words });
    const parts = s.split(':');
    if (edit === 'upper') return s.toUpperCase();
    if (edit === 'pad') {
      const i = at % parts.length;
      if (parts[i] !== '' && parts[i]!.length < 4) parts[i] = '0' + parts[i];
      return parts.join(':');
    }
    if (edit === 'expand' && s.includes('::')) {
      const missing = 8 - parts.filter((p) => p !== '').length;
      const zeros = new Array<string>(missing).fill('0').join(':');
      const [a, b] = s.split('::');
      return [a, zeros, b].filter((p) => p !== '').join(':');
    }
    if (edit === 'lastTie') {
      // Two equal zero runs, "::" over the second: not RFC 5952's choice.
      const h = [1 + (at % 7), 0, 0, 2, 0, 0, 3, 4].map((x) => x.toString(16));
      return `${h.slice(0, 4).join(':')}::${h.slice(6).join(':')}`;
    }
    return s;
  });

const garbage = fc.stringMatching(/^[0-9a-fA-F:.%g]{0,46}$/);

describe('IPv6 scanner', () => {
  it('parses and canonicalises as the reference parser and formatIp do', () => {
    fc.assert(
      fc.property(fc.oneof(written, nearCanonical, garbage), (s) => {
        const want = reference(s);
        assert.deepEqual(parseIp(s), want, s);
        assert.equal(canonicalIp(s), want === null ? null : formatIp(want), s);
        const v4: ParsedIp = { family: 4, words: [0] };
        const v6: ParsedIp = { family: 6, words: [0, 0, 0, 0] };
        assert.deepEqual(parseIpInto(s, v4, v6), want, s);
      }),
      { numRuns: 20_000 },
    );
  });

  it('returns canonical text as it is, without formatting it', () => {
    for (const s of [
      '2001:db8::1',
      '::',
      '::1',
      '1::',
      '2001:db8:0:1::',
      'fe80::1:0:0:1',
      '1:0:0:2::3',
    ])
      assert.equal(canonicalIp(s), s);
  });
});
