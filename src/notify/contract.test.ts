/**
 * One contract, every notification transport: Telegram (grammY against the fake Bot API) and
 * a signed webhook (against a receiver), each over real HTTP on 127.0.0.1. Each scripted answer
 * — 200, 429 with a short and a long Retry-After, 500 then 200, 500 twice, 400, no answer — must
 * come to the same outcome, the same number of requests and the same waits, because the retry
 * rule lives in one place (delivery.ts over net/retry.ts). The wait is injected: nothing sleeps.
 * No credential (the bot token, a webhook URL's secret path, the signing key) may reach an
 * outcome or a log line.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Api } from 'grammy';
import { createLogger } from '../log.js';
import { openStore } from '../store/index.js';
import { FakeTelegram } from '../testing/fake-telegram.js';
import { WebhookReceiver } from '../testing/webhook-receiver.js';
import { DeliveryWorker, INLINE_RETRY, type DeliveryOutcome, type Transport } from './delivery.js';
import { TelegramTransport } from './telegram/transport.js';
import { WebhookTransport } from './webhook.js';

/** What the remote answers to one request. */
type Answer = 'ok' | 'hang' | { status: number; retryAfter?: number };

interface Harness {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A transport whose retry waits go to `sleep` and whose requests give up after a short time. */
  make(sleep: (ms: number) => Promise<void>): Transport;
  target: string;
  payload: unknown;
  /** The next requests are answered so, in order; later ones with 200. */
  script(...answers: Answer[]): void;
  /** Delivery requests the remote has seen. */
  requests(): number;
  /** Strings that must never appear in an outcome or a log line. */
  secrets: string[];
}

const TIMEOUT_MS = 300;

function telegram(): Harness {
  const fake = new FakeTelegram();
  return {
    name: 'telegram',
    start: async () => void (await fake.start()),
    stop: () => fake.stop(),
    make: (sleep) =>
      new TelegramTransport(
        new Api(fake.token, { apiRoot: fake.apiRoot(), timeoutSeconds: TIMEOUT_MS / 1000 }),
        new Set(['100']),
        { ...INLINE_RETRY, sleep },
      ),
    target: '100',
    payload: { method: 'sendMessage', params: { text: 'hello' } },
    script: (...answers) => {
      for (const a of answers) {
        if (a === 'ok') continue; // unscripted calls succeed; an 'ok' only ever comes last here
        if (a === 'hang') fake.fail('sendMessage', { hang: true });
        else if (a.status === 429)
          fake.fail('sendMessage', { code: 429, retryAfter: a.retryAfter ?? 0 });
        else fake.fail('sendMessage', { code: a.status, description: `Error ${a.status}` });
      }
    },
    requests: () => fake.calls.filter((c) => c.method === 'sendMessage').length,
    secrets: [fake.token, fake.token.split(':')[1]!],
  };
}

function webhook(): Harness {
  const receiver = new WebhookReceiver();
  const key = 'webhook-signing-key-Zq93jd0';
  const path = '/services/T0/B0/url-secret-Xk29f';
  return {
    name: 'webhook',
    start: () => receiver.start(),
    stop: () => receiver.stop(),
    make: (sleep) =>
      new WebhookTransport(
        new Map([['siem', { type: 'generic' as const, url: receiver.url(path), secret: key }]]),
        () => Date.now(),
        TIMEOUT_MS,
        { ...INLINE_RETRY, sleep },
      ),
    target: 'siem',
    payload: { text: 'hello' },
    script: (...answers) =>
      receiver.answer(
        ...answers.map((a) =>
          a === 'ok'
            ? { status: 200 }
            : a === 'hang'
              ? { hang: true as const }
              : {
                  status: a.status,
                  ...(a.retryAfter === undefined
                    ? {}
                    : { headers: { 'retry-after': String(a.retryAfter) } }),
                },
        ),
      ),
    requests: () => receiver.requests.length,
    secrets: [key, 'url-secret-Xk29f'],
  };
}

/** What every transport must come to for one script. */
interface Case {
  what: string;
  answers: Answer[];
  outcome: { ok: true } | { ok: false; permanent: boolean; retryAfterMs?: number };
  requests: number;
  waits: number[];
}

const CASES: Case[] = [
  { what: '200 is delivered', answers: ['ok'], outcome: { ok: true }, requests: 1, waits: [] },
  {
    what: '429 with a short Retry-After is waited for and tried once more',
    answers: [{ status: 429, retryAfter: 2 }, 'ok'],
    outcome: { ok: true },
    requests: 2,
    waits: [2000],
  },
  {
    what: '429 with a Retry-After over the cap is left to the outbox, with the wait it asked for',
    answers: [{ status: 429, retryAfter: 30 }],
    outcome: { ok: false, permanent: false, retryAfterMs: 30_000 },
    requests: 1,
    waits: [],
  },
  {
    what: '429 twice: tried once more only',
    answers: [
      { status: 429, retryAfter: 1 },
      { status: 429, retryAfter: 3 },
    ],
    outcome: { ok: false, permanent: false, retryAfterMs: 3000 },
    requests: 2,
    waits: [1000],
  },
  {
    what: '500 then 200 is delivered on the one retry',
    answers: [{ status: 500 }, 'ok'],
    outcome: { ok: true },
    requests: 2,
    waits: [INLINE_RETRY.waitMs],
  },
  {
    what: '500 twice is a transient failure after exactly two requests',
    answers: [{ status: 500 }, { status: 503 }],
    outcome: { ok: false, permanent: false },
    requests: 2,
    waits: [INLINE_RETRY.waitMs],
  },
  {
    what: '400 is permanent and never retried',
    answers: [{ status: 400 }],
    outcome: { ok: false, permanent: true },
    requests: 1,
    waits: [],
  },
  {
    what: '403 is permanent and never retried',
    answers: [{ status: 403 }],
    outcome: { ok: false, permanent: true },
    requests: 1,
    waits: [],
  },
  {
    what: 'no answer times out: transient, left to the outbox, not retried in the drain',
    answers: ['hang'],
    outcome: { ok: false, permanent: false },
    requests: 1,
    waits: [],
  },
];

/** The parts of an outcome the contract fixes (the error text is each channel's own). */
function shape(o: DeliveryOutcome): Case['outcome'] {
  if (o.ok) return { ok: true };
  return o.retryAfterMs === undefined
    ? { ok: false, permanent: o.permanent }
    : { ok: false, permanent: o.permanent, retryAfterMs: o.retryAfterMs };
}

for (const h of [telegram(), webhook()]) {
  describe(`notification transport contract: ${h.name}`, () => {
    const waits: number[] = [];
    let transport: Transport;
    let base = 0;
    before(() => h.start());
    after(() => h.stop());
    beforeEach(() => {
      waits.length = 0;
      transport = h.make((ms) => {
        waits.push(ms);
        return Promise.resolve();
      });
      base = h.requests();
    });

    for (const c of CASES) {
      it(c.what, async () => {
        h.script(...c.answers);
        const outcome = await transport.deliver(h.target, h.payload);
        assert.deepEqual(shape(outcome), c.outcome);
        assert.equal(h.requests() - base, c.requests, 'requests');
        assert.deepEqual(waits, c.waits, 'waits');
        if (!outcome.ok) {
          assert.ok(outcome.error.length > 0, 'a failure says what failed');
          for (const s of h.secrets) assert.ok(!outcome.error.includes(s), `"${s}" in the error`);
        }
      });
    }

    it('a target that is not configured is permanent, without a request', async () => {
      const outcome = await transport.deliver('no-such-target', h.payload);
      assert.deepEqual(shape(outcome), { ok: false, permanent: true });
      assert.equal(h.requests() - base, 0);
    });

    describe('through the outbox', () => {
      let dir: string;
      const logged = new PassThrough();
      let lines = '';
      logged.on('data', (c: Buffer) => (lines += c.toString('utf8')));
      afterEach(async () => {
        await rm(dir, { recursive: true, force: true });
      });

      it('no credential reaches a log line or the outbox, whatever fails', async () => {
        dir = await mkdtemp(join(tmpdir(), `sheriff-contract-${h.name}-`));
        const store = openStore(join(dir, 'o.db'));
        let now = 1_000_000;
        const worker = new DeliveryWorker({
          outbox: store.outbox,
          transports: [transport],
          retry: { min: 1000, max: 60_000, giveUpAfter: 3_600_000 },
          clock: () => now,
          logger: createLogger({ level: 'debug', format: 'json' }, logged),
        });
        try {
          h.script({ status: 500 }, { status: 502 }, 'hang', { status: 400 });
          store.outbox.enqueue(transport.channel, h.target, h.payload, now);
          await worker.drain(); // 500, 502: retried later
          now += 1000;
          await worker.drain(); // no answer: retried later
          now += 2000;
          await worker.drain(); // 400: given up
          assert.deepEqual(store.outbox.counts(), { queued: 0, delivered: 0, failed: 1 });
          assert.match(lines, /notification_retry/);
          assert.match(lines, /notification_rejected/);
          const errors = (
            store.db.prepare('SELECT last_error AS e FROM outbox').all() as { e: string }[]
          ).map((r) => r.e);
          for (const s of h.secrets) {
            assert.ok(!lines.includes(s), `"${s}" in a log line`);
            assert.ok(!errors.some((e) => e.includes(s)), `"${s}" in the outbox`);
          }
        } finally {
          await worker.stop();
          store.close();
        }
      });
    });
  });
}
