/**
 * Networks that are never a threat: never a finding, never a ban. Always
 * includes loopback, RFC 1918, link-local, CGNAT and IPv6 ULA/link-local.
 */
import { CidrSet } from '../net/cidr.js';

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
