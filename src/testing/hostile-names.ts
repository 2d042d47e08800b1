/**
 * Hostile sshd user names for property tests: names that carry a whole fake
 * " from <addr> port <n> ssh2…" tail (or the tail of any other sshd message),
 * terminal escapes, repeated text, zone ids, IPv4-mapped IPv6 and very long
 * text; every sshd message that carries a user name; and the connection's
 * earlier line (VERBOSE "Connection from", or "Invalid user") that a test may
 * put first. The connecting address is always from the documentation ranges
 * 198.51.100.0/24 and 2001:db8:1::/48; fake ones never are.
 */
import fc from 'fast-check';
import { canonicalIp } from '../net/ip.js';

/** The client's real address as sshd logs it, and its canonical form. */
export interface Peer {
  logged: string;
  ip: string;
}

export const peerArb: fc.Arbitrary<Peer> = fc
  .oneof(
    fc.integer({ min: 1, max: 254 }).map((n) => `198.51.100.${n}`),
    fc.integer({ min: 1, max: 0xffff }).map((n) => `2001:db8:1::${n.toString(16)}`),
    fc.integer({ min: 1, max: 254 }).map((n) => `::ffff:198.51.100.${n}`),
    // A zone id (link-local): the address is the part before "%".
    fc
      .tuple(fc.integer({ min: 1, max: 0xffff }), fc.constantFrom('eth0', 'ens3', 'wg0'))
      .map(([n, zone]) => `2001:db8:1::${n.toString(16)}%${zone}`),
  )
  .map((logged) => ({ logged, ip: canonicalIp(logged)! }));

/** Addresses an attacker would rather have banned: bystanders, admins, mapped and zoned forms. */
const fakeArb: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 254 }).map((n) => `192.0.2.${n}`),
  fc.integer({ min: 1, max: 254 }).map((n) => `203.0.113.${n}`),
  fc.constantFrom('1.2.3.4', '10.0.0.1', '127.0.0.1', '8.8.8.8'),
  fc.integer({ min: 1, max: 254 }).map((n) => `::ffff:203.0.113.${n}`),
  fc.integer({ min: 1, max: 0xffff }).map((n) => `2001:db8:bad::${n.toString(16)}`),
  fc.constantFrom('fe80::1%eth0', 'fe80::dead:beef%2', '::1', 'example.com'),
);

const portArb = fc.integer({ min: 1, max: 65535 });

/** What follows an address in some sshd message: each lets a fake address end a "reading". */
const fakeTailArb: fc.Arbitrary<string> = fc
  .tuple(fakeArb, portArb)
  .chain(([addr, port]) =>
    fc.constantFrom(
      ` from ${addr} port ${port} ssh2`,
      ` from ${addr} port ${port} ssh2:`,
      ` from ${addr} port ${port} ssh2: `,
      ` from ${addr} port ${port} ssh2: RSA SHA256:x`,
      ` from ${addr} port ${port}`,
      ` from ${addr}`,
      ` ${addr} port ${port} [preauth]`,
      ` ${addr} port ${port}`,
      ` from ${addr} not allowed because not listed in AllowUsers`,
      ` rhost=${addr}`,
      `  user=x rhost=${addr}`,
      ` from ${addr} port ${port} on 192.0.2.254 port 22`,
    ),
  );

/** Text an attacker pads with: letters, spaces, punctuation sshd lets through, escapes. */
const textArb: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.constantFrom(' ', ': ', '[preauth]', 'port', 'from', 'ssh2') },
    // ANSI escapes, raw and as sshd's log writes them (vis(3) octal).
    { weight: 1, arbitrary: fc.constantFrom('\x1b[31m', '\x1b]0;x\x07', '\\033[2J', '\x1b[0m') },
  ),
  maxLength: 12,
});

/** One hostile user name. */
export const hostileNameArb: fc.Arbitrary<string> = fc.oneof(
  // The " from A port N ssh2" trick, alone or between other text.
  fc.tuple(textArb, fakeTailArb, textArb).map(([a, tail, b]) => `${a}${tail}${b}`),
  // Repeated, so that many places in the line look like a host.
  fc
    .tuple(textArb, fakeTailArb, fc.integer({ min: 2, max: 40 }))
    .map(([a, tail, k]) => `${a}${tail}`.repeat(k)),
  // Long names (sshd logs at most 100 bytes of a name; forwarded logs may hold more).
  fc
    .tuple(fc.string({ unit: 'grapheme-ascii', minLength: 100, maxLength: 900 }), fakeTailArb)
    .map(([a, tail]) => `${a}${tail}`),
  // Anything printable.
  textArb,
);

/** An sshd message that carries a user name, at its real place. */
export interface Template {
  id: string;
  message(name: string, peer: string, port: number): string;
  /**
   * The name is whatever the client sent (an invalid user's). Otherwise it is an
   * existing account's: chosen by the admin, and never holding a ":" (the field
   * separator of passwd; OpenSSH also cuts a name at ":" for "user:style").
   */
  invalid: boolean;
}

/** The name as a message of `template` can carry it. */
export function nameFor(template: Template, name: string): string {
  return template.invalid ? name : name.replaceAll(':', '');
}

const KEY = 'RSA SHA256:v3dpapGleDaUKfH4V1vKyR9ZyUgjaJAmoCTcb2PLljI';

export const TEMPLATES: readonly Template[] = [
  ...['password', 'keyboard-interactive/pam', 'none'].map((method) => ({
    id: `failed-${method}`,
    invalid: true,
    message: (n: string, a: string, p: number) =>
      `Failed ${method} for invalid user ${n} from ${a} port ${p} ssh2`,
  })),
  {
    id: 'failed-publickey',
    invalid: true,
    message: (n, a, p) => `Failed publickey for invalid user ${n} from ${a} port ${p} ssh2: ${KEY}`,
  },
  {
    // Hostbased info quotes more client text after the address.
    id: 'failed-hostbased',
    invalid: true,
    message: (n, a, p) =>
      `Failed hostbased for invalid user ${n} from ${a} port ${p} ssh2: ${KEY}, client user "${n}", client host "${n}"`,
  },
  {
    id: 'failed-password-account',
    invalid: false,
    message: (n, a, p) => `Failed password for ${n} from ${a} port ${p} ssh2`,
  },
  {
    id: 'invalid-user',
    invalid: true,
    message: (n, a, p) => `Invalid user ${n} from ${a} port ${p}`,
  },
  ...['invalid', 'authenticating'].flatMap((kind) => [
    {
      id: `disconnected-${kind}`,
      invalid: kind === 'invalid',
      message: (n: string, a: string, p: number) =>
        `Disconnected from ${kind} user ${n} ${a} port ${p} [preauth]`,
    },
    {
      id: `closed-${kind}`,
      invalid: kind === 'invalid',
      message: (n: string, a: string, p: number) =>
        `Connection closed by ${kind} user ${n} ${a} port ${p} [preauth]`,
    },
  ]),
  {
    id: 'not-allowed',
    invalid: false,
    message: (n, a) => `User ${n} from ${a} not allowed because not listed in AllowUsers`,
  },
  {
    id: 'pam-unix',
    invalid: false,
    message: (n, a) =>
      `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${a}  user=${n}`,
  },
  {
    id: 'max-attempts',
    invalid: true,
    message: (n, a, p) =>
      `error: maximum authentication attempts exceeded for invalid user ${n} from ${a} port ${p} ssh2 [preauth]`,
  },
  {
    id: 'disconnecting-too-many',
    invalid: true,
    message: (n, a, p) =>
      `Disconnecting invalid user ${n} ${a} port ${p}: Too many authentication failures [preauth]`,
  },
  {
    id: 'accepted-password',
    invalid: false,
    message: (n, a, p) => `Accepted password for ${n} from ${a} port ${p} ssh2`,
  },
  {
    // A certificate's key id is the client's text, after the address.
    id: 'accepted-cert',
    invalid: false,
    message: (n, a, p) =>
      `Accepted publickey for ${n} from ${a} port ${p} ssh2: ED25519-CERT SHA256:abc ID ${n} (serial 1) CA ED25519 SHA256:def`,
  },
];

/** What a test puts before the line, if anything: the connection's unambiguous first line. */
export type Earlier = 'none' | 'connection-from' | 'invalid-user';

export function earlierMessage(
  earlier: Exclude<Earlier, 'none'>,
  name: string,
  peer: string,
  port: number,
): string {
  return earlier === 'connection-from'
    ? `Connection from ${peer} port ${port} on 192.0.2.254 port 22 rdomain ""`
    : `Invalid user ${name} from ${peer} port ${port}`;
}

/** One generated case: a template, a name, the client, and what came before. */
export interface HostileCase {
  template: Template;
  name: string;
  peer: Peer;
  port: number;
  earlier: Earlier;
}

export const caseArb: fc.Arbitrary<HostileCase> = fc.record({
  template: fc.constantFrom(...TEMPLATES),
  name: hostileNameArb,
  peer: peerArb,
  port: portArb,
  earlier: fc.constantFrom<Earlier>('none', 'connection-from', 'invalid-user'),
});

/** The case's log lines (syslog, one connection's pid), the one under test last. */
export function caseLines(c: HostileCase, pid: number): string[] {
  const line = (msg: string) => `Dec  6 20:00:00 web1 sshd[${pid}]: ${msg}`;
  const out: string[] = [];
  if (c.earlier !== 'none')
    out.push(line(earlierMessage(c.earlier, c.name, c.peer.logged, c.port)));
  out.push(line(c.template.message(nameFor(c.template, c.name), c.peer.logged, c.port)));
  return out;
}
