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

let n = 0;
function setup(policy: Policy, maxPerMinute = 30, Backend: typeof Flaky = Flaky) {
  let now = T0;
  const store: Store = openStore(join(dir, `r${n++}.db`));
  const alerts: ResponseAlert[] = [];
  const firewall = new Backend({ log: () => {}, now: () => now });
  const approvals = new Approvals(store, {
    key: parseSecret('a'.repeat(64), 'test'),
    authorize: authorizer({ cliUsers: ['admin'] }),
  });
  const responder = new Responder({
    store,
    approvals,
    guardrails: new Guardrails({
      trusted: trustedNetworks(),
      sessions: { sessions: () => Promise.resolve([]) },
      breaker: new CircuitBreaker({ maxPerMinute, clock: () => now }),
    }),
    firewall,
    jails: new Map([['sshd', { policy, bantime: 600_000 }]]),
    settings: {
      increment: { factor: 2, max: 86_400_000 },
      killConnections: false,
      admins: [],
      managementPorts: [22],
      isolateRevertAfter: 60_000,
    },
    clock: () => now,
    logger: createLogger({ level: 'silent', format: 'json' }),
    alert: (a) => alerts.push(a),
  });
  return { store, alerts, firewall, approvals, responder, advance: (ms: number) => (now += ms) };
}

describe('Responder', () => {
  it('notify: alerts only, asks nothing and bans nothing', async () => {
    const r = setup('notify');
    r.responder.onFinding(finding('203.0.113.5'), null);
    await r.responder.tick();
    assert.deepEqual(
      [r.alerts, await r.firewall.list(), r.approvals.list({ status: 'pending' })],
      [[], [], []],
    );
  });

  it('approve: asks once, bans only after the decision, for the bantime, and lets it expire', async () => {
    const r = setup('approve');
    r.responder.onFinding(finding('203.0.113.5', { count: 7 }), null);
    r.responder.onFinding(finding('203.0.113.5', { count: 9 }), null); // same target: no second request
    const [pending, ...more] = r.approvals.list({ status: 'pending' });
    assert.deepEqual(more, []);
    assert.deepEqual(
      [pending!.target?.cidr, pending!.durationMs, pending!.reason],
      ['203.0.113.5/32', 600_000, 'bruteforce: 7 failures'],
    );
    await r.responder.tick();
    assert.deepEqual(await r.firewall.list(), []);
    assert.equal(
      r.approvals.decide(pending!.id, 'approve', { channel: 'cli', identity: 'admin' }, T0).ok,
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
    const [pending] = r.approvals.list({ status: 'pending' });
    r.approvals.decide(pending!.id, 'approve', { channel: 'cli', identity: 'admin' }, T0);
    await r.responder.tick();
    assert.deepEqual(await r.firewall.list(), []);
    assert.equal(r.approvals.get(pending!.id)?.status, 'refused');
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
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['banned'],
    );
    for (const at of [5000, 6000, 7000]) r.responder.onFailure('198.51.100.9', T0 + at);
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
    assert.deepEqual(
      r.alerts.map((a) => a.type),
      ['banned'],
    );
  });
});
