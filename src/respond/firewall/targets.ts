/**
 * The gate every target passes before a backend writes it into a command: each BanTarget is
 * re-validated as a canonical CIDR (what `parseCidr` prints, family included), so nothing but
 * an address and a prefix length ever reaches nft, ipset or ufw. Validation covers the whole
 * request before any program runs.
 */
import type { BanTarget, Millis } from '../../domain.js';
import { parseCidr, type Cidr } from '../../net/cidr.js';
import { maskWords } from '../../net/ip.js';
import { FirewallError, type FirewallEntry } from './firewall.js';

/** A validated target: canonical CIDR plus what the backends need to write it. */
export interface Target {
  cidr: string;
  family: 4 | 6;
  bits: number;
  /** The network address alone ("203.0.113.5", "2001:db8:1:2::"). */
  address: string;
  /** A single address (/32, /128) rather than a network. */
  host: boolean;
  words: number[];
}

export interface Entry {
  target: Target;
  expiresAt: Millis | null;
}

function toTarget(c: Cidr): Target {
  return {
    cidr: c.text,
    family: c.family,
    bits: c.bits,
    address: c.text.slice(0, c.text.indexOf('/')),
    host: c.bits === (c.family === 4 ? 32 : 128),
    words: c.words,
  };
}

/** Validates one target; throws FirewallError unless it is exactly a canonical CIDR of its family. */
export function checkTarget(backend: string, t: BanTarget): Target {
  const raw: unknown = (t as { cidr?: unknown } | null)?.cidr;
  const family: unknown = (t as { family?: unknown } | null)?.family;
  const shown = JSON.stringify(raw) ?? String(raw);
  if (typeof raw !== 'string' || raw.length > 64)
    throw new FirewallError(backend, `refusing target ${shown.slice(0, 80)}: not a CIDR string`);
  let c: Cidr;
  try {
    c = parseCidr(raw);
  } catch {
    throw new FirewallError(backend, `refusing target ${shown}: not a CIDR`);
  }
  if (c.text !== raw)
    throw new FirewallError(
      backend,
      `refusing target ${shown}: not canonical (expected "${c.text}")`,
    );
  if (c.family !== family)
    throw new FirewallError(backend, `refusing target ${shown}: family ${String(family)} is wrong`);
  if (c.bits === 0)
    throw new FirewallError(backend, `refusing target ${shown}: it is the whole address space`);
  return toTarget(c);
}

const isList = (v: unknown): v is readonly unknown[] => Array.isArray(v);

/** Validates all targets (throwing on the first bad one) and drops duplicates. */
export function checkTargets(backend: string, targets: readonly BanTarget[]): Target[] {
  const list: unknown = targets;
  if (!isList(list)) throw new FirewallError(backend, 'targets must be an array');
  const out = new Map<string, Target>();
  for (const t of list) {
    const c = checkTarget(backend, t as BanTarget);
    out.set(c.cidr, c);
  }
  return [...out.values()];
}

/** Validates all entries and their expiries; a repeated target keeps its last entry. */
export function checkEntries(backend: string, entries: readonly FirewallEntry[]): Entry[] {
  const list: unknown = entries;
  if (!isList(list)) throw new FirewallError(backend, 'entries must be an array');
  const out = new Map<string, Entry>();
  for (const item of list) {
    const e = item as Partial<FirewallEntry> | null;
    const target = checkTarget(backend, e?.target as BanTarget);
    const expiresAt: unknown = e?.expiresAt;
    if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)))
      throw new FirewallError(backend, `refusing ${target.cidr}: expiresAt must be a time or null`);
    out.delete(target.cidr);
    out.set(target.cidr, { target, expiresAt });
  }
  return [...out.values()];
}

/** Milliseconds left until `expiresAt`, at least one second (a ban already due still lands). */
export function remainingMs(expiresAt: Millis, now: Millis): number {
  return Math.max(1000, Math.round(expiresAt - now));
}

export function banTarget(t: Target): BanTarget {
  return { cidr: t.cidr, family: t.family };
}

/**
 * Reads an address or network as a firewall tool prints it ("203.0.113.5", "2001:db8::/64")
 * into a canonical Target, or null when it is something else (a range, a name).
 */
export function fromTool(text: string): Target | null {
  if (!/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(text)) return null;
  try {
    const c = parseCidr(text);
    // A network printed with host bits set is not one Sheriff wrote.
    const slash = text.indexOf('/');
    if (slash !== -1) {
      if (Number(text.slice(slash + 1)) !== c.bits) return null;
      if (!sameWords(parseCidr(text.slice(0, slash)).words, c.words)) return null;
    }
    return toTarget(c);
  } catch {
    return null;
  }
}

export function sameWords(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `outer` contains `inner` (or is it). */
export function contains(outer: Target, inner: Target): boolean {
  return (
    outer.family === inner.family &&
    outer.bits <= inner.bits &&
    sameWords(maskWords({ family: inner.family, words: inner.words }, outer.bits), outer.words)
  );
}

/**
 * Networks indexed by prefix length, to answer "which held network covers this one" and "which
 * does this one cover" in time proportional to the number of distinct lengths.
 */
export class NetIndex {
  private readonly lengths = new Map<
    string,
    { family: 4 | 6; bits: number; nets: Map<string, Target> }
  >();

  add(t: Target): void {
    const k = `${t.family}/${t.bits}`;
    let l = this.lengths.get(k);
    if (l === undefined)
      this.lengths.set(k, (l = { family: t.family, bits: t.bits, nets: new Map() }));
    l.nets.set(t.words.join(','), t);
  }

  delete(t: Target): void {
    this.lengths.get(`${t.family}/${t.bits}`)?.nets.delete(t.words.join(','));
  }

  has(t: Target): boolean {
    return this.lengths.get(`${t.family}/${t.bits}`)?.nets.has(t.words.join(',')) ?? false;
  }

  /** A held network strictly wider than `t` that contains it, or null. */
  widerThan(t: Target): Target | null {
    for (const l of this.lengths.values()) {
      if (l.family !== t.family || l.bits >= t.bits) continue;
      const hit = l.nets.get(maskWords({ family: t.family, words: t.words }, l.bits).join(','));
      if (hit !== undefined) return hit;
    }
    return null;
  }

  /** Held networks strictly narrower than `t` that it contains. */
  narrowerThan(t: Target): Target[] {
    const out: Target[] = [];
    for (const l of this.lengths.values()) {
      if (l.family !== t.family || l.bits <= t.bits) continue;
      for (const n of l.nets.values()) if (contains(t, n)) out.push(n);
    }
    return out;
  }
}

/**
 * Drops the networks of `nets` that another of them contains, so an interval set never gets
 * two overlapping elements from one request (the wider one covers the narrower).
 */
export function widestOnly<T extends { target: Target }>(nets: readonly T[]): T[] {
  const sorted = [...nets].sort((a, b) => a.target.bits - b.target.bits);
  const index = new NetIndex();
  const out: T[] = [];
  for (const n of sorted) {
    if (index.widerThan(n.target) !== null || index.has(n.target)) continue;
    index.add(n.target);
    out.push(n);
  }
  return out;
}
