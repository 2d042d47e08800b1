/**
 * The responder on a real SQLite store with the dry-run firewall (a real
 * backend that only records), an injected clock and no live sessions.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../domain.js';
import { trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import { openStore, type Store } from '../store/index.js';
import { T0 } from '../store/testing.js';
import { Approvals, authorizer } from './approvals.js';
import { CircuitBreaker } from './breaker.js';
import { DryRunFirewall } from './firewall/dry-run.js';
import type { FirewallEntry } from './firewall/firewall.js';
import { Guardrails } from './guardrails.js';
import { translator } from '../i18n/index.js';
import type { RecidiveSettings } from './recidive.js';
import { reasonText } from './reasons.js';
import { Responder, type Policy, type ResponseAlert } from './responder.js';
import { parseSecret } from './secret.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-responder-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const finding = (ip: string, over: Partial<Finding> = {}): Finding => ({
  kind: 'bruteforce',
  jail: 'sshd',
  scope: 'address',
  ip,
  count: 5,
  first: T0,
  last: T0,
  users: ['root'],
  ...over,
});

/** A backend that fails while `broken` is set, otherwise the dry-run one. */
class Flaky extends DryRunFirewall {
  broken = false;
  override ban(entries: readonly FirewallEntry[]): Promise<void> {
    if (this.broken) return Promise.reject(new Error('nft: Operation not permitted'));
    return super.ban(entries);
  }
}

/** A backend that confirms its bans, yet the traffic still arrives (a rule on the wrong hook, say). */
class Leaky extends Flaky {
  override readonly id = 'nftables';
}

const MIN = 60_000;
let n = 0;
function setup(
  policy: Policy,
  maxPerMinute = 30,
  Backend: typeof Flaky = Flaky,
  store?: Store,
  findtime?: number,
  recidive?: RecidiveSettings,
) {
  let now = T0;
  const path = join(dir, `r${n++}.db`);
  store ??= openStore(path);
  const alerts: ResponseAlert[] = [];
  const firewall = new Backend({ log: () => {}, now: () => now });
  const approvals = new Approvals(store.records, {
    key: parseSecret('a'.repeat(64), 'test'),
    authorize: authorizer({ cliUsers: ['admin'] }),
  });
  const clock = () => now;
  /** A responder on this store, firewall and clock; another call is the daemon restarted. */
  const start = (alerts: ResponseAlert[]) =>
    new Responder({
      store: store.records,
      approvals,
      guardrails: new Guardrails({
        trusted: trustedNetworks(),
        sessions: { sessions: () => Promise.resolve([]) },
        breaker: new CircuitBreaker({ maxPerMinute, clock }),
      }),
      firewall,
      jails: new Map([
        ['sshd', { policy, bantime: 600_000, ...(findtime === undefined ? {} : { findtime }) }],
        ['postfix', { policy, bantime: 600_000 }],
      ]),
      settings: {
        increment: { factor: 2, max: 86_400_000 },
        killConnections: false,
        admins: [],
        managementPorts: [22],
        isolateRevertAfter: 60_000,
        ...(recidive === undefined ? {} : { recidive }),
      },
      clock,
      logger: createLogger({ level: 'silent', format: 'json' }),
      alert: (a) => alerts.push(a),
    });
  const responder = start(alerts);
  return {
    path,
    store,
    alerts,
    firewall,
    approvals,
    responder,
    advance: (ms: number) => (now += ms),
    now: clock,
    restart: () => {
      const restartedAlerts: ResponseAlert[] = [];
      return { responder: start(restartedAlerts), alerts: restartedAlerts };
    },
  };
}

describe('Responder', () => {
  it('notify: alerts only, asks nothing and bans nothing', async () => {
    const r = setup('notify');
    r.responder.onFinding(finding('203.0.113.5'), null);
    await r.responder.tick();
    assert.deepEqual(
      [r.alerts, await r.firewall.list(), await r.approvals.list({ status: 'pending' })],
      [[], [], []],
    );
  });

  it('approve: asks once, bans only after the decision, for the bantime, and lets it expire', async () => {
    const r = setup('approve');
    r.responder.onFinding(finding('203.0.113.5', { count: 7 }), null);
    r.responder.onFinding(finding('203.0.113.5', { count: 9 }), null); // same target: no second request
    await r.responder.settled();
    const [pending, ...more] = await r.approvals.list({ status: 'pending' });
    assert.deepEqual(more, []);
    assert.deepEqual(
      [pending!.target?.cidr, pending!.durationMs, pending!.reason],
      ['203.0.113.5/32', 600_000, 'bruteforce: 7 failures'],
    );
    await r.responder.tick();
    assert.deepEqual(await r.firewall.list(), []);
    assert.equal(
      (await r.approvals.decide(pending!.id, 'approve', { channel: 'cli', identity: 'admin' }, T0))
        .ok,
      true,
    );
    await r.responder.tick();
    assert.deepEqual(
      (await r.firewall.list()).map((e) => [e.target.cidr, e.expiresAt]),
      [['203.0.113.5/32', T0 + 600_000]],
    );
    r.advance(600_001);
    await r.responder.tick();
    assert.deepEqual(await r.firewall.list(), []);
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['approval', 'banned', 'unbanned'],
    );
  });

  it('approve: asks once per target however many approvals are pending', async () => {
    const r = setup('approve');
    const ips = Array.from({ length: 120 }, (_, i) => `198.51.100.${i}`);
    for (const ip of ips) {
      r.responder.onFinding(finding(ip), null);
      r.advance(1000);
    }
    const pending = async () => {
      await r.responder.settled();
      return (await r.approvals.list({ status: 'pending', limit: 1000 })).length;
    };
    assert.equal(await pending(), 120);
    // The oldest request, asked again before and after a tick: no second request.
    r.responder.onFinding(finding(ips[0]!), null);
    await r.responder.tick();
    r.responder.onFinding(finding(ips[0]!), null);
    assert.equal(await pending(), 120);
  });

  it('auto: bans at once, twice as long the second time, never a trusted address', async () => {
    const r = setup('auto');
    r.responder.onFinding(finding('10.0.0.5'), null);
    r.responder.onFinding(finding('198.51.100.7'), null);
    await r.responder.tick();
    assert.deepEqual(
      (await r.firewall.list()).map((e) => e.target.cidr),
      ['198.51.100.7/32'],
    );
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['refused', 'banned'],
    );
    r.advance(600_001);
    await r.responder.tick();
    r.responder.onFinding(finding('198.51.100.7'), null);
    await r.responder.tick();
    const [again] = r.store.bans.active(T0 + 600_001);
    assert.deepEqual([again!.offence, again!.expiresAt! - again!.createdAt], [1, 1_200_000]);
  });

  for (const policy of ['approve', 'auto'] as const)
    it(`${policy}: an internal finding (lateral movement) is never put to approval nor banned`, async () => {
      const r = setup(policy);
      for (const kind of ['internal-compromise', 'internal-bruteforce'] as const)
        r.responder.onFinding(finding('10.0.0.5', { kind }), null);
      await r.responder.tick();
      assert.deepEqual(
        [r.alerts, await r.firewall.list(), await r.approvals.list({ status: 'pending' })],
        [[], [], []],
      );
    });

  it('approve: a long-horizon finding asks like any other', async () => {
    const r = setup('approve');
    r.responder.onFinding(finding('203.0.113.9', { kind: 'persistent', count: 36 }), null);
    r.responder.onFinding(finding('203.0.113.10', { kind: 'stuffing', count: 30 }), null);
    await r.responder.settled();
    assert.deepEqual(
      (await r.approvals.list({ status: 'pending' }))
        .map((a) => [a.target?.cidr, a.reason])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      [
        ['203.0.113.9/32', 'persistent: 36 failures'],
        ['203.0.113.10/32', 'stuffing: 30 failures'],
      ],
    );
  });

  it('auto: never bans a special-purpose address, nor the NAT64 form of loopback or all of IPv4', async () => {
    const r = setup('auto');
    for (const ip of [
      '255.255.255.255',
      '224.0.0.1',
      '240.0.0.1',
      '0.0.0.1',
      '::7f00:1',
      '64:ff9b::7f00:1',
    ])
      r.responder.onFinding(finding(ip), null);
    r.responder.onFinding(finding('64:ff9b::/64', { scope: 'prefix' }), null);
    r.responder.onFinding(finding('198.51.100.7'), null);
    await r.responder.tick();
    assert.deepEqual(
      (await r.firewall.list()).map((e) => e.target.cidr),
      ['198.51.100.7/32'],
    );
    assert.equal(r.alerts.filter((a) => a.type === 'refused').length, 7);
  });

  it('approve: an approved ban the guardrails refuse is marked refused, not left approved', async () => {
    const r = setup('approve');
    r.responder.onFinding(finding('224.0.0.1'), null);
    await r.responder.settled();
    const [pending] = await r.approvals.list({ status: 'pending' });
    await r.approvals.decide(pending!.id, 'approve', { channel: 'cli', identity: 'admin' }, T0);
    await r.responder.tick();
    assert.deepEqual(await r.firewall.list(), []);
    assert.equal((await r.approvals.get(pending!.id))?.status, 'refused');
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['approval', 'refused'],
    );
    const audit = r.store.audit.list({ limit: 10 }).map((e) => [e.action, e.outcome]);
    assert.ok(audit.some(([a, o]) => a === 'approval.refuse' && o === 'refused'));
    await r.responder.tick(); // and it is never tried again
    assert.equal(r.alerts.length, 2);
  });

  it('never marks a ban active that the backend did not confirm, and retries it', async () => {
    const r = setup('auto');
    r.firewall.broken = true;
    r.responder.onFinding(finding('198.51.100.8'), null);
    await r.responder.tick();
    assert.deepEqual(r.store.bans.active(T0), []);
    assert.equal(r.store.bans.pending().length, 1);
    assert.ok(r.alerts.some((a) => a.type === 'ban-failed'));
    r.firewall.broken = false;
    await r.responder.tick();
    assert.deepEqual(
      r.store.bans.active(T0).map((b) => b.target.cidr),
      ['198.51.100.8/32'],
    );
  });

  it('the circuit breaker stops automatic bans beyond its rate', async () => {
    const r = setup('auto', 2);
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      r.responder.onFinding(finding(ip), null);
    await r.responder.tick();
    assert.equal((await r.firewall.list()).length, 2);
    const refusals = r.store.audit.list({}).filter((e) => e.action === 'ban.refuse');
    assert.equal(refusals.length, 1);
    assert.match(JSON.stringify(refusals[0]!.detail), /breaker|too many|circuit/i);
  });

  it('warns once that a ban is not effective when failures keep arriving after it', async () => {
    const r = setup('auto', 30, Leaky);
    r.responder.onFinding(finding('198.51.100.9'), null);
    await r.responder.tick();
    r.responder.onFailure('198.51.100.9', T0 + 1000); // in flight when the rule went in
    r.responder.onFailure('198.51.100.9', T0 + 1500);
    r.responder.onFailure('198.51.100.10', T0 + 5000); // not banned
    await r.responder.settled();
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['banned'],
    );
    for (const at of [5000, 6000, 7000]) r.responder.onFailure('198.51.100.9', T0 + at);
    await r.responder.settled();
    const warnings = r.alerts.filter((a) => a.type === 'not-effective');
    assert.deepEqual(
      warnings.map((a) => [a.ban.target.cidr, a.failures]),
      [['198.51.100.9/32', 2]],
    );
  });

  it('expects failures after a dry-run ban: it blocks nothing by design', async () => {
    const r = setup('auto');
    r.responder.onFinding(finding('198.51.100.11'), null);
    await r.responder.tick();
    for (const at of [5000, 6000, 7000]) r.responder.onFailure('198.51.100.11', T0 + at);
    await r.responder.settled();
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['banned'],
    );
  });

  it('records which firewall holds each ban: a dry-run ban is said to be not enforced', async () => {
    const dry = setup('auto');
    dry.responder.onFinding(finding('198.51.100.12'), null);
    await dry.responder.tick();
    const [alert] = dry.alerts;
    assert.equal(alert?.type, 'banned');
    const ban = alert.ban;
    assert.deepEqual([ban.firewall, ban.enforced], ['dry-run', false]);
    assert.deepEqual(
      dry.store.bans.active(T0 + 1).map((b) => [b.firewall, b.enforced]),
      [['dry-run', false]],
    );

    const real = setup('auto', 30, Leaky);
    real.responder.onFinding(finding('198.51.100.13'), null);
    await real.responder.tick();
    const [realBan] = real.alerts as Extract<ResponseAlert, { type: 'banned' }>[];
    assert.deepEqual([realBan?.ban.firewall, realBan?.ban.enforced], ['nftables', true]);
    // The same store under a daemon now in dry-run: its reconciliation says so for every ban.
    await setup('auto', 30, Flaky, real.store).responder.reconcile();
    assert.deepEqual(
      real.store.bans.active(T0 + 1).map((b) => [b.firewall, b.enforced]),
      [['dry-run', false]],
    );
  });

  it('an expired request is announced, and asked again on the next failure of that address', async () => {
    const r = setup('approve');
    r.responder.onFinding(finding('203.0.113.5'), 7);
    await r.responder.settled();
    const [first] = await r.approvals.list({ status: 'pending' });
    r.advance(15 * MIN + 1);
    await r.responder.tick();
    const expired = r.alerts.filter((a) => a.type === 'approval-expired');
    assert.deepEqual(
      expired.map((a) => a.approval.id),
      [first!.id],
      'the expiry is announced, once',
    );
    await r.responder.tick();
    assert.equal(r.alerts.filter((a) => a.type === 'approval-expired').length, 1);

    // Detection reports an episode once: the attacker keeps failing, no new finding comes.
    r.responder.onFailure('198.51.100.1', r.now()); // another address: nothing lapsed there
    r.responder.onFailure('203.0.113.5', r.now());
    r.responder.onFailure('203.0.113.5', r.now());
    await r.responder.settled();
    const again = await r.approvals.list({ status: 'pending' });
    assert.equal(again.length, 1, 'one new request, not one per failure');
    assert.deepEqual(
      [again[0]!.target?.cidr, again[0]!.requestedBy, again[0]!.jail, again[0]!.evidence.findings],
      ['203.0.113.5/32', 'jail:sshd', 'sshd', [7]],
    );
    assert.equal(again[0]!.reason, `still failing after approval ${first!.id} expired`);
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['approval', 'approval-expired', 'approval'],
    );
  });

  it('a deny (from another process) holds for the approval timeout, then a failure asks again', async () => {
    const r = setup('approve');
    r.responder.onFinding(finding('203.0.113.6'), null);
    await r.responder.settled();
    const [first] = await r.approvals.list({ status: 'pending' });
    const cli = openStore(r.path);
    try {
      const elsewhere = new Approvals(cli.records, {
        key: parseSecret('a'.repeat(64), 'test'),
        authorize: authorizer({ cliUsers: ['admin'] }),
      });
      r.advance(MIN);
      assert.ok(
        (await elsewhere.decide(first!.id, 'deny', { channel: 'cli', identity: 'admin' }, r.now()))
          .ok,
      );
    } finally {
      cli.close();
    }
    await r.responder.tick();
    assert.ok(!r.alerts.some((a) => a.type === 'approval-expired'), 'a deny is no expiry');
    r.advance(5 * MIN);
    r.responder.onFailure('203.0.113.6', r.now());
    r.responder.onFinding(finding('203.0.113.6'), null); // a new episode, within the hold
    await r.responder.settled();
    assert.equal((await r.approvals.list({ status: 'pending' })).length, 0, 'the deny holds');
    r.advance(10 * MIN); // 15 minutes after the deny
    r.responder.onFailure('203.0.113.6', r.now());
    await r.responder.settled();
    const [again, ...more] = await r.approvals.list({ status: 'pending' });
    assert.deepEqual(more, []);
    assert.equal(again?.reason, `still failing after approval ${first!.id} was denied`);
  });

  it("a deny holds for the jail's findtime when that is longer", async () => {
    const r = setup('approve', 30, Flaky, undefined, 60 * MIN);
    r.responder.onFinding(finding('203.0.113.8'), null);
    await r.responder.settled();
    const [first] = await r.approvals.list({ status: 'pending' });
    assert.ok(
      (await r.approvals.decide(first!.id, 'deny', { channel: 'cli', identity: 'admin' }, r.now()))
        .ok,
    );
    await r.responder.tick();
    r.advance(59 * MIN);
    r.responder.onFailure('203.0.113.8', r.now());
    await r.responder.settled();
    assert.equal((await r.approvals.list({ status: 'pending' })).length, 0);
    r.advance(MIN);
    r.responder.onFailure('203.0.113.8', r.now());
    await r.responder.settled();
    assert.equal((await r.approvals.list({ status: 'pending' })).length, 1);
  });

  it('a restarted responder still asks again, without announcing old expiries twice', async () => {
    const r = setup('approve');
    r.responder.onFinding(finding('2001:db8:1:2::/64', { scope: 'prefix' }), null);
    await r.responder.settled();
    r.advance(15 * MIN + 1);
    await r.responder.tick();
    assert.equal(r.alerts.filter((a) => a.type === 'approval-expired').length, 1);
    r.advance(5000);
    const restarted = r.restart();
    await restarted.responder.tick();
    assert.deepEqual(restarted.alerts, [], 'announced by the one before');
    restarted.responder.onFailure('2001:db8:1:2::77', r.now()); // inside the lapsed prefix
    await restarted.responder.settled();
    const [again] = await r.approvals.list({ status: 'pending' });
    assert.equal(again?.target?.cidr, '2001:db8:1:2::/64');
  });

  describe('recidive: repeat bans across jails make a long one', () => {
    const DAY = 86_400_000;
    const WEEK = 7 * DAY;
    const RECIDIVE = { bans: 3, findtime: DAY, bantime: WEEK };
    const recidives = (r: ReturnType<typeof setup>) =>
      r.store.audit
        .list({})
        .filter((e) => e.action === 'ban.recidive')
        .map((e) => [e.target, e.detail]);

    /** Bans `ip` through `jail`, then lets the ban expire. */
    async function banAndExpire(r: ReturnType<typeof setup>, ip: string, jail: string) {
      r.responder.onFinding(finding(ip, { jail }), null);
      await r.responder.tick();
      const ban = r.store.bans.active(r.now()).find((b) => b.target.cidr === `${ip}/32`);
      assert.ok(ban, `${ip} banned by ${jail}`);
      r.advance(ban.expiresAt! - r.now() + 1);
      await r.responder.tick();
      return ban;
    }

    it('auto: the third ban within a day, by any jail, lasts a week and says so; later ones do not', async () => {
      const r = setup('auto', 30, Flaky, undefined, undefined, RECIDIVE);
      const ip = '198.51.100.20';
      await banAndExpire(r, ip, 'sshd'); // 10m
      await banAndExpire(r, ip, 'postfix'); // 20m
      assert.deepEqual(recidives(r), []);
      r.responder.onFinding(finding(ip, { jail: 'sshd', count: 9 }), null);
      await r.responder.tick();
      const [ban] = r.store.bans.active(r.now());
      assert.deepEqual(
        [ban!.expiresAt! - ban!.createdAt, ban!.reason, ban!.jail, ban!.requestedBy],
        [WEEK, 'recidive: ban 3 within 1d (bruteforce: 9 failures)', 'sshd', 'policy:auto:sshd'],
      );
      assert.deepEqual(recidives(r), [
        [`${ip}/32`, { bans: 3, findtime: DAY, durationMs: WEEK, approval: null }],
      ]);
      const banned = r.alerts.filter((a) => a.type === 'banned').at(-1);
      assert.equal(
        banned?.type === 'banned' && reasonText(banned.ban.reason, translator('en')),
        'repeat offender: 3 bans within 1d (brute force: 9 failed logins)',
      );
      // A week later the earlier bans are out of the window: the increment alone (10m × 2³).
      r.advance(WEEK + 1);
      await r.responder.tick();
      r.responder.onFinding(finding(ip, { jail: 'postfix' }), null);
      await r.responder.tick();
      const [next] = r.store.bans.active(r.now());
      assert.deepEqual(
        [next!.expiresAt! - next!.createdAt, next!.reason],
        [80 * MIN, 'bruteforce: 5 failures'],
      );
      assert.equal(recidives(r).length, 1);
    });

    it('approve: the admin is asked for the week, with the recidive reason in their language', async () => {
      const r = setup('approve', 30, Flaky, undefined, undefined, RECIDIVE);
      const ip = '203.0.113.30';
      for (const jail of ['sshd', 'postfix']) {
        r.responder.onFinding(finding(ip, { jail }), null);
        await r.responder.settled();
        const [p] = await r.approvals.list({ status: 'pending' });
        await r.approvals.decide(p!.id, 'approve', { channel: 'cli', identity: 'admin' }, r.now());
        await r.responder.tick();
        r.advance(r.store.bans.active(r.now())[0]!.expiresAt! - r.now() + 1);
        await r.responder.tick();
      }
      r.responder.onFinding(finding(ip, { jail: 'postfix', count: 6 }), null);
      await r.responder.settled();
      const [asked] = await r.approvals.list({ status: 'pending' });
      assert.deepEqual(
        [asked!.durationMs, reasonText(asked!.reason, translator('ko')), asked!.requestedBy],
        [WEEK, '상습 공격: 1d 안에 3번째 차단 (무차별 대입: 로그인 실패 6회)', 'jail:postfix'],
      );
      assert.deepEqual(recidives(r), [
        [`${ip}/32`, { bans: 3, findtime: DAY, durationMs: WEEK, approval: asked!.id }],
      ]);
      // Nothing is banned for the week until the admin says yes.
      assert.deepEqual(r.store.bans.active(r.now()), []);
    });

    it('never bans a trusted address, however often it was banned before it became trusted', async () => {
      const r = setup('auto', 30, Flaky, undefined, undefined, RECIDIVE);
      for (let i = 0; i < 4; i++) {
        const b = r.store.bans.insert({
          target: { cidr: '10.0.0.9/32', family: 4 },
          jail: 'sshd',
          reason: 'bruteforce: 5 failures',
          requestedBy: 'policy:auto:sshd',
          approvalId: null,
          createdAt: r.now(),
          expiresAt: r.now() + 1,
        });
        r.store.bans.markApplied(b.id, r.now(), 'dry-run');
        r.store.bans.markRemoved(b.id, r.now() + 1, 'expired');
      }
      r.advance(2);
      r.responder.onFinding(finding('10.0.0.9'), null);
      await r.responder.tick();
      assert.deepEqual(
        [r.store.bans.active(r.now()), recidives(r), r.alerts.map((a) => a.type)],
        [[], [], ['refused']],
      );
    });
  });
});
