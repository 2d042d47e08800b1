/**
 * The last word before a ban: targets Sheriff must never block, whoever asked.
 * A target is refused when it overlaps (is inside, or contains) any of:
 *
 * - a trusted network (built-in private ranges plus `trusted:`) — 'trusted';
 * - a configured admin address or network — 'admin';
 * - one of this host's own addresses, or the network or broadcast address of
 *   one of its subnets — 'own-address';
 * - a special-purpose range no real peer can have (multicast, reserved,
 *   broadcast, this-network, anycast services: net/special.ts) — 'special';
 * - the source of a live login session (who, ss) — 'live-session';
 *
 * and an IPv6 target is also judged by the IPv4 addresses it carries
 * (IPv4-compatible, NAT64, 6to4, Teredo): 64:ff9b::7f00:1 is loopback, and
 * 64:ff9b::/64 is all of IPv4. A target is too wide — 'too-wide' — when it is
 * a prefix shorter than /24 (IPv4) or /48 (IPv6), or carries IPv4 wider than
 * /24, unless explicitly allowed. For automatic bans the circuit breaker has
 * the final say — 'breaker'.
 *
 * Refusals come back with a message (i18n key and parameters) and its English
 * text, `reason`; the caller audits them.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { BanTarget, Millis } from '../domain.js';
import { translator, type MessageKey, type Translate } from '../i18n/index.js';
import { trustedNetworks } from '../intel/trusted.js';
import { CidrError, overlaps, parseCidr, type Cidr, type CidrSet } from '../net/cidr.js';
import { formatIp, parseIp } from '../net/ip.js';
import { embeddedIpv4, protectedRangeOf } from '../net/special.js';
import type { CircuitBreaker } from './breaker.js';
import type { ResponseConfig } from './config.js';
import { SystemSessionProbe, type SessionProbe } from './live-sessions.js';

export type GuardCode =
  'trusted' | 'admin' | 'own-address' | 'special' | 'live-session' | 'too-wide' | 'breaker';

/** A refusal's words: an i18n key and its parameters, which may be messages themselves. */
export interface GuardMessage {
  key: MessageKey;
  params: Record<string, string | number | GuardMessage>;
}

export type GuardRefusal = { ok: false; code: GuardCode; reason: string; message: GuardMessage };
export type GuardResult = { ok: true } | GuardRefusal;

/** A refusal in the reader's language (`reason` is the English one). */
export function renderGuardMessage(m: GuardMessage, t: Translate): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(m.params))
    params[k] = typeof v === 'object' ? renderGuardMessage(v, t) : v;
  return t(m.key, params);
}

const english = translator('en');

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

/** The settings the guardrails read: the trusted networks and the admins. */
export interface GuardrailsConfig {
  trusted: readonly string[];
  response: Pick<ResponseConfig, 'admins'>;
}

/** The guardrails of a configuration, alike in the daemon, the web console and the CLI. */
export function configuredGuardrails(
  config: GuardrailsConfig,
  extra: Pick<GuardrailsOptions, 'breaker'> & { loggedIn?: (address: string) => boolean } = {},
): Guardrails {
  const { loggedIn, ...rest } = extra;
  return new Guardrails({
    trusted: trustedNetworks(config.trusted),
    admins: config.response.admins,
    ...(loggedIn === undefined ? {} : { sessions: new SystemSessionProbe({ loggedIn }) }),
    ...rest,
  });
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

/** An address of this host and what else on its subnet must not be banned. */
interface OwnAddress {
  address: Cidr;
  name: string;
  /** The subnet, when known and large enough to have network/broadcast addresses. */
  subnet: Cidr | null;
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
    const own = [...this.ownAddresses()];
    const embedded = embeddedIpv4(t);

    const direct = this.protectedBy(t, own);
    if (direct !== null) return direct;
    for (const e of embedded) {
      const inner = this.protectedBy(e.ipv4, own);
      if (inner !== null) return carrying(t, e, inner);
    }
    if (options.allowWide !== true) {
      const wide = this.tooWide(t);
      if (wide !== null) return wide;
      for (const e of embedded) {
        const inner = this.tooWide(e.ipv4);
        if (inner !== null) return carrying(t, e, inner);
      }
    }

    let sessions: readonly { address: string; via: string; detail: string }[];
    try {
      sessions = await this.sessions.sessions(now);
    } catch (err) {
      return refuse('live-session', 'guard.sessionUnknown', {
        target: t.text,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    const sessionOf = (c: Cidr): GuardRefusal | null => {
      for (const s of sessions) {
        const address = parseCidr(s.address);
        if (overlaps(c, address))
          return refuse('live-session', 'guard.session', {
            target: c.text,
            relation: relation(c, address),
            address: hostText(address),
            detail: s.detail,
            via: s.via,
          });
      }
      return null;
    };
    const live = sessionOf(t);
    if (live !== null) return live;
    for (const e of embedded) {
      const inner = sessionOf(e.ipv4);
      if (inner !== null) return carrying(t, e, inner);
    }

    if (
      options.automatic === true &&
      this.breaker !== undefined &&
      !this.breaker.allowAutomatic()
    ) {
      const st = this.breaker.state();
      return refuse('breaker', 'guard.breaker', {
        max: st.maxPerMinute,
        until:
          st.resumesAt === null
            ? ''
            : { key: 'guard.breakerUntil', params: { time: new Date(st.resumesAt).toISOString() } },
      });
    }
    return { ok: true };
  }

  /** The first standing protection `c` overlaps: trusted, admin, own address, special-purpose. */
  private protectedBy(c: Cidr, own: readonly OwnAddress[]): GuardRefusal | null {
    for (const net of this.trusted) {
      if (overlaps(c, net))
        return refuse('trusted', 'guard.trusted', {
          target: c.text,
          relation: relation(c, net),
          network: net.text,
        });
    }
    for (const admin of this.admins) {
      if (!overlaps(c, admin)) continue;
      return isHost(admin)
        ? refuse('admin', 'guard.adminAddress', {
            target: c.text,
            relation: relation(c, admin),
            address: hostText(admin),
          })
        : refuse('admin', 'guard.adminNetwork', {
            target: c.text,
            relation: relation(c, admin),
            network: admin.text,
          });
    }
    for (const { address, name, subnet } of own) {
      if (overlaps(c, address))
        return refuse('own-address', 'guard.ownAddress', {
          target: c.text,
          relation: relation(c, address),
          address: hostText(address),
          interface: name,
        });
      if (subnet === null) continue;
      for (const [key, edge] of subnetEdges(subnet)) {
        if (overlaps(c, edge))
          return refuse('own-address', key, {
            target: c.text,
            relation: relation(c, edge),
            address: hostText(edge),
            network: subnet.text,
            interface: name,
          });
      }
    }
    const special = protectedRangeOf(c);
    if (special !== null)
      return refuse('special', 'guard.special', {
        target: c.text,
        relation: relation(c, special.cidr),
        range: special.cidr.text,
        name: special.name,
        rfc: special.rfc,
      });
    return null;
  }

  private tooWide(c: Cidr): GuardRefusal | null {
    const widest = this.widest[c.family];
    if (c.bits >= widest) return null;
    return refuse('too-wide', 'guard.tooWide', { target: c.text, widest, family: c.family });
  }

  private *ownAddresses(): Generator<OwnAddress> {
    for (const [name, infos] of Object.entries(this.interfaces())) {
      for (const info of infos ?? []) {
        let address: Cidr;
        try {
          address = parseCidr(info.address.split('%')[0]!);
        } catch {
          continue;
        }
        yield { address, name, subnet: subnetOf(address, info) };
      }
    }
  }
}

/** The interface's subnet (from its CIDR, else its netmask), or null when unknown. */
function subnetOf(address: Cidr, info: NetworkInterfaceInfo): Cidr | null {
  let bits: number | null = null;
  if (info.cidr !== null) bits = Number(info.cidr.slice(info.cidr.lastIndexOf('/') + 1));
  else {
    const mask = parseIp(info.netmask);
    if (mask !== null && mask.family === address.family)
      bits = mask.words.reduce((n, w) => n + popcount(w), 0);
  }
  if (bits === null || !Number.isInteger(bits)) return null;
  return parseCidr(`${hostText(address)}/${bits}`);
}

function popcount(w: number): number {
  let n = 0;
  for (let v = w >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}

/**
 * The addresses of a subnet that are not hosts: IPv4's network and broadcast
 * addresses (none on /31 and /32, RFC 3021), IPv6's subnet-router anycast.
 */
function subnetEdges(subnet: Cidr): [MessageKey, Cidr][] {
  const max = subnet.family === 4 ? 32 : 128;
  if (subnet.bits >= max - 1) return [];
  const network = parseCidr(formatIp(subnet));
  if (subnet.family === 6) return [['guard.ownNetwork', network]];
  const broadcast = (subnet.words[0]! | (0xffffffff >>> subnet.bits)) >>> 0;
  return [
    ['guard.ownNetwork', network],
    ['guard.ownBroadcast', parseCidr(formatIp({ family: 4, words: [broadcast] }))],
  ];
}

function refuse(code: GuardCode, key: MessageKey, params: GuardMessage['params']): GuardRefusal {
  const message = { key, params };
  return { ok: false, code, reason: renderGuardMessage(message, english), message };
}

/** `inner` refused the IPv4 that `target` carries: the target is refused for it, with that code. */
function carrying(
  target: Cidr,
  e: { scheme: string; ipv4: Cidr },
  inner: GuardRefusal,
): GuardRefusal {
  return refuse(inner.code, 'guard.embedded', {
    target: target.text,
    ipv4: hostText(e.ipv4),
    scheme: e.scheme,
    inner: inner.message,
  });
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

function relation(target: Cidr, other: Cidr): GuardMessage {
  const key =
    target.bits === other.bits
      ? 'guard.relation.is'
      : target.bits < other.bits
        ? 'guard.relation.contains'
        : 'guard.relation.inside';
  return { key, params: {} };
}

function isHost(c: Cidr): boolean {
  return c.bits === (c.family === 4 ? 32 : 128);
}

function hostText(c: Cidr): string {
  return isHost(c) ? c.text.slice(0, c.text.lastIndexOf('/')) : c.text;
}
