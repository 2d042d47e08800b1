/**
 * A week of sshd lines written by an independent generator (testing/auth-log-days.ts),
 * read by the real daemon on a manual clock with a real store and the dry-run
 * firewall, jail policy `auto`: an internal host that breaks in is alerted
 * and made an incident, never banned; an attacker failing every two hours for three
 * days and one trying thirty accounts once each are each found once; an admin's
 * typos all week raise nothing.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../domain.js';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import { findingText } from '../notify/format.js';
import type { Alert, Notifier } from '../notify/notifier.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { openStore } from '../store/index.js';
import {
  adminWeek,
  DAY,
  failure,
  HOUR,
  login,
  merge,
  trickle,
  type LogLine,
} from '../testing/auth-log-days.js';
import { ManualClock } from '../testing/manual-clock.js';
import { waitFor } from '../testing/wait.js';
import { parseConfig } from './parse-config.js';
import { Daemon } from './daemon.js';

const T0 = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC
const INSIDE = '10.20.30.40';
const SLOW = '203.0.113.77';
const STUFFER = '198.51.100.44';
const ADMIN = '198.51.100.10';
const ADMIN_INSIDE = '10.0.0.5';

class Collect implements Notifier {
  readonly id = 'collect';
  readonly findings: Finding[] = [];
  send(alert: Alert): Promise<void> {
    if (alert.type === 'finding') this.findings.push(alert.finding);
    return Promise.resolve();
  }
}

const week: LogLine[] = merge(
  adminWeek(T0, 7, ADMIN, 'alice'),
  adminWeek(T0, 7, ADMIN_INSIDE, 'bob'),
  // 36 failures, one every two hours for three days: never 12 in 12 hours.
  trickle(T0 + HOUR, 2 * HOUR, 36, SLOW, ['root']),
  // 30 accounts, one try each, every three hours.
  trickle(
    T0 + 2 * HOUR,
    3 * HOUR,
    30,
    STUFFER,
    Array.from({ length: 30 }, (_, i) => `user${i}`),
    false,
  ),
  // Day five: an internal host fails four times as deploy, then gets in.
  [0, 1, 2, 3].map((m) => failure(T0 + 4 * DAY + 3 * HOUR + m * 60_000, INSIDE, 'deploy')),
  [login(T0 + 4 * DAY + 3 * HOUR + 5 * 60_000, INSIDE, 'deploy')],
);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-long-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Detection over days (daemon, a generated week of auth.log)', () => {
  const seen = new Collect();
  const firewall = new DryRunFirewall({ log: () => {} });
  let db = '';

  before(async () => {
    const log = join(dir, 'auth.log');
    db = join(dir, 'sheriff.db');
    await writeFile(log, '');
    const config = parseConfig(
      `store: { path: ${db} }\nsources: [{ type: file, path: ${log}, startAtBeginning: true, pollInterval: 100ms }]\njails: { sshd: { policy: auto } }\n`,
      'test.yaml',
    );
    // The daemon starts as the week ends and reads it all: a backlog after a restart,
    // or a week of lines arriving; the long-horizon search runs on the hour.
    const clock = new ManualClock(T0 + 7 * DAY);
    await appendFile(log, week.map((l) => l.text + '\n').join(''));
    const daemon = Daemon.start({
      config,
      logger: createLogger({ level: 'silent', format: 'json' }),
      t: translator('en'),
      notifiers: [seen],
      sources: config.sources,
      firewall,
      clock,
    });
    const store = openStore(db, { readonly: true });
    try {
      await waitFor('the week stored', () => store.events.count() >= week.length);
      await clock.advance(HOUR);
      // Each address is reported once per window, not once per run.
      await clock.advance(2 * HOUR);
    } finally {
      store.close();
      await daemon.stop();
    }
  });

  const kindsOf = (ip: string) => seen.findings.filter((f) => f.ip === ip).map((f) => f.kind);

  it('alerts an internal break-in as lateral movement, opens an incident, and never bans it', async () => {
    assert.deepEqual(kindsOf(INSIDE), ['internal-compromise']);
    const f = seen.findings.find((x) => x.ip === INSIDE)!;
    assert.match(findingText(f, translator('en')), /internal\/trusted address/);
    assert.match(findingText(f, translator('ko')), /내부\/신뢰 주소/);
    const store = openStore(db, { readonly: true });
    try {
      assert.ok(store.incidents.latest(INSIDE), 'an incident for the internal host');
      assert.deepEqual(store.bans.history(`${INSIDE}/32`), []);
      assert.deepEqual(
        store.approvals.list({}).filter((a) => a.target?.cidr.startsWith(INSIDE)),
        [],
      );
    } finally {
      store.close();
    }
    const banned = (await firewall.list()).map((e) => e.target.cidr);
    assert.ok(!banned.includes(`${INSIDE}/32`), banned.join());
  });

  it('finds the attacker failing every two hours for three days once, as persistent', () => {
    assert.deepEqual(kindsOf(SLOW), ['persistent']);
    const f = seen.findings.find((x) => x.ip === SLOW)!;
    assert.ok(f.count >= 20 && f.count <= 36, String(f.count));
    assert.deepEqual(f.users, ['root']);
    const store = openStore(db, { readonly: true });
    try {
      // The jail's policy (auto here) applies to long-horizon findings as to any other.
      assert.equal(store.bans.history(`${SLOW}/32`).length, 1);
    } finally {
      store.close();
    }
  });

  it('finds thirty accounts tried once each as credential stuffing, once', () => {
    assert.deepEqual(kindsOf(STUFFER), ['stuffing']);
    const f = seen.findings.find((x) => x.ip === STUFFER)!;
    assert.ok(f.count >= 20, String(f.count));
  });

  it("raises nothing for the admins' typos all week, outside or inside", () => {
    assert.deepEqual([kindsOf(ADMIN), kindsOf(ADMIN_INSIDE)], [[], []]);
  });
});
