/**
 * The Telegram channel against a fake Bot API server on 127.0.0.1 (grammY
 * pointed at it through apiRoot), with a real SQLite store and real Approvals.
 * The clock is injected: retries and digests move it, nothing sleeps.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Millis } from '../domain.js';
import { trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import { Approvals, authorizer, type StoredApproval } from '../respond/approvals.js';
import { Guardrails } from '../respond/guardrails.js';
import { SecretKey } from '../respond/secret.js';
import { openStore, type Store } from '../store/index.js';
import { sampleFinding, T0 } from '../store/testing.js';
import { FakeTelegram } from '../testing/fake-telegram.js';
import { waitFor } from '../testing/wait.js';
import { notifySchema, type NotifyConfig } from './config.js';
import { NotifyService } from './service.js';
import { webhookSecret } from './telegram/bot.js';
import type { BotHooks } from './telegram/commands.js';

const CHAT = 100;
const ADMIN = 42;
const STRANGER = 666;
const key = new SecretKey(randomBytes(32), 'test');
/** The admin's own address: the guardrails refuse to ban it, whoever approves. */
const ADMIN_ADDRESS = '198.51.100.77';
const guardrails = new Guardrails({
  trusted: trustedNetworks(),
  admins: [ADMIN_ADDRESS],
  interfaces: () => ({}),
  sessions: { sessions: () => Promise.resolve([]) },
});
const logger = createLogger({ level: 'silent', format: 'json' });

let dir: string;
let fake: FakeTelegram;
const running: { service: NotifyService; store: Store }[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-telegram-'));
});
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.service.stop();
    r.store.close();
  }
  await fake.stop();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Setup {
  service: NotifyService;
  store: Store;
  approvals: Approvals;
  clock: { now: Millis };
}

async function setup(
  name: string,
  notify: Record<string, unknown> = {},
  reuse?: { fake: FakeTelegram; clock: { now: Millis } },
  adjust?: (config: NotifyConfig) => void,
  hooks?: BotHooks,
): Promise<Setup> {
  if (reuse === undefined) {
    fake = new FakeTelegram();
    await fake.start();
  }
  const clock = reuse?.clock ?? { now: T0 };
  const store = openStore(join(dir, `${name}.db`));
  const approvals = new Approvals(store.records, {
    key,
    authorize: authorizer({ telegramUsers: [String(ADMIN)] }),
  });
  const config = notifySchema.parse({
    telegram: { chats: [CHAT], users: [ADMIN], apiRoot: fake.apiRoot() },
    ...notify,
  });
  adjust?.(config);
  const service = new NotifyService({
    config,
    language: 'en',
    timezone: 'UTC',
    store,
    records: store.records,
    approvals,
    guardrails,
    defaultBantime: 3_600_000,
    clock: () => clock.now,
    logger,
    env: { SHERIFF_TELEGRAM_TOKEN: fake.token },
    ...(hooks === undefined ? {} : { hooks }),
    // The timers never fire during a test: sends are kicked at once, retries driven by the test.
    tickMs: 3_600_000,
    retrySleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  await service.start();
  running.push({ service, store });
  return { service, store, approvals, clock };
}

function requestBan(approvals: Approvals, ip: string, now: Millis) {
  return approvals.request(
    {
      action: 'ban',
      target: { cidr: `${ip}/32`, family: 4 },
      durationMs: 3_600_000,
      reason: 'bruteforce: 5 failures',
      requestedBy: 'jail:sshd',
      jail: 'sshd',
      evidence: { findings: [], events: [] },
    },
    now,
  );
}

/** The waits before a transport's one retry (none really sleeps). */
const waits: number[] = [];
const sends = () => fake.calls.filter((c) => c.method === 'sendMessage').length;

describe('Telegram alerts and approvals', () => {
  it('an approval arrives with Approve/Deny buttons; Approve decides it once and edits the card', async () => {
    const { service, approvals, clock } = await setup('approve');
    const approval = await requestBan(approvals, '203.0.113.5', clock.now);
    await service.notifier.send({ type: 'approval', approval, finding: sampleFinding() });
    const [card] = await waitFor(
      'the card',
      () => fake.sentTo(CHAT).length === 1 && fake.sentTo(CHAT),
    );
    assert.match(card!.text, /Brute force from 203\.0\.113\.5/);
    assert.match(card!.text, /Ban 203\.0\.113\.5 for 1h\?/);
    assert.deepEqual(
      card!.reply_markup?.inline_keyboard[0]!.map((b) => b.callback_data),
      [`a:${approval.id}`, `d:${approval.id}`],
    );
    assert.equal(card!.disable_notification, undefined, 'a decision to make is not silent');

    clock.now += 60_000;
    fake.pushPress(ADMIN, card!.message_id, `a:${approval.id}`);
    await waitFor('the edit', () => card!.edits.length === 1);
    assert.match(fake.answers[0]!.text!, /^Approved/);
    const decided = (await approvals.get(approval.id))!;
    assert.deepEqual(
      [decided.status, decided.decidedBy, decided.channel, decided.decidedAt],
      ['approved', String(ADMIN), 'telegram', clock.now],
    );
    assert.match(card!.text, /✅ Approved by "@user42" \(42\) at 2026-11-25 07:01 UTC\./);
    assert.equal(card!.reply_markup, undefined, 'the buttons are gone');

    // Pressed again (a stale copy of the card): refused, nothing changes.
    fake.pushPress(ADMIN, card!.message_id, `d:${approval.id}`);
    await waitFor('the second answer', () => fake.answers.length === 2);
    assert.match(fake.answers[1]!.text!, /already decided/);
    assert.equal((await approvals.get(approval.id))!.status, 'approved');
  });

  it('at the fleet hub, the finding, its approval card and the ban count name the hosts', async () => {
    const { service, approvals, clock } = await setup('hub');
    await service.notifier.send({
      type: 'finding',
      finding: sampleFinding({ ip: '203.0.113.40', hosts: ['web-3'] }),
    });
    const approval = await requestBan(approvals, '203.0.113.41', clock.now);
    await service.notifier.send({
      type: 'approval',
      approval,
      finding: sampleFinding({
        kind: 'distributed',
        ip: '203.0.113.41',
        hosts: ['web-1', 'web-2', 'web-3'],
      }),
    });
    await service.notifier.send({
      type: 'fleet-ban',
      target: { cidr: '203.0.113.41/32', family: 4 },
      applied: 2,
      of: 3,
      problems: [{ host: 'web-2', outcome: 'refused', reason: 'an admin address' }],
    });
    const [finding, card, ban] = await waitFor(
      'three messages',
      () => fake.sentTo(CHAT).length === 3 && fake.sentTo(CHAT),
    );
    assert.match(finding!.text, /^🚨 \[sshd\] Brute force from 203\.0\.113\.40: .* \(on web-3\) /);
    assert.match(
      card!.text,
      /^⚠️ \[sshd\] Distributed brute force from 203\.0\.113\.41: .* \(on 3 hosts: web-1, web-2, web-3\) .*\n🛡 Ban 203\.0\.113\.41 for 1h\?/,
    );
    assert.equal(
      ban!.text,
      '⛔ 203.0.113.41 is banned on 2 of 3 hosts.\n- web-2 refused it: an admin address',
    );
  });

  it("a stranger's press and commands do nothing and are audited; Deny denies", async () => {
    const { service, store, approvals, clock } = await setup('stranger');
    const approval = await requestBan(approvals, '203.0.113.6', clock.now);
    await service.notifier.send({ type: 'approval', approval, finding: null });
    const [card] = await waitFor(
      'the card',
      () => fake.sentTo(CHAT).length === 1 && fake.sentTo(CHAT),
    );

    fake.pushPress(STRANGER, card!.message_id, `a:${approval.id}`);
    fake.pushMessage(555, STRANGER, '/bans');
    fake.pushMessage(CHAT, STRANGER, '/status');
    const refused = await waitFor('three audit entries', () => {
      const a = store.audit.list({}).filter((e) => e.action.startsWith('telegram.'));
      return a.length === 3 && a;
    });
    assert.deepEqual(refused.map((e) => [e.actor, e.action, e.outcome, e.detail.why]).sort(), [
      ['666', 'telegram.message', 'refused', 'chat not allowed'],
      ['666', 'telegram.message', 'refused', 'user not allowed'],
      ['666', 'telegram.press', 'refused', 'user not allowed'],
    ]);
    assert.equal((await approvals.get(approval.id))!.status, 'pending');
    assert.deepEqual(fake.answers, [], 'a stranger gets no answer');
    assert.equal(fake.sentTo(555).length, 0);
    assert.equal(fake.sentTo(CHAT).length, 1, 'no reply to the stranger in the allowed chat');

    // A stranger who keeps pressing fills the audit log with one entry a minute, not one a press.
    fake.pushPress(STRANGER, card!.message_id, `a:${approval.id}`);
    fake.pushPress(STRANGER, card!.message_id, `a:${approval.id}`);
    await waitFor('the presses handled', () => fake.allConfirmed());
    clock.now += 60_000;
    fake.pushPress(STRANGER, card!.message_id, `a:${approval.id}`);
    const [last] = await waitFor('the fourth entry', () => {
      const a = store.audit.list({}).filter((e) => e.action === 'telegram.press');
      return a.length === 2 && a.filter((e) => e.time === clock.now);
    });
    assert.equal(last!.detail.suppressed, 2);

    fake.pushPress(ADMIN, card!.message_id, `d:${approval.id}`);
    await waitFor('the edit', () => card!.edits.length === 1);
    assert.equal((await approvals.get(approval.id))!.status, 'denied');
    assert.match(card!.text, /❌ Denied by "@user42" \(42\)/);
  });

  it('an expired approval says so and its card loses the buttons', async () => {
    const { service, approvals, clock } = await setup('expired');
    const approval = await requestBan(approvals, '203.0.113.7', clock.now);
    await service.notifier.send({ type: 'approval', approval, finding: null });
    const [card] = await waitFor(
      'the card',
      () => fake.sentTo(CHAT).length === 1 && fake.sentTo(CHAT),
    );
    clock.now += 16 * 60_000;
    fake.pushPress(ADMIN, card!.message_id, `a:${approval.id}`);
    await waitFor('the edit', () => card!.edits.length === 1);
    assert.match(fake.answers[0]!.text!, /expired/);
    assert.equal((await approvals.get(approval.id))!.status, 'expired');
    assert.match(card!.text, /⌛ Expired at/);
    fake.pushPress(ADMIN, card!.message_id, 'a:doesNotExist1');
    await waitFor('the answer', () => fake.answers.length === 2);
    assert.match(fake.answers[1]!.text!, /no longer exists/);
  });

  it('a long retry_after waits in the outbox; a 5xx is tried once more, then backs off; nothing is lost', async () => {
    const { service, store, clock } = await setup('retry');
    waits.length = 0;
    fake.fail('sendMessage', { code: 429, retryAfter: 7 });
    fake.fail('sendMessage', { code: 502, description: 'Bad Gateway' }, 2);
    const ips = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
    for (const ip of ips)
      await service.notifier.send({ type: 'finding', finding: sampleFinding({ ip }) });
    await waitFor('the first attempt', () => sends() === 1);
    await service.worker.drain();
    const [first] = store.outbox.queued('telegram');
    assert.equal(first!.nextAttemptAt, clock.now + 7000, 'waits what Telegram asked');
    assert.equal(sends(), 1, 'the later messages wait behind the first, in order');
    assert.deepEqual(waits, [], 'longer than the inline cap: not waited for in the drain');

    clock.now += 6999;
    await service.worker.drain();
    assert.equal(sends(), 1);
    clock.now += 1;
    await service.worker.drain();
    assert.equal(sends(), 3, 'the 502 and its one retry');
    assert.deepEqual(waits, [1000]);
    assert.equal(store.outbox.get(first!.id)!.nextAttemptAt, clock.now + 2000, 'backoff doubles');
    clock.now += 2000;
    await service.worker.drain();
    assert.deepEqual(
      fake.sentTo(CHAT).map((m) => /from (\S+):/.exec(m.text)?.[1]),
      ips,
    );
    assert.deepEqual(store.outbox.counts(), { queued: 0, delivered: 3, failed: 0 });
    assert.ok(
      fake.sentTo(CHAT).every((m) => m.disable_notification === true),
      'findings are quiet',
    );
  });

  it('a restart with queued messages delivers each of them exactly once', async () => {
    const first = await setup('restart');
    fake.fail('sendMessage', { code: 500 }, 2);
    for (const ip of ['192.0.2.10', '192.0.2.11', '192.0.2.12'])
      await first.service.notifier.send({ type: 'finding', finding: sampleFinding({ ip }) });
    await waitFor('the failed attempt and its retry', () => sends() === 2);
    await first.service.worker.drain();
    assert.equal(first.store.outbox.counts().queued, 3);
    const r = running.pop()!;
    await r.service.stop();
    r.store.close();

    first.clock.now += 1000;
    const second = await setup('restart', {}, { fake, clock: first.clock });
    await waitFor('three messages', () => fake.sentTo(CHAT).length === 3);
    await second.service.worker.drain();
    second.clock.now += 3_600_000;
    await second.service.worker.drain();
    assert.deepEqual(
      fake.sentTo(CHAT).map((m) => /from (\S+):/.exec(m.text)?.[1]),
      ['192.0.2.10', '192.0.2.11', '192.0.2.12'],
    );
    assert.equal(sends(), 5);
    assert.deepEqual(second.store.outbox.counts(), { queued: 0, delivered: 3, failed: 0 });
  });

  it('a permanent error is recorded and not retried', async () => {
    const { service, store, clock } = await setup('permanent');
    fake.fail('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    await service.notifier.send({ type: 'finding', finding: sampleFinding() });
    await waitFor('the attempt', () => sends() === 1);
    await service.worker.drain();
    clock.now += 3_600_000;
    await service.worker.drain();
    assert.equal(sends(), 1);
    const [failed] = store.db
      .prepare("SELECT last_error AS e FROM outbox WHERE state = 'failed'")
      .all() as { e: string }[];
    assert.match(failed!.e, /403 Forbidden: bot was blocked/);
  });

  it('a message queued for a chat since removed from the config is dropped, not sent', async () => {
    const { service, store } = await setup('removed-chat');
    store.outbox.enqueue('telegram', '777', { method: 'sendMessage', params: { text: 'old' } }, T0);
    await service.worker.drain();
    assert.equal(fake.sentTo(777).length, 0);
    assert.deepEqual(store.outbox.counts(), { queued: 0, delivered: 0, failed: 1 });
  });

  it('a flood becomes one digest; a break-in still rings at once', async () => {
    const { service, clock } = await setup('flood', {
      digest: { window: '1m', maxPerWindow: 3, perAddress: '10m' },
    });
    for (let i = 1; i <= 50; i++)
      await service.notifier.send({
        type: 'finding',
        finding: sampleFinding({ ip: `203.0.113.${i}` }),
      });
    for (let i = 0; i < 5; i++)
      await service.notifier.send({
        type: 'finding',
        finding: sampleFinding({ ip: '203.0.113.1', kind: 'slow-bruteforce' }),
      });
    await service.notifier.send({
      type: 'finding',
      finding: sampleFinding({ ip: '203.0.113.99', kind: 'compromise', users: ['deploy'] }),
    });
    await waitFor('four messages', () => fake.sentTo(CHAT).length === 4);
    const loud = fake.sentTo(CHAT)[3]!;
    assert.match(loud.text, /BREAK-IN/);
    assert.equal(loud.disable_notification, undefined, 'a break-in is not silent');

    await service.notifier.flushDigests();
    await service.worker.drain();
    assert.equal(fake.sentTo(CHAT).length, 4, 'no digest before the window ends');
    clock.now += 60_000;
    await service.notifier.flushDigests();
    await waitFor('the digest', () => fake.sentTo(CHAT).length === 5);
    const digest = fake.sentTo(CHAT)[4]!.text;
    assert.match(digest, /52 more alerts in the last 1m/);
    assert.match(digest, /brute force ×47/);
    assert.match(digest, /slow brute force ×5/);
    assert.match(digest, /addresses: 203\.0\.113\.4, /);

    clock.now += 60_000;
    await service.notifier.flushDigests();
    await service.worker.drain();
    assert.equal(fake.sentTo(CHAT).length, 5, 'one digest per window');
  });

  it('a digest with approvals waiting has Approve all: each one shown is decided and audited on its own', async () => {
    const { service, store, approvals, clock } = await setup('approve-all', {
      digest: { window: '1m', maxPerWindow: 1, perAddress: '10m' },
    });
    const asked = await Promise.all(
      [1, 2, 3].map((i) => requestBan(approvals, `203.0.113.${i}`, clock.now)),
    );
    for (const approval of asked)
      await service.notifier.send({ type: 'approval', approval, finding: null });
    await waitFor('the first card', () => fake.sentTo(CHAT).length === 1);
    clock.now += 60_000;
    await service.notifier.flushDigests();
    await waitFor('the digest', () => fake.sentTo(CHAT).length === 2);
    const digest = fake.sentTo(CHAT)[1]!;
    assert.match(digest.text, /2 more alerts/);
    assert.match(digest.text, /3 approval requests are waiting/);
    const [button] = digest.reply_markup!.inline_keyboard[0]!;
    assert.equal(button!.text, '✅ Approve all 3');
    // One that arrives after the digest is not covered by its button.
    clock.now += 1000;
    const late = await requestBan(approvals, '203.0.113.4', clock.now);

    fake.pushPress(STRANGER, digest.message_id, button!.callback_data);
    fake.pushPress(ADMIN, digest.message_id, button!.callback_data);
    await waitFor('the edit', () => digest.edits.length === 1);
    assert.match(fake.answers.at(-1)!.text!, /^Approved 3 of 3/);
    assert.match(digest.text, /✅ "@user42" \(42\) approved 3 of 3 at /);
    assert.equal(digest.reply_markup, undefined, 'the button is gone');
    for (const a of asked) {
      const d = (await approvals.get(a.id))!;
      assert.deepEqual([d.status, d.decidedBy, d.channel], ['approved', String(ADMIN), 'telegram']);
    }
    assert.equal((await approvals.get(late.id))!.status, 'pending');
    const audit = store.audit.list().filter((e) => e.action === 'approval.approve');
    assert.deepEqual(
      audit
        .filter((e) => e.outcome === 'ok')
        .map((e) => e.target)
        .sort(),
      ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32'],
      'one audit entry per address',
    );
    assert.ok(!audit.some((e) => e.actor === String(STRANGER) && e.outcome === 'ok'));
  });

  it('Approve all screens each ban with the guardrails: a refused one is said so and never runs', async () => {
    const { service, approvals, clock } = await setup('approve-all-refused', {
      digest: { window: '1m', maxPerWindow: 1, perAddress: '10m' },
    });
    const asked: StoredApproval[] = [];
    for (const ip of ['203.0.113.21', ADMIN_ADDRESS, '203.0.113.22'])
      asked.push(await requestBan(approvals, ip, clock.now));
    for (const approval of asked)
      await service.notifier.send({ type: 'approval', approval, finding: null });
    await waitFor('the first card', () => fake.sentTo(CHAT).length === 1);
    clock.now += 60_000;
    await service.notifier.flushDigests();
    const digest = await waitFor('the digest', () => fake.sentTo(CHAT)[1]);
    fake.pushPress(
      ADMIN,
      digest.message_id,
      digest.reply_markup!.inline_keyboard[0]![0]!.callback_data,
    );
    await waitFor('the edit', () => digest.edits.length === 1);
    assert.match(fake.answers.at(-1)!.text!, /^Approved 2 of 3; the guardrails refused 1/);
    assert.match(
      digest.text,
      /approved 2 of 3 at .*\n🚫 198\.51\.100\.77: refused by the guardrails, .*admin address/,
    );
    assert.deepEqual(
      await Promise.all(asked.map(async (a) => (await approvals.get(a.id))!.status)),
      ['approved', 'refused', 'approved'],
    );
  });

  it('an expired approval is announced', async () => {
    const { service, approvals, clock } = await setup('expired');
    const approval = await requestBan(approvals, '203.0.113.7', clock.now);
    clock.now += 16 * 60_000;
    const [expired] = await approvals.expireDue(clock.now);
    await service.notifier.send({ type: 'approval-expired', approval: expired! });
    await waitFor('the announcement', () => fake.sentTo(CHAT).length === 1);
    const text = fake.sentTo(CHAT)[0]!.text;
    assert.match(text, new RegExp(`Approval ${approval.id} expired at .* without a decision`));
    assert.match(text, /Ban 203\.0\.113\.7 for 1h\?/);
    assert.match(text, /If 203\.0\.113\.7 keeps failing, Sheriff will ask again\./);
    assert.equal(fake.sentTo(CHAT)[0]!.reply_markup, undefined, 'nothing left to press');
  });

  it('/lang switches the chat to Korean, persisted; commands answer in it', async () => {
    const { service, store } = await setup('lang');
    fake.pushMessage(CHAT, ADMIN, '/lang ko');
    await waitFor('the reply', () => fake.sentTo(CHAT).length === 1);
    assert.equal(fake.sentTo(CHAT)[0]!.text, '이 대화방에는 이제 한국어로 메시지를 보냅니다.');
    assert.equal(store.chats.lang('telegram', String(CHAT)), 'ko');
    await service.notifier.send({ type: 'finding', finding: sampleFinding() });
    fake.pushMessage(CHAT, ADMIN, '/bans');
    fake.pushMessage(CHAT, ADMIN, 'hello?');
    fake.pushMessage(CHAT, ADMIN, '/lang fr');
    await waitFor('four messages', () => fake.sentTo(CHAT).length === 5);
    const texts = fake.sentTo(CHAT).map((m) => m.text);
    assert.match(texts[1]!, /203\.0\.113\.5에서 무차별 대입 공격/);
    assert.equal(texts[2], '차단된 주소가 없습니다.');
    assert.equal(texts[3], '여기서는 명령어만 이해합니다. /help로 목록을 볼 수 있습니다.');
    assert.equal(texts[4], '사용법: /lang ko 또는 /lang en');
  });

  it('free text goes to the analyst hook, /incidents and /report to theirs', async () => {
    const asked: string[] = [];
    await setup('hooks', {}, undefined, undefined, {
      ask: (chat, text, lang) => {
        asked.push(`${chat}|${text}|${lang}`);
        return Promise.resolve('203.0.113.5 tried 40 passwords and failed.');
      },
      incidents: (lang) => `incidents in ${lang}`,
      report: (lang, date) => `report ${date ?? 'today'} in ${lang}`,
      level: () => Promise.resolve('caution'),
    });
    fake.pushMessage(CHAT, ADMIN, 'who attacked us today?');
    fake.pushMessage(CHAT, ADMIN, '/incidents');
    fake.pushMessage(CHAT, ADMIN, '/report 2026-11-24');
    fake.pushMessage(CHAT, ADMIN, '/status');
    await waitFor('four replies', () => fake.sentTo(CHAT).length === 4);
    const texts = fake.sentTo(CHAT).map((m) => m.text);
    assert.deepEqual(asked, [`${CHAT}|who attacked us today?|en`]);
    assert.ok(texts.includes('203.0.113.5 tried 40 passwords and failed.'));
    assert.ok(texts.includes('incidents in en'));
    assert.ok(texts.includes('report 2026-11-24 in en'));
    assert.ok(texts.some((t) => t.startsWith('Status: 🟡 caution\n🤠 Sheriff')));
    assert.ok(
      fake.calls.some((c) => c.method === 'sendChatAction' && c.params.action === 'typing'),
    );
  });

  it('/ban asks for approval with a card; bad input gets a clear answer', async () => {
    const { approvals } = await setup('ban');
    fake.pushMessage(CHAT, ADMIN, '/ban 203.0.113.9 2h');
    fake.pushMessage(CHAT, ADMIN, '/ban 203.0.113.999');
    fake.pushMessage(CHAT, ADMIN, '/unban 203.0.113.9');
    fake.pushMessage(CHAT, ADMIN, '/incidents');
    await waitFor('four replies', () => fake.sentTo(CHAT).length === 4);
    const [card, bad, notBanned, incidents] = fake.sentTo(CHAT);
    const [pending] = await approvals.list({ status: 'pending' });
    assert.deepEqual(
      [pending!.action, pending!.target?.cidr, pending!.durationMs, pending!.requestedBy],
      ['ban', '203.0.113.9/32', 7_200_000, 'admin:telegram:42'],
    );
    assert.match(card!.text, /Ban 203\.0\.113\.9 for 2h\?/);
    assert.equal(card!.reply_markup?.inline_keyboard[0]![0]!.callback_data, `a:${pending!.id}`);
    assert.equal(bad!.text, '"203.0.113.999" is not an IP address or network.');
    assert.equal(notBanned!.text, '203.0.113.9 is not banned.');
    assert.equal(incidents!.text, 'This is not available on this server yet.');
  });

  it('webhook mode: Telegram is told the URL and secret; a request without the secret is refused', async () => {
    const { service } = await setup('webhook', {}, undefined, (config) => {
      config.telegram!.mode = 'webhook';
      config.telegram!.webhook = {
        url: 'https://sheriff.example.com/tg',
        host: '127.0.0.1',
        port: 0,
      };
    });
    const setWebhook = await waitFor('setWebhook', () =>
      fake.calls.find((c) => c.method === 'setWebhook'),
    );
    assert.equal(setWebhook.params.url, 'https://sheriff.example.com/tg');
    assert.equal(setWebhook.params.secret_token, webhookSecret(fake.token));
    const { port } = service.bot!.address()!;
    const update = (secret: string, id: number) =>
      fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify({
          update_id: id,
          message: {
            message_id: id,
            date: 1,
            chat: { id: CHAT, type: 'private', first_name: 'Admin' },
            from: { id: ADMIN, is_bot: false, first_name: 'Admin' },
            text: '/help',
            entities: [{ type: 'bot_command', offset: 0, length: 5 }],
          },
        }),
      });
    assert.equal((await update('wrong', 1)).status, 401);
    assert.equal((await update(webhookSecret(fake.token), 2)).status, 200);
    const [help] = await waitFor(
      'the help',
      () => fake.sentTo(CHAT).length === 1 && fake.sentTo(CHAT),
    );
    assert.match(help!.text, /^Sheriff commands:/);
    assert.equal(fake.calls.filter((c) => c.method === 'getUpdates').length, 0, 'no polling');
  });
});
