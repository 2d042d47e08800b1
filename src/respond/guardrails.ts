/**
 * The last word before a ban: targets Sheriff must never block, whoever asked.
 * A target is refused when it overlaps (is inside, or contains) any of:
 *
 * - a trusted network (built-in private ranges plus `trusted:`) — 'trusted';
 * - a configured admin address or network — 'admin';
 * - one of this host's own addresses — 'own-address';
 * - the source of a live login session (who, ss) — 'live-session';
 *
 * and when it is too wide: a prefix shorter than /24 (IPv4) or /48 (IPv6)
 * unless explicitly allowed — 'too-wide'. For automatic bans the circuit
 * breaker has the final say — 'breaker'.
 *
 * Refusals come back with a human reason; the caller audits them.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { BanTarget, Millis } from '../domain.js';
import { CidrError, parseCidr, type Cidr, type CidrSet } from '../net/cidr.js';
import { maskWords } from '../net/ip.js';
import type { CircuitBreaker } from './breaker.js';
import { SystemSessionProbe, type SessionProbe } from './sessions.js';

export type GuardCode =
  'trusted' | 'admin' | 'own-address' | 'live-session' | 'too-wide' | 'breaker';

export type GuardResult = { ok: true } | { ok: false; reason: string; code: GuardCode };

export interface GuardrailsOptions {
  /** Networks never banned: `trustedNetworks(config.trusted)` (intel/trusted.ts). */
  trusted: CidrSet;
  /** Admin addresses or networks (CIDR text). */
  admins?: readonly string[];
  /** The widest prefixes banned without `allowWide`. Default { v4: 24, v6: 48 }. */
  widestPrefix?: { v4?: number; v6?: number };
  /** This host's interfaces; default os.networkInterfaces (read at every check). */
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** Live sessions; default a SystemSessionProbe (who + ss on port 22). */
  sessions?: SessionProbe;
  /** Consulted for automatic bans only. */
  breaker?: CircuitBreaker;
}

export interface CheckOptions {
  /**
   * An automatic ban (a jail's auto policy): the circuit breaker applies, and a
   * ban it lets through is counted. Human-approved bans leave this false.
   */
  automatic?: boolean;
  /** Allow a prefix wider than `widestPrefix` — only from a human's explicit choice. */
  allowWide?: boolean;
}

export class Guardrails {
  private readonly trusted: Cidr[];
  private readonly admins: Cidr[];
  private readonly widest: { 4: number; 6: number };
  private readonly interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  private readonly sessions: SessionProbe;
  private readonly breaker: CircuitBreaker | undefined;

  constructor(options: GuardrailsOptions) {
    this.trusted = options.trusted.list().map((t) => parseCidr(t));
    this.admins = (options.admins ?? []).map((a) => {
      try {
        return parseCidr(a);
      } catch (err) {
        if (err instanceof CidrError) throw new CidrError(`admin address: ${err.message}`);
        throw err;
      }
    });
    this.widest = { 4: options.widestPrefix?.v4 ?? 24, 6: options.widestPrefix?.v6 ?? 48 };
    for (const [family, bits] of [
      [4, this.widest[4]],
      [6, this.widest[6]],
    ] as const) {
      const max = family === 4 ? 32 : 128;
      if (!(Number.isInteger(bits) && bits >= 0 && bits <= max)) {
        throw new RangeError(`widestPrefix.v${family} must be 0–${max}, not ${bits}`);
      }
    }
    this.interfaces = options.interfaces ?? networkInterfaces;
    this.sessions = options.sessions ?? new SystemSessionProbe();
    this.breaker = options.breaker;
  }

  /**
   * Whether `target` may be banned at `now`. Throws a TypeError for a target
   * that is not a canonical CIDR of its family (a bug upstream, not a refusal).
   */
  async check(target: BanTarget, now: Millis, options: CheckOptions = {}): Promise<GuardResult> {
    const t = parseTarget(target);

    for (const net of this.trusted) {
      if (overlaps(t, net)) {
        return refuse('trusted', `${t.text} ${relation(t, net)} the trusted network ${net.text}`);
      }
    }
    for (const admin of this.admins) {
      if (overlaps(t, admin)) {
        const what = isHost(admin)
          ? `the admin address ${hostText(admin)}`
          : `the admin network ${admin.text}`;
        return refuse('admin', `${t.text} ${relation(t, admin)} ${what}`);
      }
    }
    for (const { address, name } of this.ownAddresses()) {
      if (overlaps(t, address)) {
        return refuse(
          'own-address',
          `${t.text} ${relation(t, address)} this host's own address ${hostText(address)} (${name})`,
        );
      }
    }
    const widest = this.widest[t.family];
    if (t.bits < widest && options.allowWide !== true) {
      return refuse(
        'too-wide',
        `${t.text} is wider than /${widest}, the widest IPv${t.family} prefix Sheriff bans ` +
          'unless a wider one is explicitly allowed',
      );
    }

    let sessions: readonly { address: string; via: string; detail: string }[];
    try {
      sessions = await this.sessions.sessions(now);
    } catch (err) {
      return refuse(
        'live-session',
        `cannot tell whether ${t.text} holds a live login session (${err instanceof Error ? err.message : String(err)}); refusing to be safe`,
      );
    }
    for (const s of sessions) {
      const address = parseCidr(s.address);
      if (overlaps(t, address)) {
        return refuse(
          'live-session',
          `${t.text} ${relation(t, address)} ${hostText(address)}, the source of a live login session (${s.detail}, from ${s.via})`,
        );
      }
    }

    if (
      options.automatic === true &&
      this.breaker !== undefined &&
      !this.breaker.allowAutomatic()
    ) {
      const st = this.breaker.state();
      const until =
        st.resumesAt === null ? '' : ` or until ${new Date(st.resumesAt).toISOString()}`;
      return refuse(
        'breaker',
        `the circuit breaker is tripped (more than ${st.maxPerMinute} automatic bans in a minute): ` +
          `automatic bans are stopped until an admin resets it${until}; approved bans still work`,
      );
    }
    return { ok: true };
  }

  private *ownAddresses(): Generator<{ address: Cidr; name: string }> {
    for (const [name, infos] of Object.entries(this.interfaces())) {
      for (const info of infos ?? []) {
        let address: Cidr;
        try {
          address = parseCidr(info.address.split('%')[0]!);
        } catch {
          continue;
        }
        yield { address, name };
      }
    }
  }
}

function refuse(code: GuardCode, reason: string): GuardResult {
  return { ok: false, code, reason };
}

function parseTarget(target: BanTarget): Cidr {
  let c: Cidr;
  try {
    c = parseCidr(target.cidr);
  } catch (err) {
    throw new TypeError(`invalid ban target: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (c.text !== target.cidr || c.family !== target.family) {
    throw new TypeError(
      `invalid ban target "${String(target.cidr)}" (IPv${String(target.family)}): expected the canonical "${c.text}"`,
    );
  }
  return c;
}

/** Whether two prefixes share any address: the shorter one contains the other's network. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const bits = Math.min(a.bits, b.bits);
  const family = a.family;
  const x = maskWords({ family, words: a.words }, bits);
  const y = maskWords({ family, words: b.words }, bits);
  return x.every((w, i) => w === y[i]);
}

function relation(target: Cidr, other: Cidr): string {
  if (target.bits === other.bits) return 'is';
  return target.bits < other.bits ? 'contains' : 'is inside';
}

function isHost(c: Cidr): boolean {
  return c.bits === (c.family === 4 ? 32 : 128);
}

function hostText(c: Cidr): string {
  return isHost(c) ? c.text.slice(0, c.text.lastIndexOf('/')) : c.text;
}
