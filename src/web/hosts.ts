/**
 * Which Host the console answers to, against DNS rebinding: a page on an
 * attacker's name that resolves to this machine is same-origin to the browser,
 * but its requests carry the attacker's name in Host, so only the listen
 * address (with its port), the loopback names when listening on loopback, and
 * the names in `web.hostnames` are served.
 */
import { canonicalIp } from '../net/ip.js';

export interface HostCheckOptions {
  /** web.host as listened on. */
  host: string;
  /** The port actually listened on. */
  port: number;
  tls: boolean;
  /** web.hostnames: accepted with any port (a reverse proxy passes its own). */
  hostnames: readonly string[];
}

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

const WILDCARDS = new Set(['0.0.0.0', '::']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** A host name or address as compared here: lower case, no trailing dot, addresses canonical. */
export function hostKey(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const bare = /^\[(.*)\]$/.exec(lower)?.[1] ?? lower;
  return canonicalIp(bare) ?? bare;
}

const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Whether `name` is a DNS name or an IP address (IPv6 with or without brackets). */
export function isHostName(name: string): boolean {
  const key = hostKey(name);
  return canonicalIp(key) !== null || DNS_NAME.test(key);
}

/** Splits a Host header value (`name`, `name:port`, `[v6]:port`); null when malformed. */
function parseHost(value: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  if (m === null) return null;
  return { name: hostKey(m[1]!), port: m[2] === undefined ? null : Number(m[2]) };
}

/** A test of a request's Host: true when it names this console. */
export function hostChecker(o: HostCheckOptions): (host: string) => boolean {
  const listen = hostKey(o.host);
  const wildcard = WILDCARDS.has(listen);
  const atPort = new Set([listen]);
  if (wildcard || isLoopback(listen) || listen === 'localhost')
    for (const n of LOOPBACK_NAMES) atPort.add(n);
  const anyPort = new Set(o.hostnames.map(hostKey));
  const defaultPort = o.tls ? 443 : 80;
  return (value) => {
    const h = parseHost(value);
    if (h === null) return false;
    if (anyPort.has(h.name)) return true;
    if (h.port !== o.port && !(h.port === null && o.port === defaultPort)) return false;
    // Listening everywhere, any address of this machine is a listen address; an address in Host
    // cannot come from rebinding, which needs the attacker's name.
    return atPort.has(h.name) || (wildcard && canonicalIp(h.name) !== null);
  };
}
