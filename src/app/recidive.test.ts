/**
 * Recidive through the real daemon: sshd lines in a followed file, a real store,
 * the dry-run firewall and a manual clock. An attacker that comes back after each
 * ban expires is banned for an hour, then two, and the third ban within the day
 * (`response.recidive.bans: 3`) lasts the week, audited and worded as a repeat
 * offender's.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { reasonText } from '../respond/reasons.js';
import { openStore, type StoredBan } from '../store/index.js';
import { failure, HOUR } from '../testing/auth-log-days.js';
import { ManualClock } from '../testing/manual-clock.js';
import { waitFor } from '../testing/wait.js';
import { Daemon } from './daemon.js';
import { parseConfig } from './parse-config.js';

const T0 = Date.UTC(2026, 10, 2, 8);
const ATTACKER = '203.0.113.88';
const CIDR = `${ATTACKER}/32`;
const WEEK = 7 * 24 * HOUR;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-recidive-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recidive (daemon, real store, manual clock)', () => {
  let bans: StoredBan[] = [];
  let audited: unknown[] = [];

  before(async () => {
    const log = join(dir, 'auth.log');
    const db = join(dir, 'sheriff.db');
    await writeFile(log, '');
    const config = parseConfig(
      `store: { path: ${db} }\nsources: [{ type: file, path: ${log}, startAtBeginning: true, pollInterval: 100ms }]\n` +
        'jails: { sshd: { policy: auto } }\nresponse: { recidive: { bans: 3 } }\n',
      'test.yaml',
    );
    const clock = new ManualClock(T0);
    const daemon = Daemon.start({
      config,
      logger: createLogger({ level: 'silent', format: 'json' }),
      t: translator('en'),
      notifiers: [],
      sources: config.sources,
      firewall: new DryRunFirewall({ log: () => {}, now: clock.now }),
      clock,
    });
    const store = openStore(db, { readonly: true });
    try {
      for (let round = 1; round <= 3; round++) {
        const now = clock.now();
        await appendFile(
          log,
          [0, 1, 2, 3, 4, 5].map((i) => failure(now + i * 1000, ATTACKER, 'root').text + '\n'),
        );
        const ban = await waitFor(`ban ${round}`, () => {
          const all = store.bans.history(CIDR);
          return all.length === round && all[0]!.appliedAt !== null && all[0];
        });
        if (round < 3) await clock.advance(ban.expiresAt! - clock.now() + 1000);
      }
      bans = store.bans.history(CIDR).reverse();
      audited = store.audit
        .list({})
        .filter((e) => e.action === 'ban.recidive')
        .map((e) => [e.target, e.detail]);
    } finally {
      store.close();
      await daemon.stop();
    }
  });

  it('bans for 1h, then 2h, then a week: the third ban within the day is a recidive', () => {
    assert.deepEqual(
      bans.map((b) => b.expiresAt! - b.createdAt),
      [HOUR, 2 * HOUR, WEEK],
    );
    assert.match(bans[2]!.reason, /^recidive: ban 3 within 1d \(bruteforce: \d+ failures\)$/);
    assert.match(
      reasonText(bans[2]!.reason, translator('ko')),
      /^상습 공격: 1d 안에 3번째 차단 \(무차별 대입: 로그인 실패 \d+회\)$/,
    );
  });

  it('audits the escalation with the count and the new length', () => {
    assert.deepEqual(audited, [
      [CIDR, { bans: 3, findtime: 24 * HOUR, durationMs: WEEK, approval: null }],
    ]);
  });
});
