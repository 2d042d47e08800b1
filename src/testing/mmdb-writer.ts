/**
 * A small writer of MaxMind DB files (format 2.0, IPv6 tree, 24-bit records),
 * so tests read a real `.mmdb` with the real `maxmind` reader. Enough for a
 * few networks with country or ASN records: maps, strings, unsigned integers,
 * arrays. Spec: https://maxmind.github.io/MaxMind-DB/
 */
import { parseCidr } from '../net/cidr.js';

export type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** "192.0.2.0/24" or "2001:db8::/32". */
  cidr: string;
  data: MmdbValue;
}

type Rec = { node: number } | { data: number } | null;

const RECORD_BITS = 24;
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

/** The bytes of a MaxMind DB holding `networks` (later networks win where they overlap). */
export function writeMmdb(
  networks: readonly MmdbNetwork[],
  meta: { databaseType: string; description?: string; buildEpoch?: number },
): Buffer {
  const nodes: [Rec, Rec][] = [[null, null]];
  const data: Buffer[] = [];
  let dataSize = 0;
  for (const n of networks) {
    const { bits, path } = networkBits(n.cidr);
    const encoded = encode(n.data);
    const offset = dataSize;
    data.push(encoded);
    dataSize += encoded.length;
    let node = 0;
    for (let depth = 0; depth < bits - 1; depth++) {
      const side = path[depth]!;
      const rec = nodes[node]![side];
      if (rec !== null && 'node' in rec) {
        node = rec.node;
        continue;
      }
      nodes.push([rec, rec]); // a wider network's data stays on both halves
      nodes[node]![side] = { node: nodes.length - 1 };
      node = nodes.length - 1;
    }
    nodes[node]![path[bits - 1]!] = { data: offset };
  }
  const count = nodes.length;
  if (count + 16 + dataSize >= 2 ** RECORD_BITS)
    throw new RangeError('too much for 24-bit records');
  const tree = Buffer.alloc(count * 6);
  const value = (r: Rec) => (r === null ? count : 'node' in r ? r.node : count + 16 + r.data);
  nodes.forEach(([l, r], i) => {
    tree.writeUIntBE(value(l), i * 6, 3);
    tree.writeUIntBE(value(r), i * 6 + 3, 3);
  });
  const metadata = encode({
    node_count: uint32(count),
    record_size: uint16(RECORD_BITS),
    ip_version: uint16(6),
    database_type: meta.databaseType,
    languages: ['en'],
    binary_format_major_version: uint16(2),
    binary_format_minor_version: uint16(0),
    build_epoch: uint32(meta.buildEpoch ?? 1_764_000_000),
    description: { en: meta.description ?? meta.databaseType },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, METADATA_MARKER, metadata]);
}

/** The bits of a network in the IPv6 tree (IPv4 under ::/96), most significant first. */
function networkBits(cidr: string): { bits: number; path: (0 | 1)[] } {
  const c = parseCidr(cidr);
  const words = c.family === 4 ? [0, 0, 0, c.words[0]!] : c.words;
  const bits = c.family === 4 ? 96 + c.bits : c.bits;
  if (bits === 0) throw new RangeError('a network of length 0 is not supported');
  const path: (0 | 1)[] = [];
  for (let i = 0; i < bits; i++) path.push(((words[i >> 5]! >>> (31 - (i & 31))) & 1) as 0 | 1);
  return { bits, path };
}

// Integers need a width: plain numbers are uint32; these mark others.
const UINT16 = Symbol('uint16');
const UINT32 = Symbol('uint32');
type Tagged = { [UINT16]?: number; [UINT32]?: number };

function uint16(n: number): MmdbValue {
  return { [UINT16]: n } as unknown as MmdbValue;
}
function uint32(n: number): MmdbValue {
  return { [UINT32]: n } as unknown as MmdbValue;
}

function encode(v: MmdbValue): Buffer {
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([control(2, b.length), b]);
  }
  if (typeof v === 'boolean') return control(14, v ? 1 : 0);
  if (typeof v === 'number') return unsigned(6, v);
  if (Array.isArray(v)) return Buffer.concat([control(11, v.length), ...v.map(encode)]);
  const tagged = v as Tagged;
  if (tagged[UINT16] !== undefined) return unsigned(5, tagged[UINT16]);
  if (tagged[UINT32] !== undefined) return unsigned(6, tagged[UINT32]);
  const entries = Object.entries(v);
  return Buffer.concat([
    control(7, entries.length),
    ...entries.flatMap(([k, x]) => [encode(k), encode(x)]),
  ]);
}

function unsigned(type: 5 | 6, n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** (type === 5 ? 16 : 32))
    throw new RangeError(`not a uint${type === 5 ? 16 : 32}: ${n}`);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x % 256);
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

/** A control byte (type in the top 3 bits, extended types after it) and the size bytes. */
function control(type: number, size: number): Buffer {
  const out: number[] = [];
  let sizeBytes: number[] = [];
  let small = size;
  if (size >= 65_821) {
    small = 31;
    const s = size - 65_821;
    sizeBytes = [(s >> 16) & 255, (s >> 8) & 255, s & 255];
  } else if (size >= 285) {
    small = 30;
    const s = size - 285;
    sizeBytes = [(s >> 8) & 255, s & 255];
  } else if (size >= 29) {
    small = 29;
    sizeBytes = [size - 29];
  }
  if (type <= 7) out.push((type << 5) | small);
  else out.push(small, type - 7);
  return Buffer.from([...out, ...sizeBytes]);
}

/** A country database (GeoLite2-Country layout) with these networks. */
export function countryMmdb(entries: Record<string, string>): Buffer {
  return writeMmdb(
    Object.entries(entries).map(([cidr, iso]) => ({
      cidr,
      data: { country: { iso_code: iso, names: { en: iso } } },
    })),
    { databaseType: 'GeoLite2-Country' },
  );
}

/** An ASN database (GeoLite2-ASN layout) with these networks. */
export function asnMmdb(entries: Record<string, [number, string]>): Buffer {
  return writeMmdb(
    Object.entries(entries).map(([cidr, [asn, org]]) => ({
      cidr,
      data: { autonomous_system_number: asn, autonomous_system_organization: org },
    })),
    { databaseType: 'GeoLite2-ASN' },
  );
}
