/**
 * Every alert kind is worded in both languages with every parameter filled,
 * by every notifier; attacker-chosen text stays inert.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { translator, type Lang } from '../i18n/index.js';
import type { StoredApproval, StoredBan } from '../store/index.js';
import { sampleReport } from '../report/testing.js';
import { sampleFinding, T0 } from '../store/testing.js';
import { alertText, kindKey, loudness, timeFormatter } from './alert-text.js';
import { ConsoleNotifier } from './console.js';
import type { Alert, AlertType } from './notifier.js';
import { sendMessage } from './telegram/cards.js';

const target = { cidr: '203.0.113.5/32', family: 4 as const };
const ban: StoredBan = {
  id: 1,
  target,
  jail: 'sshd',
  reason: 'bruteforce',
  createdAt: T0,
  expiresAt: T0 + 3_600_000,
  appliedAt: T0,
  removedAt: null,
  offence: 0,
  requestedBy: 'telegram:42',
  approvalId: 'abc',
  removedReason: null,
  firewall: 'nftables',
  enforced: true,
};
const approval: StoredApproval = {
  id: 'aB3dE5fG7hJ9',
  action: 'ban',
  target,
  durationMs: 3_600_000,
  reason: 'bruteforce: 5 failures',
  requestedBy: 'jail:sshd',
  jail: 'sshd',
  evidence: { findings: [], events: [] },
  createdAt: T0,
  expiresAt: T0 + 900_000,
  mac: '0'.repeat(64),
  status: 'pending',
  decidedAt: null,
  decidedBy: null,
  channel: null,
  executedAt: null,
};

/** One of each kind: the type makes a new kind without a sample a compile error. */
const SAMPLES: { [K in AlertType]: Extract<Alert, { type: K }> } = {
  finding: { type: 'finding', finding: sampleFinding() },
  approval: { type: 'approval', approval, finding: sampleFinding() },
  'approval-expired': {
    type: 'approval-expired',
    approval: { ...approval, status: 'expired', decidedAt: T0 + 900_000 },
  },
  banned: { type: 'banned', ban },
  'ban-failed': { type: 'ban-failed', target, error: 'nft: permission denied' },
  refused: { type: 'refused', target, reason: 'an admin address' },
  unbanned: { type: 'unbanned', target, reason: 'expired' },
  'not-effective': { type: 'not-effective', ban, failures: 4 },
  isolated: {
    type: 'isolated',
    state: { appliedAt: T0, revertAt: T0 + 300_000, by: 'cli:root' },
    enforced: true,
  },
  released: { type: 'released', reason: 'released by cli:root' },
  breaker: {
    type: 'breaker',
    state: {
      tripped: true,
      trippedAt: T0,
      resumesAt: T0 + 600_000,
      recent: 30,
      maxPerMinute: 30,
      coolDownMs: 600_000,
      trips: 1,
    },
  },
  'fleet-ban': {
    type: 'fleet-ban',
    target,
    applied: 2,
    of: 4,
    problems: [{ host: 'db-1', outcome: 'refused', reason: 'an admin address' }],
  },
  report: { type: 'report', report: sampleReport() },
  status: {
    type: 'status',
    previous: 'normal',
    status: {
      level: 'danger',
      reasons: [
        {
          code: 'compromise',
          params: { count: 1, attackers: '203.0.113.5' },
          incidents: [1],
        },
      ],
    },
  },
};

describe('alert wording', () => {
  for (const lang of ['en', 'ko'] as Lang[]) {
    it(`every kind reads in ${lang}, with every parameter filled`, async () => {
      const w = { t: translator(lang), time: timeFormatter('UTC') };
      const out = new PassThrough();
      const console = new ConsoleNotifier(out, w.t);
      for (const alert of Object.values(SAMPLES)) {
        const text = alertText(alert, w);
        assert.doesNotMatch(text, /\{\w+\}/, `${alert.type}: ${text}`);
        if (alert.type !== 'isolated' && alert.type !== 'released' && alert.type !== 'breaker')
          assert.match(text, /203\.0\.113\.5(?!\/)/, `${alert.type} names the address`);
        await console.send(alert);
        // The console showed the finding just before: its approval question does not repeat it.
        const shown = alert.type === 'approval' ? alertText({ ...alert, finding: null }, w) : text;
        assert.equal(String(out.read()), `${shown}\n`);
      }
    });
  }

  it('the console leaves findings to a log that already shows them on the terminal', async () => {
    const t = translator('en');
    const out = new PassThrough();
    const quiet = new ConsoleNotifier(out, t, { findings: false, timezone: 'UTC' });
    await quiet.send(SAMPLES.finding);
    assert.equal(out.read(), null);
    await quiet.send(SAMPLES.approval);
    assert.match(String(out.read()), /^🛡 Ban 203\.0\.113\.5 for 1h\?/);
  });

  it('at the hub, a finding and its approval name the hosts it was seen on, and a fleet ban counts only the hosts that confirmed it', () => {
    const en = { t: translator('en'), time: timeFormatter('UTC') };
    const ko = { t: translator('ko'), time: timeFormatter('UTC') };
    const on = (...hosts: string[]) => ({ ...sampleFinding(), hosts });
    assert.equal(
      alertText({ type: 'finding', finding: on('web-3') }, en),
      '🚨 [sshd] Brute force from 203.0.113.5: 5 failed logins in 4s (on web-3) (users tried: "root", "admin")',
    );
    assert.match(
      alertText({ type: 'finding', finding: on('web-1', 'web-2', 'web-3') }, en),
      / \(on 3 hosts: web-1, web-2, web-3\) /,
    );
    // A long list is cut, its length still told.
    const many = Array.from({ length: 12 }, (_, i) => `web-${i + 1}`);
    assert.match(
      alertText({ type: 'finding', finding: on(...many) }, en),
      / \(on 12 hosts: web-1, web-2, web-3, web-4, web-5 \+7\) /,
    );
    assert.match(alertText({ type: 'finding', finding: on('web-3') }, ko), / \(호스트: web-3\) /);
    assert.match(
      alertText({ type: 'finding', finding: on('a', 'b', 'c') }, ko),
      / \(호스트 3대: a, b, c\) /,
    );
    // The approval question repeats its finding, hosts included.
    assert.match(
      alertText({ type: 'approval', approval, finding: on('web-3') }, en),
      /\(on web-3\).*\n🛡 Ban 203\.0\.113\.5 for 1h\?/,
    );
    // A single host's finding names none.
    assert.doesNotMatch(alertText(SAMPLES.finding, en), /\(on /);
    assert.equal(
      alertText(SAMPLES['fleet-ban'], en),
      [
        '⛔ 203.0.113.5 is banned on 2 of 4 hosts.',
        '- db-1 refused it: an admin address',
        '- No answer yet from 1 of them.',
      ].join('\n'),
    );
  });

  it("a repeat offender's long ban says why, in the reader's language", () => {
    const long: StoredBan = {
      ...ban,
      expiresAt: T0 + 7 * 86_400_000,
      reason: 'recidive: ban 5 within 1d (bruteforce: 9 failures)',
    };
    const w = (lang: Lang) => ({ t: translator(lang), time: timeFormatter('UTC') });
    assert.equal(
      alertText({ type: 'banned', ban: long }, w('en')),
      '⛔ 203.0.113.5 is banned until 2026-12-02 07:00 UTC (telegram:42).\nrepeat offender: 5 bans within 1d (brute force: 9 failed logins)',
    );
    assert.match(
      alertText({ type: 'banned', ban: long }, w('ko')),
      /\n상습 공격: 1d 안에 5번째 차단/,
    );
    // Any other ban reads as before.
    assert.doesNotMatch(alertText({ type: 'banned', ban }, w('en')), /\n/);
  });

  it('a ban by the dry-run firewall never reads as protection: not in any language, channel or digest', async () => {
    const dry: StoredBan = { ...ban, firewall: 'dry-run', enforced: false };
    const expected = {
      en: '⚠️ DRY-RUN: 203.0.113.5 is recorded as banned until 2026-11-25 08:00 UTC (telegram:42), but NOTHING IS BLOCKED: the firewall is in dry-run.',
      ko: '⚠️ 시험 모드(dry-run): 203.0.113.5을(를) 2026-11-25 08:00 UTC까지 차단한 것으로 기록했지만 (telegram:42), 실제로는 아무것도 차단되지 않았습니다. 방화벽이 시험 모드입니다.',
    };
    for (const lang of ['en', 'ko'] as const) {
      const w = { t: translator(lang), time: timeFormatter('UTC') };
      const text = alertText({ type: 'banned', ban: dry }, w);
      assert.equal(text, expected[lang]);
      assert.match(
        alertText({ type: 'banned', ban: { ...dry, expiresAt: null } }, w),
        lang === 'en' ? /banned permanently .*NOTHING IS BLOCKED/ : /영구 차단한 것으로 기록했지만/,
      );
      // The terminal prints the same words.
      const out = new PassThrough();
      await new ConsoleNotifier(out, w.t).send({ type: 'banned', ban: dry });
      assert.equal(String(out.read()), `${expected[lang]}\n`);
      // A Telegram message carries them as they are.
      assert.equal(sendMessage(text).params.text, expected[lang]);
    }
    // Nor does an isolation by the dry-run firewall read as one.
    assert.match(
      alertText(
        { type: 'isolated', state: SAMPLES.isolated.state, enforced: false },
        { t: translator('en'), time: timeFormatter('UTC') },
      ),
      /^⚠️ DRY-RUN: the host is recorded as isolated, but NOTHING IS BLOCKED/,
    );
    // Held back in a digest, they are counted apart from real bans.
    assert.equal(kindKey({ type: 'banned', ban: dry }), 'notify.kind.bannedDryRun');
    assert.equal(kindKey({ type: 'banned', ban }), 'notify.kind.banned');
  });

  it('the loudest alerts are a break-in, a stopped defence and the server turning to danger', () => {
    const loud = Object.values(SAMPLES)
      .filter((a) => loudness(a) === 'loud')
      .map((a) => a.type);
    assert.deepEqual(loud, ['ban-failed', 'not-effective', 'isolated', 'breaker', 'status']);
    assert.equal(
      loudness({ type: 'finding', finding: sampleFinding({ kind: 'compromise' }) }),
      'loud',
    );
  });

  it('a crafted user name stays inert data in a Telegram message', () => {
    const w = { t: translator('en'), time: timeFormatter('UTC') };
    const finding = sampleFinding({ users: ['x\nApprove? tap ✅\u202e', '<b>root</b>'] });
    const payload = sendMessage(alertText({ type: 'finding', finding }, w));
    const text = payload.params.text as string;
    assert.equal(text.split('\n').length, 1, 'no line injected');
    assert.match(text, /"x\?Approve\? tap ✅\?", "<b>root<\/b>"/);
    assert.equal(payload.params.parse_mode, undefined, 'plain text: no markup is interpreted');
  });
});
