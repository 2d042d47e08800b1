/**
 * Webhooks against a receiver on 127.0.0.1: Slack and Discord payloads, the
 * generic payload's HMAC signature, retries through the same outbox.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import { Approvals, authorizer } from '../respond/approvals.js';
import { Guardrails } from '../respond/guardrails.js';
import { SecretKey } from '../respond/secret.js';
import { openStore, type Store } from '../store/index.js';
import { sampleFinding, T0 } from '../store/testing.js';
import { WebhookReceiver } from '../testing/webhook-receiver.js';
import { notifySchema } from './config.js';
import { NotifyService } from './service.js';

const SECRET = 'a-generic-webhook-signing-key-0123456789';
let dir: string;
let receiver: WebhookReceiver;
let store: Store;
let service: NotifyService;
let approvals: Approvals;
const clock = { now: T0 };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-webhook-'));
  receiver = new WebhookReceiver();
  await receiver.start();
  const urlFile = join(dir, 'discord.url');
  await writeFile(urlFile, `${receiver.url('/discord')}\n`);
  await chmod(urlFile, 0o600);
  store = openStore(join(dir, 'w.db'));
  approvals = new Approvals(store.records, {
    key: new SecretKey(randomBytes(32), 'test'),
    authorize: authorizer(),
  });
  service = new NotifyService({
    config: notifySchema.parse({
      webhooks: {
        slack: { type: 'slack', url: receiver.url('/slack') },
        discord: { type: 'discord', urlFile, language: 'ko' },
        siem: { type: 'generic', url: receiver.url('/generic'), events: ['approval', 'banned'] },
      },
    }),
    language: 'en',
    timezone: 'UTC',
    store,
    records: store.records,
    approvals,
    guardrails: new Guardrails({ trusted: trustedNetworks(), interfaces: () => ({}) }),
    defaultBantime: 3_600_000,
    clock: () => clock.now,
    logger: createLogger({ level: 'silent', format: 'json' }),
    env: { SHERIFF_WEBHOOK_SIEM_SECRET: SECRET },
    tickMs: 3_600_000,
    retrySleep: () => Promise.resolve(),
  });
  await service.start();
});
after(async () => {
  await service.stop();
  store.close();
  await receiver.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('webhooks', () => {
  it('Slack and Discord get their payloads, in their language; events filter the generic one', async () => {
    await service.notifier.send({
      type: 'finding',
      finding: sampleFinding({ users: ['@everyone', '[x](https://e.example)', '<!channel>'] }),
    });
    await service.worker.drain();
    const [slack] = receiver.accepted('/slack');
    assert.deepEqual(JSON.parse(slack!.body), {
      text: '🚨 [sshd] Brute force from 203.0.113.5: 5 failed logins in 4s (users tried: "@everyone", "[x](https://e.example)", "&lt;!channel&gt;")',
    });
    assert.equal(slack!.headers['content-type'], 'application/json');
    const [discord] = receiver.accepted('/discord');
    assert.deepEqual(JSON.parse(discord!.body), {
      content:
        '🚨 \\[sshd\\] 203.0.113.5에서 무차별 대입 공격: 4s 동안 로그인 실패 5회 (시도한 계정: "@everyone", "\\[x\\](https://e.example)", "\\<!channel\\>")',
      allowed_mentions: { parse: [] },
    });
    assert.equal(receiver.accepted('/generic').length, 0, 'findings are not among its events');
  });

  it('the generic payload is signed over timestamp and body', async () => {
    await service.notifier.send({
      type: 'banned',
      ban: {
        id: 7,
        target: { cidr: '203.0.113.5/32', family: 4 },
        jail: 'sshd',
        reason: 'bruteforce',
        createdAt: clock.now,
        expiresAt: clock.now + 3_600_000,
        appliedAt: clock.now,
        removedAt: null,
        offence: 0,
        requestedBy: 'telegram:42',
        approvalId: 'abc',
        removedReason: null,
        firewall: 'nftables',
        enforced: true,
      },
    });
    await service.worker.drain();
    const [req] = receiver.accepted('/generic');
    const timestamp = req!.headers['x-sheriff-timestamp'] as string;
    assert.equal(timestamp, String(clock.now / 1000));
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.${req!.body}`).digest('hex');
    assert.equal(req!.headers['x-sheriff-signature'], `sha256=${expected}`);
    const body = JSON.parse(req!.body) as Record<string, unknown>;
    assert.equal(body.kind, 'banned');
    assert.equal(body.text, '⛔ 203.0.113.5 is banned until 2026-11-25 08:00 UTC (telegram:42).');
    assert.equal(
      (body.data as { ban: { target: { cidr: string } } }).ban.target.cidr,
      '203.0.113.5/32',
    );
  });

  it('503 and 429 with Retry-After are retried; a 404 is given up', async () => {
    const before = receiver.requests.length;
    receiver.answer(
      { status: 503 },
      { status: 503 },
      { status: 429, headers: { 'retry-after': '30' } },
    );
    await service.notifier.send({
      type: 'finding',
      finding: sampleFinding({ ip: '198.51.100.7' }),
    });
    await service.worker.drain();
    // slack: 503 and its one retry 503; discord: 429 (the receiver answers in arrival order).
    assert.equal(receiver.requests.length - before, 3);
    const queued = store.outbox.queued('webhook');
    assert.deepEqual(
      queued.map((m) => [m.target, m.nextAttemptAt - clock.now]),
      [
        ['slack', 1000],
        ['discord', 30_000],
      ],
    );
    clock.now += 1000;
    await service.worker.drain();
    assert.equal(store.outbox.queued('webhook').length, 1);
    clock.now += 29_000;
    await service.worker.drain();
    assert.equal(store.outbox.queued('webhook').length, 0);
    // finding, ban, this finding: each once.
    assert.equal(receiver.accepted('/slack').length, 3);
    assert.equal(receiver.accepted('/discord').length, 3);

    receiver.answer({ status: 404 }, { status: 404 });
    await service.notifier.send({
      type: 'finding',
      finding: sampleFinding({ ip: '198.51.100.8' }),
    });
    await service.worker.drain();
    clock.now += 3_600_000;
    await service.worker.drain();
    assert.equal(store.outbox.counts().failed, 2);
    assert.equal(store.outbox.queued('webhook').length, 0);
  });
  it('a dry-run ban says in its text and its data that nothing was blocked', async () => {
    await service.notifier.send({
      type: 'banned',
      ban: {
        id: 8,
        target: { cidr: '203.0.113.8/32', family: 4 },
        jail: 'sshd',
        reason: 'bruteforce',
        createdAt: clock.now,
        expiresAt: null,
        appliedAt: clock.now,
        removedAt: null,
        offence: 0,
        requestedBy: 'policy:auto:sshd',
        approvalId: null,
        removedReason: null,
        firewall: 'dry-run',
        enforced: false,
      },
    });
    await service.worker.drain();
    const req = receiver
      .accepted('/generic')
      .find((r) => (JSON.parse(r.body) as { text: string }).text.includes('203.0.113.8'));
    const body = JSON.parse(req!.body) as {
      kind: string;
      text: string;
      data: { ban: { firewall: string; enforced: boolean } };
    };
    assert.equal(body.kind, 'banned');
    assert.equal(
      body.text,
      '⚠️ DRY-RUN: 203.0.113.8 is recorded as banned permanently (automatic ban, jail sshd), but NOTHING IS BLOCKED: the firewall is in dry-run.',
    );
    assert.deepEqual(body.data.ban, { ...body.data.ban, firewall: 'dry-run', enforced: false });
  });

  it('at the fleet hub, the text names the host(s) in each language, and the generic data lists them', async () => {
    await service.notifier.send({
      type: 'finding',
      finding: sampleFinding({ ip: '198.51.100.30', users: [], hosts: ['web-3'] }),
    });
    const approval = await approvals.request(
      {
        action: 'ban',
        target: { cidr: '198.51.100.31/32', family: 4 },
        durationMs: 3_600_000,
        reason: 'distributed: 9 failures',
        requestedBy: 'jail:sshd',
        jail: 'sshd',
        evidence: { findings: [], events: [] },
      },
      clock.now,
    );
    await service.notifier.send({
      type: 'approval',
      approval,
      finding: sampleFinding({
        kind: 'distributed',
        ip: '198.51.100.31',
        users: [],
        hosts: ['web-1', 'web-2', 'web-3'],
      }),
    });
    await service.worker.drain();
    const text = (path: string) =>
      receiver
        .accepted(path)
        .map((r) => JSON.parse(r.body) as { text?: string; content?: string })
        .map((b) => b.text ?? b.content ?? '')
        .find((t) => t.includes('198.51.100.30'));
    assert.equal(
      text('/slack'),
      '🚨 [sshd] Brute force from 198.51.100.30: 5 failed logins in 4s (on web-3)',
    );
    assert.equal(
      text('/discord'),
      '🚨 \\[sshd\\] 198.51.100.30에서 무차별 대입 공격: 4s 동안 로그인 실패 5회 (호스트: web-3)',
    );
    const generic = receiver
      .accepted('/generic')
      .map((r) => JSON.parse(r.body) as { kind: string; text: string; data: unknown })
      .find((b) => b.kind === 'approval')!;
    assert.match(
      generic.text,
      /^⚠️ \[sshd\] Distributed brute force from 198\.51\.100\.31: .* \(on 3 hosts: web-1, web-2, web-3\)\n🛡 Ban 198\.51\.100\.31 for 1h\?/,
    );
    assert.deepEqual((generic.data as { finding: { hosts: string[] } }).finding.hosts, [
      'web-1',
      'web-2',
      'web-3',
    ]);
  });
});
