import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { ActionRequest } from '../domain.js';
import { Store } from '../store/index.js';
import { MIGRATIONS, migrate } from '../store/migrations.js';
import { T0 } from '../store/testing.js';
import {
  APPROVAL_ID_LENGTH,
  Approvals,
  authorizer,
  DEFAULT_APPROVAL_TTL_MS,
  macInput,
  newApprovalId,
  requesterOf,
  type Decider,
} from './approvals.js';
import { SecretKey } from './secret.js';

const MIN = 60_000;
const root = mkdtempSync(join(tmpdir(), 'sheriff-approvals-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `a${++n}`, 'sheriff.db');

const keyBytes = randomBytes(32);
const key = new SecretKey(keyBytes, 'test');
const root_: Decider = { channel: 'cli', identity: 'root' };
const alice: Decider = { channel: 'telegram', identity: '4242' };
const authorize = authorizer({ telegramUsers: ['4242'], cliUsers: ['ops'] });

function banRequest(over: Partial<ActionRequest> = {}): ActionRequest {
  return {
    action: 'ban',
    target: { cidr: '203.0.113.5/32', family: 4 },
    durationMs: 3_600_000,
    reason: 'sshd: 5 failures in 10m',
    requestedBy: 'jail:sshd',
    jail: 'sshd',
    evidence: { findings: [1], events: [1, 2, 3] },
    ...over,
  };
}

function setup(options: { ttlMs?: number } = {}) {
  const path = freshPath();
  const store = Store.open(path);
  const approvals = new Approvals(store.records, { key, authorize, ...options });
  return { path, store, approvals };
}

describe('Approvals', () => {
  it('request stores a pending approval with a MAC, expiring after 15 minutes, and audits it', async () => {
    const { store, approvals } = setup();
    try {
      const a = await approvals.request(banRequest(), T0);
      assert.equal(a.status, 'pending');
      assert.equal(a.expiresAt, T0 + DEFAULT_APPROVAL_TTL_MS);
      assert.equal(DEFAULT_APPROVAL_TTL_MS, 15 * MIN);
      assert.match(a.id, /^[A-Za-z0-9]{12}$/);
      assert.match(a.mac, /^[0-9a-f]{64}$/);
      assert.equal(a.mac, key.mac(macInput(a)));
      assert.equal(
        macInput(a),
        JSON.stringify([
          'sheriff-approval-v2',
          a.id,
          'ban',
          '203.0.113.5/32',
          4,
          3_600_000,
          'sshd: 5 failures in 10m',
          'jail:sshd',
          'sshd',
          [1],
          [1, 2, 3],
          T0,
          T0 + 15 * MIN,
          'pending',
          null,
          null,
          null,
          null,
        ]),
      );
      assert.ok(approvals.verify(a));
      assert.deepEqual(a.evidence, { findings: [1], events: [1, 2, 3] });
      assert.deepEqual(
        (await approvals.list({ status: 'pending' })).map((x) => x.id),
        [a.id],
      );
      const [entry] = store.audit.list();
      assert.equal(entry?.action, 'approval.request');
      assert.equal(entry?.actor, 'jail:sshd');
      assert.equal(entry?.target, '203.0.113.5/32');
      assert.equal(entry?.outcome, 'ok');
      assert.equal(entry?.detail.approval, a.id);
    } finally {
      store.close();
    }
  });

  it('rejects malformed requests', async () => {
    const { store, approvals } = setup();
    try {
      await assert.rejects(
        approvals.request(banRequest({ target: { cidr: '203.0.113.5', family: 4 } }), T0),
        TypeError,
      );
      await assert.rejects(
        approvals.request(banRequest({ target: { cidr: '2001:DB8::/64', family: 6 } }), T0),
        TypeError,
      );
      await assert.rejects(approvals.request(banRequest({ target: null }), T0), TypeError);
      await assert.rejects(approvals.request(banRequest({ durationMs: -1 }), T0), TypeError);
      await assert.rejects(
        approvals.request(banRequest({ action: 'isolate' }), T0),
        /takes no target/,
      );
      const iso = await approvals.request(
        banRequest({ action: 'isolate', target: null, durationMs: null }),
        T0,
      );
      assert.equal(iso.target, null);
      assert.ok(approvals.verify(iso));
    } finally {
      store.close();
    }
  });

  it('approve executes once', async () => {
    const { store, approvals } = setup();
    try {
      const a = await approvals.request(banRequest(), T0);
      const r = await approvals.decide(a.id, 'approve', root_, T0 + MIN);
      assert.ok(r.ok);
      assert.equal(r.approval.status, 'approved');
      assert.equal(r.approval.decidedBy, 'root');
      assert.equal(r.approval.channel, 'cli');
      assert.equal(r.approval.decidedAt, T0 + MIN);
      assert.deepEqual(r.approval.target, { cidr: '203.0.113.5/32', family: 4 });
      assert.equal(await approvals.markExecuted(a.id, T0 + MIN + 1), true);
      assert.equal(await approvals.markExecuted(a.id, T0 + MIN + 2), false);
      assert.equal((await approvals.get(a.id))?.executedAt, T0 + MIN + 1);
      const executes = store.audit.list().filter((e) => e.action === 'approval.execute');
      assert.deepEqual(
        executes.map((e) => e.outcome),
        ['refused', 'ok'],
      );
      assert.match(String(executes[0]?.detail.why), /already executed/);
    } finally {
      store.close();
    }
  });

  it('a second approve and a replayed deny are refused, saying who decided and when', async () => {
    const { store, approvals } = setup();
    try {
      const a = await approvals.request(banRequest(), T0);
      assert.ok((await approvals.decide(a.id, 'approve', alice, T0 + MIN)).ok);
      const when = new Date(T0 + MIN).toISOString();
      for (const [decision, who] of [
        ['approve', root_],
        ['deny', root_],
        ['deny', alice],
        ['approve', alice],
      ] as const) {
        const r = await approvals.decide(a.id, decision, who, T0 + 2 * MIN);
        assert.equal(r.ok, false);
        assert.ok(!r.ok);
        assert.equal(r.code, 'already-decided');
        assert.equal(
          r.reason,
          `approval ${a.id} was already approved by 4242 (telegram) at ${when}`,
        );
      }
      assert.equal((await approvals.get(a.id))?.decidedBy, '4242');

      const d = await approvals.request(
        banRequest({ target: { cidr: '198.51.100.7/32', family: 4 } }),
        T0,
      );
      assert.ok((await approvals.decide(d.id, 'deny', root_, T0 + MIN)).ok);
      const r = await approvals.decide(d.id, 'approve', alice, T0 + MIN + 1);
      assert.ok(!r.ok);
      assert.match(r.reason, /already denied by root \(cli\) at/);
      assert.equal(await approvals.markExecuted(d.id, T0 + 2 * MIN), false);
    } finally {
      store.close();
    }
  });

  it('an expired approval is refused and marked expired; expireDue expires the rest', async () => {
    const { store, approvals } = setup({ ttlMs: 10 * MIN });
    try {
      const a = await approvals.request(banRequest(), T0);
      const b = await approvals.request(
        banRequest({ target: { cidr: '198.51.100.7/32', family: 4 } }),
        T0,
      );
      const c = await approvals.request(
        banRequest({ target: { cidr: '198.51.100.8/32', family: 4 } }),
        T0 + 5 * MIN,
      );
      const r = await approvals.decide(a.id, 'approve', root_, T0 + 10 * MIN);
      assert.ok(!r.ok);
      assert.equal(r.code, 'expired');
      assert.match(r.reason, /expired at/);
      assert.equal((await approvals.get(a.id))?.status, 'expired');
      const again = await approvals.decide(a.id, 'approve', root_, T0 + 10 * MIN);
      assert.ok(!again.ok);
      assert.equal(again.code, 'already-decided');
      assert.match(again.reason, /already expired/);

      assert.deepEqual(
        (await approvals.expireDue(T0 + 11 * MIN)).map((x) => x.id),
        [b.id],
      );
      assert.equal((await approvals.get(c.id))?.status, 'pending');
      assert.deepEqual(await approvals.expireDue(T0 + 11 * MIN), []);
      const expiries = store.audit.list().filter((e) => e.action === 'approval.expire');
      assert.deepEqual(
        expiries.map((e) => [e.detail.approval, e.actor]),
        [[b.id, 'system']],
      );
    } finally {
      store.close();
    }
  });

  for (const [column, value] of [
    ['cidr', '198.51.100.0/24'],
    ['duration_ms', null],
    ['duration_ms', 36_000_000],
    ['expires_at', T0 + 10_000 * MIN],
    ['requested_by', 'admin:cli:root'],
    ['action', 'unban'],
    ['mac', '0'.repeat(64)],
  ] as const) {
    it(`a row tampered in SQLite (${column} = ${String(value)}) is refused and shown tampered`, async () => {
      const { path, store, approvals } = setup();
      try {
        const a = await approvals.request(banRequest(), T0);
        const raw = new BetterSqlite3(path);
        raw.prepare(`UPDATE approvals SET ${column} = ? WHERE id = ?`).run(value, a.id);
        raw.close();
        const r = await approvals.decide(a.id, 'approve', root_, T0 + MIN);
        assert.ok(!r.ok);
        assert.equal(r.code, 'tampered');
        assert.match(r.reason, /does not match its MAC/);
        assert.equal((await approvals.get(a.id))?.tampered, true);
        assert.equal(await approvals.markExecuted(a.id, T0 + MIN), false);
        assert.ok(!(await approvals.decide(a.id, 'approve', root_, T0 + MIN)).ok);
      } finally {
        store.close();
      }
    });
  }

  it('a status forged to approved in SQLite cannot be executed with another cidr', async () => {
    const { path, store, approvals } = setup();
    try {
      const a = await approvals.request(banRequest(), T0);
      assert.ok((await approvals.decide(a.id, 'approve', root_, T0 + MIN)).ok);
      const raw = new BetterSqlite3(path);
      raw.prepare("UPDATE approvals SET cidr = '198.51.100.0/24' WHERE id = ?").run(a.id);
      raw.close();
      assert.equal(await approvals.markExecuted(a.id, T0 + MIN), false);
    } finally {
      store.close();
    }
  });

  it('an unauthorised identity, or a channel that is not human, is refused', async () => {
    const { store, approvals } = setup();
    try {
      const a = await approvals.request(banRequest(), T0);
      const cases: [Decider, string][] = [
        [{ channel: 'cli', identity: 'mallory' }, 'unauthorised'],
        [{ channel: 'telegram', identity: '666' }, 'unauthorised'],
        [{ channel: 'telegram', identity: 'root' }, 'unauthorised'],
        [{ channel: 'web', identity: 'root' }, 'unauthorised'],
        [{ channel: 'cli', identity: '' }, 'unauthorised'],
        // What an agent would have to do: not a valid HumanChannel for the compiler either.
        [{ channel: 'agent' as never, identity: 'root' }, 'not-human'],
      ];
      for (const [who, code] of cases) {
        const r = await approvals.decide(a.id, 'approve', who, T0 + MIN);
        assert.ok(!r.ok);
        assert.equal(r.code, code, JSON.stringify(who));
      }
      assert.equal((await approvals.get(a.id))?.status, 'pending');
      assert.ok(
        (await approvals.decide(a.id, 'approve', { channel: 'cli', identity: 'ops' }, T0 + MIN)).ok,
      );

      const throwing = new Approvals(store.records, {
        key,
        authorize: () => {
          throw new Error('directory down');
        },
      });
      const b = await throwing.request(banRequest(), T0);
      const r = await throwing.decide(b.id, 'approve', root_, T0 + MIN);
      assert.ok(!r.ok);
      assert.equal(r.code, 'unauthorised');
    } finally {
      store.close();
    }
  });

  it('unknown and malformed ids are refused', async () => {
    const { store, approvals } = setup();
    try {
      for (const id of ['AAAAAAAAAAAA', "x' OR 1=1 --", '', 'a'.repeat(17)]) {
        const r = await approvals.decide(id, 'approve', root_, T0);
        assert.ok(!r.ok);
        assert.equal(r.code, 'unknown');
      }
    } finally {
      store.close();
    }
  });

  it('every outcome is audited, refusals with why', async () => {
    const { path, store, approvals } = setup();
    try {
      const a = await approvals.request(banRequest(), T0); // request
      await approvals.decide('nosuchid', 'approve', root_, T0 + 1); // unknown
      await approvals.decide(a.id, 'approve', { channel: 'cli', identity: 'mallory' }, T0 + 2); // unauthorised
      await approvals.decide(a.id, 'deny', { channel: 'agent' as never, identity: 'x' }, T0 + 3); // not human
      await approvals.decide(a.id, 'approve', root_, T0 + 4); // ok
      await approvals.decide(a.id, 'deny', alice, T0 + 5); // already decided
      const e = await approvals.request(banRequest(), T0);
      await approvals.decide(e.id, 'approve', root_, T0 + DEFAULT_APPROVAL_TTL_MS); // expired
      const t = await approvals.request(banRequest(), T0);
      const raw = new BetterSqlite3(path);
      raw.prepare("UPDATE approvals SET cidr = '203.0.113.0/24' WHERE id = ?").run(t.id);
      raw.close();
      await approvals.decide(t.id, 'approve', root_, T0 + 6); // tampered
      await approvals.markExecuted(a.id, T0 + 7); // execute

      const log = store.audit
        .list()
        .sort((x, y) => x.id - y.id)
        .map((x) => [x.action, x.actor, x.channel, x.outcome, x.detail.code ?? null]);
      assert.deepEqual(log, [
        ['approval.request', 'jail:sshd', null, 'ok', null],
        ['approval.approve', 'root', 'cli', 'refused', 'unknown'],
        ['approval.approve', 'mallory', 'cli', 'refused', 'unauthorised'],
        ['approval.deny', 'x', 'agent', 'refused', 'not-human'],
        ['approval.approve', 'root', 'cli', 'ok', null],
        ['approval.deny', '4242', 'telegram', 'refused', 'already-decided'],
        ['approval.request', 'jail:sshd', null, 'ok', null],
        ['approval.approve', 'root', 'cli', 'refused', 'expired'],
        ['approval.request', 'jail:sshd', null, 'ok', null],
        ['approval.tampered', 'system', null, 'refused', null],
        ['approval.approve', 'root', 'cli', 'refused', 'tampered'],
        ['approval.execute', 'system', null, 'ok', null],
      ]);
      for (const x of store.audit.list()) {
        if (x.outcome === 'refused')
          assert.ok(typeof x.detail.why === 'string' && x.detail.why !== '');
      }
    } finally {
      store.close();
    }
  });

  it('refuse() stops an approved action before execution, and audits why', async () => {
    const { store, approvals } = setup();
    try {
      const a = await approvals.request(banRequest(), T0);
      assert.ok((await approvals.decide(a.id, 'approve', root_, T0 + 1)).ok);
      assert.equal(await approvals.refuse(a.id, 'live session from 203.0.113.5', T0 + 2), true);
      assert.equal((await approvals.get(a.id))?.status, 'refused');
      assert.equal((await approvals.get(a.id))?.decidedBy, 'root');
      assert.equal(await approvals.markExecuted(a.id, T0 + 3), false);
      assert.equal(await approvals.refuse(a.id, 'again', T0 + 4), false);
      const p = await approvals.request(banRequest(), T0);
      assert.equal(await approvals.refuse(p.id, 'trusted network', T0 + 5), true);
      assert.equal((await approvals.get(p.id))?.status, 'refused');
      assert.equal(store.audit.list().filter((x) => x.action === 'approval.refuse').length, 2);
    } finally {
      store.close();
    }
  });

  it('the audit table refuses UPDATE and DELETE', async () => {
    const { path, store, approvals } = setup();
    try {
      await approvals.request(banRequest(), T0);
      assert.throws(
        () => store.db.prepare("UPDATE audit SET outcome = 'refused'").run(),
        /append-only/,
      );
      assert.throws(() => store.db.prepare('DELETE FROM audit').run(), /append-only/);
      const raw = new BetterSqlite3(path);
      assert.throws(
        () => raw.prepare("UPDATE audit SET actor = 'x' WHERE id = 1").run(),
        /append-only/,
      );
      assert.throws(() => raw.prepare('DELETE FROM audit WHERE id = 1').run(), /append-only/);
      raw.close();
      assert.equal(store.audit.list().length, 1);
    } finally {
      store.close();
    }
  });

  it('ids fit Telegram callback data (64 bytes) as a:<id>', async () => {
    const { store, approvals } = setup();
    try {
      const seen = new Set<string>();
      for (let i = 0; i < 2000; i++) {
        const id = newApprovalId();
        assert.match(id, /^[A-Za-z0-9]{1,16}$/);
        assert.equal(id.length, APPROVAL_ID_LENGTH);
        assert.ok(Buffer.byteLength(`a:${id}`, 'utf8') <= 64);
        seen.add(id);
      }
      assert.equal(seen.size, 2000);
      const a = await approvals.request(banRequest(), T0);
      assert.ok(Buffer.byteLength(`a:${a.id}`, 'utf8') <= 64);
      await assert.rejects(
        new Approvals(store.records, { key, authorize, newId: () => 'x'.repeat(17) }).request(
          banRequest(),
          T0,
        ),
        /invalid approval id/,
      );
    } finally {
      store.close();
    }
  });

  it('the agent gets a requester without decide', async () => {
    const { store, approvals } = setup();
    try {
      const agent = requesterOf(approvals);
      assert.deepEqual(Object.keys(agent), ['request']);
      assert.equal((agent as unknown as { decide?: unknown }).decide, undefined);
      const a = await agent.request(banRequest({ requestedBy: 'agent' }), T0);
      assert.equal(a.requestedBy, 'agent');
      assert.equal((await approvals.get(a.id))?.status, 'pending');
    } finally {
      store.close();
    }
  });

  it('two Store handles on the same file deciding the same id: exactly one wins', async () => {
    const { path, store, approvals } = setup();
    const other = Store.open(path);
    try {
      const a = await approvals.request(banRequest(), T0);
      const second = new Approvals(other.records, { key, authorize });
      const r1 = await second.decide(a.id, 'deny', alice, T0 + 1);
      const r2 = await approvals.decide(a.id, 'approve', root_, T0 + 2);
      assert.ok(r1.ok);
      assert.ok(!r2.ok);
      assert.equal(r2.code, 'already-decided');
      assert.match(r2.reason, /already denied by 4242/);
      // The atomic guard itself: a stale read (its MAC since replaced) still cannot win.
      const b = await approvals.request(banRequest(), T0);
      const change = (status: 'approved' | 'denied', mac: string) => ({
        status,
        decidedAt: T0 + 3,
        decidedBy: 'root',
        channel: 'cli' as const,
        executedAt: null,
        mac,
      });
      assert.equal(store.approvals.change(b.id, b.mac, change('approved', 'f'.repeat(64))), true);
      assert.equal(other.approvals.change(b.id, b.mac, change('denied', 'e'.repeat(64))), false);
      assert.equal(store.approvals.get(b.id)?.status, 'approved');
    } finally {
      other.close();
      store.close();
    }
  });

  it('racing deciders in parallel threads, each with its own Store handle: exactly one wins', async () => {
    const { path, store, approvals } = setup();
    const a = await approvals.request(banRequest(), T0);
    store.close();
    const N = 6;
    const barrier = new SharedArrayBuffer(4);
    const flag = new Int32Array(barrier);
    const workerCode = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        const { Store } = await import(workerData.storeUrl);
        const { Approvals } = await import(workerData.approvalsUrl);
        const { SecretKey } = await import(workerData.secretUrl);
        const store = Store.open(workerData.path);
        const approvals = new Approvals(store.records, {
          key: new SecretKey(Buffer.from(workerData.key, 'hex'), 'test'),
          authorize: () => true,
        });
        const flag = new Int32Array(workerData.barrier);
        parentPort.postMessage('ready');
        Atomics.wait(flag, 0, 0);
        const r = await approvals.decide(workerData.id, workerData.decision,
          { channel: 'cli', identity: workerData.who }, workerData.now);
        store.close();
        parentPort.postMessage({ ok: r.ok, code: r.ok ? null : r.code, who: workerData.who });
      })().catch((err) => parentPort.postMessage({ error: String(err && err.stack || err) }));
    `;
    const results: Promise<{ ok: boolean; code: string | null; who: string; error?: string }>[] =
      [];
    const ready: Promise<void>[] = [];
    const workers: Worker[] = [];
    for (let i = 0; i < N; i++) {
      const w = new Worker(workerCode, {
        eval: true,
        workerData: {
          storeUrl: new URL('../store/index.js', import.meta.url).href,
          approvalsUrl: new URL('./approvals.js', import.meta.url).href,
          secretUrl: new URL('./secret.js', import.meta.url).href,
          path,
          key: keyBytes.toString('hex'),
          barrier,
          id: a.id,
          decision: i % 2 === 0 ? 'approve' : 'deny',
          who: `user${i}`,
          now: T0 + MIN,
        },
      });
      workers.push(w);
      let onReady!: () => void;
      ready.push(new Promise<void>((r) => (onReady = r)));
      results.push(
        new Promise((resolve, reject) => {
          w.on('message', (m: unknown) => {
            if (m === 'ready') onReady();
            else resolve(m as { ok: boolean; code: string | null; who: string });
          });
          w.on('error', reject);
        }),
      );
    }
    await Promise.all(ready);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const outcomes = await Promise.all(results);
    await Promise.all(workers.map((w) => w.terminate()));
    for (const o of outcomes) assert.equal(o.error, undefined, o.error);
    const winners = outcomes.filter((o) => o.ok);
    assert.equal(winners.length, 1, JSON.stringify(outcomes));
    assert.ok(outcomes.filter((o) => !o.ok).every((o) => o.code === 'already-decided'));
    const check = Store.open(path);
    try {
      assert.equal(check.approvals.get(a.id)?.decidedBy, winners[0]?.who);
      const decisions = check.audit
        .list()
        .filter((e) => e.action === 'approval.approve' || e.action === 'approval.deny');
      assert.equal(decisions.length, N);
      assert.equal(decisions.filter((e) => e.outcome === 'ok').length, 1);
    } finally {
      check.close();
    }
  });
});

describe('authorizer', () => {
  it('allows root and the listed users on the CLI, only listed ids elsewhere', () => {
    const auth = authorizer({ cliUsers: ['ops'], telegramUsers: ['4242'], webUsers: ['admin'] });
    assert.equal(auth('cli', 'root'), true);
    assert.equal(auth('cli', 'ops'), true);
    assert.equal(auth('cli', 'nobody'), false);
    assert.equal(auth('telegram', '4242'), true);
    assert.equal(auth('telegram', 'root'), false);
    assert.equal(auth('web', 'admin'), true);
    assert.equal(auth('web', 'root'), false);
    const none = authorizer();
    assert.equal(none('cli', 'root'), true);
    assert.equal(none('telegram', '4242'), false);
    assert.equal(none('agent' as never, 'root'), false);
  });
});

describe('approvals signed before decisions were (schema 3 → 4)', () => {
  /** The MAC an older Sheriff wrote: only these fields, no reason, no decision. */
  const v1Mac = (a: {
    id: string;
    action: string;
    cidr: string | null;
    durationMs: number | null;
    expiresAt: number;
    requestedBy: string;
  }) =>
    key.mac(
      JSON.stringify([
        'sheriff-approval-v1',
        a.id,
        a.action,
        a.cidr,
        a.durationMs,
        a.expiresAt,
        a.requestedBy,
      ]),
    );

  it('re-signs only rows whose old MAC verifies; an approved one never run is expired, not run', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    const old = new BetterSqlite3(path);
    migrate(old, MIGRATIONS.slice(0, 3));
    const insert = old.prepare(
      `INSERT INTO approvals (id, action, cidr, family, duration_ms, reason, requested_by, jail,
         evidence, created_at, expires_at, mac, status, decided_at, decided_by, channel, executed_at)
       VALUES (?, 'ban', ?, 4, 3600000, 'sshd: 5 failures', 'jail:sshd', 'sshd',
         '{"findings":[1],"events":[]}', ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const row = (
      id: string,
      cidr: string,
      expiresAt: number,
      status: string,
      decided: [number, string, string] | null,
      executedAt: number | null,
      mac?: string,
    ) =>
      insert.run(
        id,
        cidr,
        T0,
        expiresAt,
        mac ??
          v1Mac({
            id,
            action: 'ban',
            cidr,
            durationMs: 3_600_000,
            expiresAt,
            requestedBy: 'jail:sshd',
          }),
        status,
        ...(decided ?? [null, null, null]),
        executedAt,
      );
    const later = T0 + 15 * MIN;
    row('Pending1', '203.0.113.1/32', later, 'pending', null, null);
    row('Lapsed1', '203.0.113.2/32', T0 + MIN, 'pending', null, null);
    // Approved but never run: the decision was never signed, so it could be a forgery.
    row('Approved1', '203.0.113.3/32', later, 'approved', [T0 + 1, 'root', 'cli'], null);
    row('Executed1', '203.0.113.4/32', later, 'approved', [T0 + 1, 'root', 'cli'], T0 + 2);
    row('Denied1', '203.0.113.5/32', later, 'denied', [T0 + 1, '4242', 'telegram'], null);
    // Changed in the database before the upgrade: the old MAC was of another address.
    row(
      'Forged1',
      '198.51.100.0/24',
      later,
      'pending',
      null,
      null,
      v1Mac({
        id: 'Forged1',
        action: 'ban',
        cidr: '198.51.100.7/32',
        durationMs: 3_600_000,
        expiresAt: later,
        requestedBy: 'jail:sshd',
      }),
    );
    old.close();

    const store = Store.open(path); // migrates to 4: every old MAC is marked "v1:"
    try {
      const approvals = new Approvals(store.records, { key, authorize });
      for (const a of store.approvals.list()) assert.ok(a.mac.startsWith('v1:'), a.id);
      assert.ok(
        (await approvals.list({})).every((a) => a.tampered),
        'none verifies before',
      );
      assert.equal(await approvals.upgradeLegacy(T0 + 5 * MIN), 5);
      assert.equal(await approvals.upgradeLegacy(T0 + 5 * MIN), 0, 'once');

      const shown = new Map((await approvals.list({})).map((a) => [a.id, a]));
      const state = (id: string) => [shown.get(id)?.status, shown.get(id)?.tampered];
      assert.deepEqual(state('Pending1'), ['pending', false]);
      assert.deepEqual(state('Lapsed1'), ['expired', false]);
      assert.deepEqual(state('Approved1'), ['expired', false]);
      assert.deepEqual(state('Executed1'), ['approved', false]);
      assert.deepEqual(state('Denied1'), ['denied', false]);
      assert.deepEqual(state('Forged1'), ['pending', true]);
      assert.deepEqual(await approvals.executable(T0 + 5 * MIN), [], 'nothing old is run');
      assert.equal(await approvals.markExecuted('Approved1', T0 + 5 * MIN), false);
      assert.ok(!(await approvals.decide('Forged1', 'approve', root_, T0 + 5 * MIN)).ok);
      assert.ok((await approvals.decide('Pending1', 'approve', root_, T0 + 5 * MIN)).ok);
      assert.equal(await approvals.markExecuted('Pending1', T0 + 5 * MIN), true);

      const upgrades = store.audit.list().filter((e) => e.action === 'approval.upgrade');
      assert.equal(upgrades.length, 5);
      const approved = upgrades.find((e) => e.detail.approval === 'Approved1');
      assert.equal(approved?.detail.now, 'expired');
      assert.match(String(approved?.detail.why), /never carried out/);
    } finally {
      store.close();
    }
  });
});
