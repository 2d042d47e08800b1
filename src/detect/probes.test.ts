/**
 * Probes against lines generated from OpenSSH's and dropbear's own formats
 * (testing/ssh-log-forms.ts and the scanner forms below, from sshd.c, packet.c,
 * kex.c and svr-session.c across versions): a connection that never tried to
 * log in is exactly one probe, with its peer's address, in sshd's default mode;
 * a connection that tried (a failure, a login, a key-only refusal) is none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultJail } from './jail.js';
import { buildJail, Pipeline } from './pipeline.js';
import { filterRegistry } from '../filters/registry.js';
import { isProbe } from './probes.js';
import { trustedNetworks } from '../intel/trusted.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import {
  OPENSSH_FORMS,
  render,
  valuesArb,
  type FormValues,
  type LogForm,
} from '../testing/ssh-log-forms.js';

const T0 = Date.UTC(2026, 11, 6, 20, 0, 0);

type Connection = readonly Omit<LogForm, 'expect' | 'origin'>[];
const sshd = (format: string, args: LogForm['args'] = ['peer', 'port']) =>
  ({ program: 'sshd', format, args }) as const;
const lit = (literal: string) => ({ literal });

/** What OpenSSH logs for connections that never name a user, one connection each. */
const SCANS: Record<string, Connection> = {
  // sshd.c before 7.2: the client closed before sending its banner.
  'no banner (OpenSSH < 7.2)': [sshd('Did not receive identification string from %s port %d')],
  'no banner, no port (older OpenSSH)': [
    sshd('Did not receive identification string from %s', ['peer']),
  ],
  'a non-SSH banner (sshd.c)': [
    sshd("Bad protocol version identification '%.100s' from %s port %d", [
      lit('GET / HTTP/1.1'),
      'peer',
      'port',
    ]),
  ],
  // kex.c kex_exchange_identification, then packet.c sshpkt_fatal (7.x to 10).
  'closed before the banner (kex.c, packet.c)': [
    sshd('error: kex_exchange_identification: Connection closed by remote host', []),
    sshd('Connection closed by %s port %d'),
  ],
  'reset before the banner': [
    sshd('error: kex_exchange_identification: read: Connection reset by peer', []),
    sshd('Connection reset by %s port %d'),
  ],
  'garbage banner (9.x)': [
    sshd('error: kex_exchange_identification: client sent invalid protocol identifier "%.100s"', [
      lit('\\x16\\x03\\x01'),
    ]),
    sshd('banner exchange: Connection from %s port %d: invalid format'),
  ],
  'a key exchange and no user (ssh-keyscan)': [sshd('Connection closed by %s port %d [preauth]')],
  'LogLevel VERBOSE: the address first, then the end': [
    sshd('Connection from %s port %d on 192.0.2.254 port 22'),
    sshd('error: kex_exchange_identification: Connection closed by remote host', []),
    sshd('Connection closed by %s port %d'),
  ],
  'LoginGraceTime (sshd.c)': [sshd('fatal: Timeout before authentication for %s port %d')],
};

/** Connections that tried to log in: never a probe. */
const LOGINS: Record<string, Connection> = {
  'a refused key, key-only server (auth2.c, packet.c)': [
    sshd('Connection closed by authenticating user %s %s port %d [preauth]', [
      'user',
      'peer',
      'port',
    ]),
  ],
  'an invalid user who gives up': [
    sshd('Invalid user %s from %s port %d', ['user', 'peer', 'port']),
    sshd('Disconnected from invalid user %s %s port %d [preauth]', ['user', 'peer', 'port']),
  ],
  ...Object.fromEntries(
    OPENSSH_FORMS.filter(
      (f) => f.mode === undefined && (f.expect === 'fail' || f.expect === 'success'),
    ).map((f, i) => [`${f.origin} #${i}`, [...(f.before === undefined ? [] : [f.before]), f]]),
  ),
};

/** The probes the default sshd jail reads in one connection's lines. */
function probesOf(connection: Connection, v: FormValues): (string | null)[] {
  const jail = buildJail(defaultJail('sshd', trustedNetworks([]), 'normal'), {
    filters: filterRegistry(),
  });
  const parser = new LineParser({ zone: new TimeZone('UTC'), reference: () => T0 });
  const found: (string | null)[] = [];
  const pipeline = new Pipeline(
    [jail],
    parser,
    () => T0,
    () => {},
    (e) => {
      if (isProbe(e, jail.probes)) found.push(e.ip);
    },
  );
  for (const form of connection)
    pipeline.line(
      `Dec  6 20:00:00 web1 ${form.program}[4242]: ${render({ ...form, origin: '', expect: 'none' }, v)}`,
    );
  assert.equal(pipeline.counts.probes, found.length);
  return found;
}

describe('probes: connections that never tried to log in', () => {
  for (const [name, connection] of Object.entries(SCANS))
    it(`${name}: one probe, with the peer's address`, () => {
      fc.assert(
        fc.property(valuesArb, (v) => {
          assert.deepEqual(probesOf(connection, v), [v.peer.ip]);
        }),
        { numRuns: 25 },
      );
    });

  it('no connection that tried to log in is a probe', () => {
    for (const [name, connection] of Object.entries(LOGINS))
      fc.assert(
        fc.property(valuesArb, (v) => {
          assert.deepEqual(probesOf(connection, v), [], name);
        }),
        { numRuns: 10 },
      );
  });
});
