/**
 * The sshd and dropbear filters against lines generated from the programs' own
 * formats (src/testing/ssh-log-forms.ts), and a key-only server's traffic run
 * through the detection pipeline: an attack there is found by default, a user
 * whose client offers several keys before the right one is not counted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuthEvent, Finding } from '../domain.js';
import { buildJail, Pipeline } from '../detect/pipeline.js';
import { defaultJail } from '../detect/jail.js';
import { trustedNetworks } from '../intel/trusted.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import {
  DROPBEAR_FORMS,
  OPENSSH_FORMS,
  render,
  valuesArb,
  type LogForm,
} from '../testing/ssh-log-forms.js';
import { compileFilter } from './engine.js';
import type { FilterSpec } from './spec.js';
import { filterRegistry, findFilter } from './registry.js';

const sshd = findFilter('sshd')!;
const dropbear = findFilter('dropbear')!;

const T0 = Date.UTC(2026, 11, 6, 20, 0, 0);
const parser = () => new LineParser({ zone: new TimeZone('UTC'), reference: () => T0 });

/** A syslog line at `second` seconds after T0. */
function syslog(program: string, pid: number, second: number, message: string): string {
  const d = new Date(T0 + second * 1000);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `Dec  6 ${hh}:${mm}:${ss} web1 ${program}[${pid}]: ${message}`;
}

function checkForms(spec: FilterSpec, forms: readonly LogForm[]) {
  for (const form of forms)
    it(`${form.origin}: "${form.format}" → ${form.expect}${form.mode ? ` (${form.mode})` : ''}`, () => {
      fc.assert(
        fc.property(valuesArb, (v) => {
          const c = compileFilter(spec, form.mode ?? spec.defaultMode);
          const p = parser();
          let pid = 4000;
          const classify = (f: LogForm) =>
            c.classify(p.parse(syslog(f.program, pid, 0, render(f, v)))!);
          if (form.before) classify(form.before);
          const e = classify(form);
          const line = render(form, v);
          if (form.expect === 'none') return assert.equal(e, null, line);
          assert.equal(e?.result, form.expect, `${line}: ${JSON.stringify(e)}`);
          assert.equal(e.ip, v.peer.ip, line);
          if (form.user) assert.equal(e.user, v.user, line);
          pid++;
        }),
        { numRuns: 40 },
      );
    });
}

describe('sshd reads every OpenSSH form as the program means it', () =>
  checkForms(sshd, OPENSSH_FORMS));
describe('dropbear reads every dropbear form as the program means it', () =>
  checkForms(dropbear, DROPBEAR_FORMS));

/** Runs lines through an sshd jail with default settings; returns its events and findings. */
function detect(lines: string[]) {
  const events: AuthEvent[] = [];
  const findings: Finding[] = [];
  // The tracker takes each event's own time; the clock only stands in for lines without one.
  const pipeline = new Pipeline(
    [
      buildJail(defaultJail('sshd', trustedNetworks(), sshd.defaultMode), {
        filters: filterRegistry(),
      }),
    ],
    parser(),
    () => T0,
    (f) => findings.push(f),
    (e) => events.push(e),
  );
  for (const l of lines) pipeline.line(l);
  return { events, findings, fails: events.filter((e) => e.result === 'fail') };
}

describe('a key-only server (PasswordAuthentication no), default settings', () => {
  it('finds the addresses that keep trying, from pre-auth disconnects alone, each connection counted once', () => {
    const lines: string[] = [];
    let pid = 10_000;
    let t = 0;
    const attackers = Array.from({ length: 12 }, (_, i) => `203.0.113.${10 + i}`);
    // Each attacker tries six accounts, one connection each, as OpenSSH 9 logs them.
    for (const ip of attackers)
      for (const [k, user] of ['root', 'admin', 'ubuntu', 'root', 'oracle', 'git'].entries()) {
        const port = 40_000 + k;
        const at = (msg: string) => lines.push(syslog('sshd-session', pid, t++, msg));
        if (user === 'root' || user === 'git') {
          if (k % 2 === 0)
            at(`Connection closed by authenticating user ${user} ${ip} port ${port} [preauth]`);
          else {
            at(`Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`);
            at(`Disconnected from authenticating user ${user} ${ip} port ${port} [preauth]`);
          }
        } else {
          at(`Invalid user ${user} from ${ip} port ${port}`);
          at(`Connection closed by invalid user ${user} ${ip} port ${port} [preauth]`);
        }
        pid++;
      }
    // A scanner that never names a user is not a login attempt (ddos mode counts it).
    for (let k = 0; k < 10; k++)
      lines.push(
        syslog(
          'sshd',
          pid++,
          t++,
          `Connection closed by 198.51.100.200 port ${50_000 + k} [preauth]`,
        ),
      );

    const { fails, findings } = detect(lines);
    assert.equal(fails.length, attackers.length * 6, 'one failure per connection, no more');
    const found = findings.filter((f) => f.kind === 'bruteforce' && f.scope === 'address');
    assert.deepEqual(found.map((f) => f.ip).sort(), [...attackers].sort());
    assert.ok(!findings.some((f) => f.ip === '198.51.100.200'));
  });

  it('counts nothing for a user whose client offers several keys before the right one', () => {
    const lines: string[] = [];
    let t = 0;
    const ip = '198.51.100.7';
    // The same user logs in ten times in a few minutes: an agent holding four keys.
    for (let n = 0; n < 10; n++) {
      const pid = 20_000 + n;
      const port = 51_000 + n;
      const at = (msg: string) => lines.push(syslog('sshd-session', pid, t++, msg));
      for (const key of ['RSA SHA256:aaaa', 'ECDSA SHA256:bbbb', 'ED25519 SHA256:cccc']) {
        at(`Failed publickey for alice from ${ip} port ${port} ssh2: ${key}`);
      }
      at(`Postponed publickey for alice from ${ip} port ${port} ssh2 [preauth]`);
      at(`Accepted publickey for alice from ${ip} port ${port} ssh2: ED25519 SHA256:dddd`);
      at('pam_unix(sshd:session): session opened for user alice(uid=1000) by alice(uid=0)');
      at(`Received disconnect from ${ip} port ${port}:11: disconnected by user`);
      at(`Disconnected from user alice ${ip} port ${port}`);
      at('pam_unix(sshd:session): session closed for user alice');
    }
    const { fails, findings, events } = detect(lines);
    assert.deepEqual(fails, []);
    assert.deepEqual(findings, []);
    assert.equal(events.filter((e) => e.result === 'success').length, 10);
  });

  it('a client with no right key that gives up is one failure, however many keys it offered', () => {
    const ip = '198.51.100.8';
    const at = (msg: string) => syslog('sshd-session', 30_000, 0, msg);
    const { fails } = detect([
      ...['RSA SHA256:aaaa', 'ECDSA SHA256:bbbb', 'ED25519 SHA256:cccc'].map((k) =>
        at(`Failed publickey for bob from ${ip} port 52000 ssh2: ${k}`),
      ),
      at(`Connection closed by authenticating user bob ${ip} port 52000 [preauth]`),
    ]);
    assert.deepEqual(
      fails.map((e) => [e.ip, e.user, e.attempts]),
      [[ip, 'bob', 1]],
    );
  });
});

describe("Debian's PAM line and sshd's own failure line are one try", () => {
  /** One connection: `tries` wrong passwords for `user`, each logged by PAM and by sshd. */
  function connection(ip: string, user: string, pid: number, start: number, tries: number) {
    const lines: string[] = [];
    let t = start;
    for (let k = 0; k < tries; k++) {
      lines.push(
        syslog(
          'sshd',
          pid,
          t++,
          `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
        ),
        syslog('sshd', pid, t++, `Failed password for ${user} from ${ip} port 40022 ssh2`),
      );
    }
    lines.push(
      syslog(
        'sshd',
        pid,
        t,
        `Connection closed by authenticating user ${user} ${ip} port 40022 [preauth]`,
      ),
    );
    return lines;
  }
  const attempts = (events: AuthEvent[]) =>
    events.filter((e) => e.result === 'fail').reduce((n, e) => n + e.attempts, 0);

  it('three typos in three connections are three failures, not six: no finding at maxretry 5', () => {
    const ip = '198.51.100.8';
    const { events, findings } = detect([
      ...connection(ip, 'alice', 2001, 0, 1),
      ...connection(ip, 'alice', 2002, 10, 1),
      ...connection(ip, 'alice', 2003, 20, 1),
    ]);
    assert.equal(attempts(events), 3);
    assert.deepEqual(findings, []);
  });

  it('a bot trying five passwords in one connection is still five failures and a finding', () => {
    const { events, findings } = detect(connection('203.0.113.50', 'root', 3001, 0, 5));
    assert.equal(attempts(events), 5);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.count, 5);
  });

  it('a PAM line that no failure line follows still counts once when the client gives up', () => {
    const ip = '203.0.113.51';
    const { events } = detect([
      syslog(
        'sshd',
        4001,
        0,
        `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`,
      ),
      syslog(
        'sshd',
        4001,
        1,
        `Connection closed by authenticating user root ${ip} port 40022 [preauth]`,
      ),
    ]);
    assert.equal(attempts(events), 1);
  });
});
