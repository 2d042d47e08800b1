/**
 * The whole chain with the daemon: attack lines in a watched log → finding →
 * approval card on (fake) Telegram → a press → the dry-run firewall bans, and
 * the chat hears about it. Deny and a stranger's press ban nothing; a ban the
 * guardrails refuse is refused at the press, as on the CLI and the web. The
 * commands and free text are answered from the daemon's incidents and analyst.
 * The daemon's clock is manual: its ticks run when the test moves time.
 */
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../app/parse-config.js';
import { Daemon } from '../app/daemon.js';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { openStore } from '../store/index.js';
import { FakeTelegram } from '../testing/fake-telegram.js';
import { ManualClock } from '../testing/manual-clock.js';
import { waitFor } from '../testing/wait.js';

const CHAT = -1001;
const ADMIN = 42;
const STRANGER = 666;
let dir: string;
let fake: FakeTelegram;
let daemon: Daemon | null = null;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-daemon-telegram-'));
  fake = new FakeTelegram();
  await fake.start();
});
after(async () => {
  await daemon?.stop();
  await fake.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A daemon with Telegram on `chat`, reading `<name>.log` into `<name>.db`. */
async function startDaemon(name: string, chat: number, clock: ManualClock, extra = '') {
  const log = join(dir, `${name}.log`);
  const tokenFile = join(dir, `${name}.token`);
  await writeFile(log, '');
  await writeFile(tokenFile, fake.token);
  await chmod(tokenFile, 0o600);
  const db = join(dir, `${name}.db`);
  const config = parseConfig(
    [
      `store: { path: ${db} }`,
      `sources: [{ type: file, path: ${log}, startAtBeginning: true, pollInterval: 100ms }]`,
      'jails: { sshd: { maxretry: 3 } }',
      `response: { firewall: dry-run${extra} }`,
      `notify: { telegram: { tokenFile: ${tokenFile}, chats: [${chat}], users: [${ADMIN}], apiRoot: "${fake.apiRoot()}" } }`,
    ].join('\n'),
    'test.yaml',
  );
  daemon = Daemon.start({
    config,
    logger: createLogger({ level: 'silent', format: 'json' }),
    t: translator('en'),
    notifiers: [],
    sources: config.sources,
    firewall: new DryRunFirewall({ log: () => {} }),
    clock,
  });
  return { log, db, daemon };
}

const line = (n: number, ip: string) =>
  `${new Date().toISOString()} web1 sshd[${1000 + n}]: Failed password for invalid user u${n} from ${ip} port ${40000 + n} ssh2\n`;

describe('daemon with Telegram', () => {
  it('Approve bans through the firewall and says so; Deny and strangers ban nothing', async () => {
    const clock = new ManualClock();
    const { log, db } = await startDaemon('sheriff', CHAT, clock);
    for (let i = 0; i < 3; i++) await appendFile(log, line(i, '203.0.113.60'));
    const card = await waitFor('the first card', () =>
      fake.sentTo(CHAT).find((m) => m.reply_markup !== undefined && /203\.0\.113\.60/.test(m.text)),
    );
    const denyId = card.reply_markup!.inline_keyboard[0]![1]!.callback_data;
    assert.match(denyId, /^d:[A-Za-z0-9]{12}$/);

    fake.pushPress(STRANGER, card.message_id, denyId.replace('d:', 'a:'));
    fake.pushPress(ADMIN, card.message_id, denyId);
    await waitFor('the denied card', () => /❌ Denied by/.test(card.text));

    for (let i = 0; i < 3; i++) await appendFile(log, line(i, '203.0.113.61'));
    const second = await waitFor('the second card', () =>
      fake.sentTo(CHAT).find((m) => m.reply_markup !== undefined && /203\.0\.113\.61/.test(m.text)),
    );
    fake.pushPress(
      ADMIN,
      second.message_id,
      second.reply_markup!.inline_keyboard[0]![0]!.callback_data,
    );
    await waitFor('the approved card', () => /✅ Approved by/.test(second.text));
    // The responder carries out approved actions on its one-second tick.
    await clock.advance(1000);
    // The firewall is a dry-run: the chat must not read "banned" as protection.
    const banned = await waitFor('the ban message', () =>
      fake.sentTo(CHAT).find((m) => /203\.0\.113\.61 is recorded as banned until/.test(m.text)),
    );
    assert.match(banned.text, /^⚠️ DRY-RUN: .*\(telegram:42\), but NOTHING IS BLOCKED/);
    assert.doesNotMatch(banned.text, /⛔/);
    assert.match(second.text, /✅ Approved by "@user42" \(42\)/);

    // The bot answers from the daemon's own incidents and analyst, taken in on their 5 s tick.
    await clock.advance(5000);
    fake.pushMessage(CHAT, ADMIN, '/incidents');
    const listed = await waitFor('the incidents', () =>
      fake.sentTo(CHAT).find((m) => /^Status: /.test(m.text) && /203\.0\.113\.61/.test(m.text)),
    );
    assert.match(listed.text, /203\.0\.113\.60/);
    fake.pushMessage(CHAT, ADMIN, '/status');
    await waitFor('the status with its level', () =>
      fake.sentTo(CHAT).find((m) => /Caution|caution/.test(m.text) && m !== listed),
    );
    // The reply to /status says the dry-run firewall blocks nothing.
    await waitFor('the status saying nothing is blocked', () =>
      fake
        .sentTo(CHAT)
        .find(
          (m) =>
            /^Status: /.test(m.text) &&
            /not enforcing bans \(dry-run\): NOTHING IS BLOCKED/.test(m.text),
        ),
    );
    fake.pushMessage(CHAT, ADMIN, '/bans');
    const bans = await waitFor('the list of bans', () =>
      fake.sentTo(CHAT).find((m) => /^Banned addresses \(1\):/.test(m.text)),
    );
    assert.match(
      bans.text,
      /203\.0\.113\.61 until .* \[NOT ENFORCED: dry-run, nothing is blocked\]/,
    );
    fake.pushMessage(CHAT, ADMIN, 'analyse 203.0.113.61');
    const analysed = await waitFor('the analyst', () =>
      fake
        .sentTo(CHAT)
        .find((m) => /^Status: caution\n203\.0\.113\.61: 3 failures, 0 logins/.test(m.text)),
    );
    assert.match(analysed.text, /The LLM analyst is off/);

    await daemon!.stop();
    daemon = null;
    const store = openStore(db, { readonly: true });
    try {
      const bans = store.bans.active(Date.now()).map((b) => b.target.cidr);
      assert.deepEqual(bans, ['203.0.113.61/32'], 'the denied address is not banned');
      const refused = store.audit
        .list({})
        .filter((e) => e.action === 'telegram.press' && e.actor === String(STRANGER));
      assert.equal(refused.length, 1);
    } finally {
      store.close();
    }
  });

  it('✅ on a ban the guardrails refuse is refused at the press, with why, and never runs', async () => {
    const chat = -1002;
    const clock = new ManualClock();
    const { db } = await startDaemon('guarded', chat, clock, ', admins: [198.51.100.7]');
    fake.pushMessage(chat, ADMIN, '/ban 198.51.100.7 1h');
    const card = await waitFor('the approval card', () =>
      fake.sentTo(chat).find((m) => m.reply_markup !== undefined),
    );
    const answered = fake.answers.length;
    fake.pushPress(
      ADMIN,
      card.message_id,
      card.reply_markup!.inline_keyboard[0]![0]!.callback_data,
    );
    await waitFor('the refused card', () => /🚫/.test(card.text));
    assert.match(
      card.text,
      /🚫 "@user42" \(42\) approved at .*, but the guardrails refused it: 198\.51\.100\.7\/32 .*admin address 198\.51\.100\.7\. Nothing was banned\./,
    );
    assert.doesNotMatch(card.text, /✅ Approved/);
    assert.equal(card.reply_markup, undefined, 'the buttons are gone');
    assert.deepEqual(
      fake.answers.slice(answered).map((a) => a.text),
      ['The guardrails refused this ban; nothing was done. The card says why.'],
    );
    // The responder's tick has nothing to carry out.
    await clock.advance(1000);
    await daemon!.stop();
    daemon = null;
    assert.ok(!fake.sentTo(chat).some((m) => /recorded as banned/.test(m.text)));
    const store = openStore(db, { readonly: true });
    try {
      assert.deepEqual(store.bans.active(clock.now()), []);
      const [approval] = store.approvals.list({});
      assert.equal(approval?.status, 'refused');
    } finally {
      store.close();
    }
  });
});
