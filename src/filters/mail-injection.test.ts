/**
 * Client text never becomes the address, in the mail and SSH filters whose lines
 * carry it (user names, SASL ids, SMTP commands, envelope addresses, HELO names):
 * each template is a real line form with the client's text in `{T}`, and the
 * generated text imitates the line itself, its whole tail or any slice of it,
 * around a fake address. The address a line yields is the client's or none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalIp } from '../net/ip.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { compileFilter } from './engine.js';
import { filterRegistry } from './registry.js';

/** A line form: `{A}` is the client's address as the daemon writes it, `{T}` the client's text. */
const TEMPLATES: Record<string, string[]> = {
  cockpit: [
    'Dec  6 10:00:00 web cockpit-session: pam_unix(cockpit:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost={A}  user={T}',
    'Dec  6 10:00:00 web cockpit-session: pam_unix(cockpit:auth): authentication failure; logname= uid=0 euid=0 tty= ruser={T} rhost={A}',
  ],
  courier: [
    'Dec  6 10:00:00 mail imapd: LOGIN FAILED, user={T}, ip=[{A}]',
    'Dec  6 10:00:00 mail pop3d: LOGIN FAILED, user={T}, ip=[{A}], port=[40122]',
    'Dec  6 10:00:00 mail courieresmtpd: error,relay={A},from=<{T}>,to=<{T}>: 550 User unknown.',
    'Dec  6 10:00:00 mail courieresmtpd: error,relay={A},msg="535 Authentication failed.",cmd: AUTH LOGIN {T}',
  ],
  cyrus: [
    'Dec  6 10:00:00 mail cyrus/imap[5355]: badlogin: host.example.net [{A}] plaintext {T} SASL(-13): authentication failure: checkpass failed',
    'Dec  6 10:00:00 mail cyrus/imap[5355]: login: host.example.net [{A}] {T} plaintext User logged in SESSIONID=<x>',
  ],
  dropbear: [
    "Dec  6 10:00:00 router dropbear[2101]: Bad password attempt for '{T}' from {A}:50122",
    "Dec  6 10:00:00 router dropbear[2101]: Exit before auth from <{A}:50122>: Max auth tries reached - user '{T}'",
    "Dec  6 10:00:00 router dropbear[2101]: Exit before auth (user '{T}', 10 fails): Max auth tries reached - user '{T}' from {A}:50122",
  ],
  exim: [
    '2026-12-06 10:00:00 login authenticator failed for (helo) [{A}]: 535 Incorrect authentication data (set_id={T})',
    // A junk HELO (helo_accept_junk_hosts) and a set_id, both the client's.
    '2026-12-06 10:00:00 login authenticator failed for ({T}) [{A}]:1234 I=[192.0.2.254]:587: 535 Incorrect authentication data (set_id={T})',
    '2026-12-06 10:00:00 [7513] SMTP protocol error in "{T}" H=({T}) [{A}]:60723 I=[192.0.2.254]:587 AUTH command used when not advertised',
    '2026-12-06 10:00:00 SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected "{T}" H=({T}) [{A}] next input="{T}"',
    '2026-12-06 10:00:00 SMTP call from ({T}) [{A}] dropped: too many nonmail commands (last was "{T}")',
    '2026-12-06 10:00:00 H=({T}) [{A}] F=<{T}> rejected RCPT <{T}>: relay not permitted',
  ],
  'exim-spam': [
    '2026-12-06 10:00:00 H=({T}) [{A}] F=<{T}> rejected RCPT <{T}>: {T} dnsbl {T}',
    '2026-12-06 10:00:00 1Ai79e-0000Dq-8i F={T}@example.com H=({T}) [{A}] P=smtp rejected by local_scan(): {T}',
  ],
  opensmtpd: [
    'Dec  6 10:00:00 mx smtpd[4120]: 8ae2f3b5c1d40e17 smtp event=authentication user={T} address={A} host=host.example.net result=permfail',
  ],
  postfix: [
    'Dec  6 10:00:00 mx postfix/postscreen[4000]: NON-SMTP COMMAND from [{A}]:51237 after CONNECT: {T}',
    'Dec  6 10:00:00 mx postfix/postscreen[4000]: COMMAND PIPELINING from [{A}]:51237 after EHLO: {T}',
    'Dec  6 10:00:00 mx postfix/smtpd[4105]: warning: non-SMTP command from unknown[{A}]: {T}',
    'Dec  6 10:00:00 mx postfix/smtpd[4105]: warning: unknown[{A}]: SASL LOGIN authentication failed: {T}, sasl_username={T}',
  ],
  sendmail: [
    'Dec  6 10:00:00 mail sendmail[16664]: 06I02CNi016764: AUTH failure (LOGIN): authentication failure (-13) SASL(-13): authentication failure: checkpass failed, user={T}, relay=host.example.net [{A}] (may be forged)',
    'Dec  6 10:00:00 mail sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, arg1=<{T}>, relay=[{A}], reject=550 5.7.1 <{T}>... Relaying denied. Proper authentication required.',
    'Dec  6 10:00:00 mail sendmail[26254]: rA37ZTSC026254: from=<{T}>, size=0, class=0, nrcpts=0, bodytype=8BITMIME, proto=ESMTP, daemon=MTA, relay=host.example.net [{A}]',
  ],
  'uw-imap': [
    'Dec  6 10:00:00 mail imapd[666]: Login failed user={T} auth={T} host=host.example.net [{A}]',
    'Dec  6 10:00:00 mail imapd[666]: Failed uwmaster override of user={T} host=host.example.net [{A}]',
  ],
};

/** The client: documentation range 198.51.100.0/24, as the daemons write it (IPv4-mapped too). */
const realArb = fc
  .integer({ min: 1, max: 254 })
  .chain((n) => fc.constantFrom(`198.51.100.${n}`, `::ffff:198.51.100.${n}`));

/** Addresses the client would rather have banned: never in the client's range. */
const fakeArb = fc.oneof(
  fc.integer({ min: 1, max: 254 }).map((n) => `203.0.113.${n}`),
  fc.constantFrom('127.0.0.1', '10.0.0.1', '2001:db8:bad::1', '::ffff:192.0.2.7'),
);

/** Short filler: letters, and the punctuation the line forms are made of. */
const fillerArb = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', ',', ':', ';', '"', "'", '(', ')', '[', ']', '<', '>', '='),
  maxLength: 6,
});

/** Where a slice of a line may start or end: at its ends and next to its punctuation. */
function boundaries(text: string): number[] {
  const out = [0, text.length];
  for (let i = 1; i < text.length; i++)
    if (/[\s"'()[\]<>,:;=]/.test(text[i]!) || /[\s"'()[\]<>,:;=]/.test(text[i - 1]!)) out.push(i);
  return out.sort((a, b) => a - b);
}

/**
 * Client text built from the template itself, with a fake address: what the daemon writes
 * from the end of one client field to the start of a later one or to the line's end (the
 * "close my field and forge the rest" trick), or any slice between punctuation; between
 * fillers, once or several times.
 */
function hostileArb(template: string): fc.Arbitrary<string> {
  const piece = fc
    .tuple(fakeArb, fc.nat(), fc.nat(), fc.boolean(), fillerArb, fillerArb)
    .map(([fake, x, y, fromSlots, a, b]) => {
      const parts = template.replaceAll('{A}', fake).split('{T}');
      const text = parts.join(a);
      let cuts: number[];
      if (fromSlots) {
        // The offsets where a client field ends (and the next one starts) in `text`.
        cuts = [];
        let at = 0;
        parts.forEach((p, k) => {
          if (k > 0) cuts.push(at);
          at += p.length;
          if (k < parts.length - 1) cuts.push(at);
          at += k < parts.length - 1 ? a.length : 0;
        });
        cuts.push(text.length);
      } else cuts = boundaries(text);
      const i = cuts[x % cuts.length]!;
      const later = cuts.filter((c) => c >= i);
      const j = later[y % later.length]!;
      return `${a}${text.slice(i, j)}${b}`;
    });
  return fc
    .array(piece, { minLength: 1, maxLength: 3 })
    .map((parts) => parts.join(''))
    .filter((t) => !t.includes('\n'));
}

const parser = new LineParser({
  zone: new TimeZone('UTC'),
  reference: () => Date.UTC(2026, 11, 6, 12),
});

function addressesOf(filter: string, line: string): (string | null)[] {
  const spec = filterRegistry().spec(filter)!;
  return spec.modes.map((mode) => {
    const record = parser.parse(line);
    return record === null ? null : (compileFilter(spec, mode).classify(record, line)?.ip ?? null);
  });
}

for (const [filter, templates] of Object.entries(TEMPLATES))
  describe(`filter ${filter}: client text never names the address`, () => {
    templates.forEach((template, n) => {
      it(`form ${n + 1}: an ordinary line gives the client's address`, () => {
        const line = template.replaceAll('{A}', '198.51.100.7').replaceAll('{T}', 'alice');
        assert.ok(
          addressesOf(filter, line).includes('198.51.100.7'),
          `no mode reads ${JSON.stringify(line)}`,
        );
      });

      it(`form ${n + 1}: text imitating the line gives the client's address or none`, () => {
        fc.assert(
          fc.property(realArb, hostileArb(template), (real, text) => {
            const line = template.replaceAll('{A}', real).replaceAll('{T}', text);
            const client = canonicalIp(real);
            for (const ip of addressesOf(filter, line))
              assert.ok(ip === null || ip === client, `${JSON.stringify(line)} gave ${ip}`);
          }),
          { numRuns: 200 },
        );
      });
    });
  });
