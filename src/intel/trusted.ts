/**
 * Networks that are never a threat: never a finding, never a ban. Always
 * includes loopback, RFC 1918, link-local, CGNAT and IPv6 ULA/link-local.
 */
import { CidrSet } from '../net/cidr.js';
import { canonicalIp, parseIp } from '../net/ip.js';
import type { IntelAnswer, IntelProvider } from './provider.js';

export const BUILTIN_TRUSTED = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '100.64.0.0/10',
  '0.0.0.0/32',
  '::1/128',
  '::/128',
  'fc00::/7',
  'fe80::/10',
] as const;

/** The built-in ranges plus the configured ones (already validated CIDR strings). */
export function trustedNetworks(extra: readonly string[] = []): CidrSet {
  return new CidrSet([...BUILTIN_TRUSTED, ...extra]);
}

/** The trusted-network provider: the only one that says whether an address is internal. */
export class TrustedProvider implements IntelProvider {
  readonly id = 'trusted';
  readonly local = true;
  private readonly nets: CidrSet;

  constructor(extra: readonly string[] = []) {
    this.nets = trustedNetworks(extra);
  }

  /** How many networks are trusted, built-in ones included. */
  get size(): number {
    return this.nets.size;
  }

  /** Whether an address (or the network address of a CIDR prefix) is internal. */
  isInternal(ipOrCidr: string): boolean {
    const slash = ipOrCidr.indexOf('/');
    const ip = parseIp(slash === -1 ? ipOrCidr : ipOrCidr.slice(0, slash));
    return ip !== null && this.nets.has(ip);
  }

  lookup(ip: string): Promise<IntelAnswer | null> {
    return Promise.resolve(canonicalIp(ip) === ip ? { internal: this.isInternal(ip) } : null);
  }
}
