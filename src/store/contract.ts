/**
 * The RecordStore contract: one suite every implementation must pass (SQLite
 * in contract.test.ts, PostgreSQL in store/pg/), so a consumer sees the same
 * ordering, limits, null handling, atomicity and refusals from either.
 *
 * The harness opens stores by name: the same name opens the same data (a
 * second open migrates nothing), a new name an empty store. Each test uses its
 * own name, so tests never see each other's rows.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Millis, TriageResult } from '../domain.js';
import { parseCidr } from '../net/cidr.js';
import type { RecordStore } from './api.js';
import type { ApprovalChange, ApprovalRecord, StoredApproval } from './approvals.js';
import type { AuditEntry } from './audit.js';
import type { BanRequest } from './bans.js';
import type { EventRecord } from './events.js';
import { T0, sampleEvent, sampleFinding } from './testing.js';

export interface RecordStoreHarness {
  /** Opens the store `name`, creating and migrating it when new. */
  open(name: string): Promise<RecordStore>;
  /** The schema version the database `name` is at. */
  schemaVersion(name: string): Promise<number>;
  /** Runs `sql` on the database `name` behind the store's back: how the suite tries to edit history. */
  exec(name: string, sql: string): Promise<void>;
  /** After the suite: stop servers, remove files. */
  cleanup?(): Promise<void>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export function describeRecordStoreContract(name: string, harness: RecordStoreHarness): void {
  let n = 0;
  const fresh = () => `contract_${++n}`;
  /** Runs `body` on a fresh store, closed after it whatever happens. */
  const withStore = async (body: (s: RecordStore, db: string) => Promise<void>): Promise<void> => {
    const db = fresh();
    const s = await harness.open(db);
    try {
      await body(s, db);
    } finally {
      await s.close();
    }
  };
  after(async () => {
    await harness.cleanup?.();
  });

  describe(`RecordStore contract: ${name}`, () => {
    describe('migrations', () => {
      it('a second open migrates nothing and keeps the data', async () => {
        const db = fresh();
        const first = await harness.open(db);
        const version = await harness.schemaVersion(db);
        assert.ok(version > 0, `schema version ${version}`);
        const id = await first.events.insert(sampleEvent());
        await first.close();
        const second = await harness.open(db);
        try {
          assert.equal(await harness.schemaVersion(db), version);
          assert.deepEqual(
            (await second.events.queryEvents()).map((e) => e.id),
            [id],
          );
          assert.equal(await second.events.count(), 1);
        } finally {
          await second.close();
        }
      });

      it('two stores opening a new database at once both work (one migrates, the other waits)', async () => {
        const db = fresh();
        const [a, b] = await Promise.all([harness.open(db), harness.open(db)]);
        try {
          await a.events.insert(sampleEvent());
          await b.events.insert(sampleEvent({ time: T0 + 1 }));
          assert.equal(await a.events.count(), 2);
        } finally {
          await a.close();
          await b.close();
        }
      });
    });

    describe('events', () => {
      it('round-trips every field, hostile text and nulls included', async () => {
        await withStore(async (s) => {
          const hostile = sampleEvent({
            user: "root'; DROP TABLE events; --",
            line: 'sshd[1]: Failed password for \\"x\\" \u202e ünïcödé 😀 from 203.0.113.5',
          });
          const bare = sampleEvent({
            time: T0 + 1,
            rule: null,
            ip: null,
            host: null,
            user: null,
            source: null,
            result: 'nofail',
            attempts: 3,
          });
          const a = await s.events.insert(hostile);
          const b = await s.events.insert(bare);
          assert.ok(b > a, 'ids grow');
          assert.deepEqual(await s.events.queryEvents(), [
            { id: b, ...bare },
            { id: a, ...hostile },
          ]);
          assert.equal(await s.events.count(), 2);
        });
      });

      it('queries newest first (time, then id) with every filter and a limit', async () => {
        await withStore(async (s) => {
          const rows: EventRecord[] = [
            sampleEvent({ time: T0, ip: '203.0.113.5', user: 'root' }),
            sampleEvent({ time: T0 + 1000, ip: '203.0.113.9', user: 'admin', result: 'success' }),
            sampleEvent({
              time: T0 + 1000,
              ip: '198.51.100.7',
              jail: 'postfix',
              filter: 'postfix',
            }),
            sampleEvent({ time: T0 + 2000, ip: '2001:db8:0:1::5', host: '2001:db8:0:1::5' }),
            sampleEvent({ time: T0 + 3000, ip: '2001:db8:0:2::5', host: '2001:db8:0:2::5' }),
          ];
          await s.events.insertMany(rows);
          const ids = async (q: Parameters<RecordStore['events']['queryEvents']>[0]) =>
            (await s.events.queryEvents(q)).map((e) => [e.time - T0, e.ip]);
          assert.deepEqual(await ids({}), [
            [3000, '2001:db8:0:2::5'],
            [2000, '2001:db8:0:1::5'],
            [1000, '198.51.100.7'],
            [1000, '203.0.113.9'],
            [0, '203.0.113.5'],
          ]);
          assert.deepEqual(await ids({ ip: '203.0.113.5' }), [[0, '203.0.113.5']]);
          assert.deepEqual(await ids({ user: 'admin' }), [[1000, '203.0.113.9']]);
          assert.deepEqual(await ids({ kind: 'success' }), [[1000, '203.0.113.9']]);
          assert.deepEqual(await ids({ jail: 'postfix' }), [[1000, '198.51.100.7']]);
          // since is inclusive, until exclusive.
          assert.deepEqual(await ids({ since: T0 + 1000, until: T0 + 2000 }), [
            [1000, '198.51.100.7'],
            [1000, '203.0.113.9'],
          ]);
          assert.deepEqual(await ids({ network: parseCidr('203.0.113.0/24') }), [
            [1000, '203.0.113.9'],
            [0, '203.0.113.5'],
          ]);
          assert.deepEqual(await ids({ network: parseCidr('2001:db8:0:1::/64') }), [
            [2000, '2001:db8:0:1::5'],
          ]);
          assert.deepEqual(await ids({ limit: 2 }), [
            [3000, '2001:db8:0:2::5'],
            [2000, '2001:db8:0:1::5'],
          ]);
          await assert.rejects(s.events.queryEvents({ limit: 0 }), RangeError);
          await assert.rejects(s.events.queryEvents({ limit: 10_001 }), RangeError);
        });
      });

      it('gives 100 events by default', async () => {
        await withStore(async (s) => {
          await s.events.insertMany(
            Array.from({ length: 120 }, (_, i) => sampleEvent({ time: T0 + i })),
          );
          const got = await s.events.queryEvents();
          assert.equal(got.length, 100);
          assert.equal(got[0]!.time, T0 + 119);
          assert.equal(await s.events.count(), 120);
        });
      });

      it('recent failures: failures only, from `since` on, oldest first', async () => {
        await withStore(async (s) => {
          await s.events.insertMany([
            sampleEvent({ time: T0 + 2000 }),
            sampleEvent({ time: T0 - 1 }),
            sampleEvent({ time: T0, result: 'success' }),
            sampleEvent({ time: T0 }),
          ]);
          assert.deepEqual(
            (await s.events.recentFailures(T0)).map((e) => [e.time - T0, e.result]),
            [
              [0, 'fail'],
              [2000, 'fail'],
            ],
          );
        });
      });

      it('sums failed attempts per whole minute of event time, from a time on', async () => {
        await withStore(async (s) => {
          const minute = Math.floor(T0 / MIN);
          await s.events.insertMany([
            sampleEvent({ time: T0 - 1 }),
            sampleEvent({ time: T0, attempts: 3 }),
            sampleEvent({ time: T0 + MIN - 1 }),
            sampleEvent({ time: T0 + 5 * MIN + 30_000, attempts: 2 }),
            sampleEvent({ time: T0 + 5 * MIN, result: 'success' }),
          ]);
          assert.deepEqual(await s.activity.failuresPerMinute(T0), [
            { m: minute, n: 4 },
            { m: minute + 5, n: 2 },
          ]);
        });
      });
    });

    describe('activity', () => {
      it("by host at the hub: each sensor's share of an attacker's activity, by source prefix", async () => {
        await withStore(async (s) => {
          const ip = '203.0.113.5';
          await s.events.insertMany([
            sampleEvent({ ip, time: T0, source: 'web-2:auth.log', attempts: 3 }),
            sampleEvent({ ip, time: T0 + 5, source: 'web-1:auth.log' }),
            sampleEvent({ ip, time: T0 + 9, source: 'web-1:journal', result: 'success' }),
            sampleEvent({ ip, time: T0 + 7, source: 'web-1:auth.log' }),
            // Another address, out of the window, and a single host's own event: not in it.
            sampleEvent({ ip: '198.51.100.1', time: T0, source: 'web-3:auth.log' }),
            sampleEvent({ ip, time: T0 + HOUR, source: 'web-3:auth.log' }),
            sampleEvent({ ip, time: T0 + 1, source: 'auth.log' }),
          ]);
          assert.deepEqual(await s.activity.activityByHost([ip], T0, T0 + HOUR), [
            { host: 'web-1', failures: 2, successes: 1, first: T0 + 5, last: T0 + 9 },
            { host: 'web-2', failures: 3, successes: 0, first: T0, last: T0 },
          ]);
          assert.deepEqual(await s.activity.activityByHost([], T0, T0 + HOUR), []);
        });
      });
    });

    describe('findings', () => {
      it('stores findings and lists them newest first, by time and address, up to a limit', async () => {
        await withStore(async (s) => {
          const f1 = sampleFinding();
          const f2 = sampleFinding({ ip: '2001:db8::/64', scope: 'prefix', users: [] });
          const f3 = sampleFinding({ kind: 'compromise', users: ["o'brien", 'ü'] });
          const a = await s.findings.insert(f1, T0);
          const b = await s.findings.insert(f2, T0 + 1000);
          const c = await s.findings.insert(f3, T0 + 1000);
          assert.deepEqual(await s.findings.recent(), [
            { id: c, ...f3, createdAt: T0 + 1000 },
            { id: b, ...f2, createdAt: T0 + 1000 },
            { id: a, ...f1, createdAt: T0 },
          ]);
          assert.deepEqual(
            (await s.findings.recent({ since: T0 + 1000 })).map((f) => f.id),
            [c, b],
          );
          assert.deepEqual(
            (await s.findings.recent({ ip: '203.0.113.5' })).map((f) => f.id),
            [c, a],
          );
          assert.deepEqual(
            (await s.findings.recent({ limit: 1 })).map((f) => f.id),
            [c],
          );
          await assert.rejects(s.findings.recent({ limit: 0 }), RangeError);
        });
      });
    });

    describe('fleet: per-host views (the hub)', () => {
      it("findings, events, incidents and bans of one host: the hosts a finding was seen on, the sender in an event's source", async () => {
        await withStore(async (s) => {
          const onWeb3 = sampleFinding({ hosts: ['web-3'] });
          const spread = sampleFinding({
            kind: 'distributed',
            ip: '198.51.100.7',
            hosts: ['web-1', 'web-3'],
          });
          const prefix = sampleFinding({ ip: '2001:db8::/64', scope: 'prefix', hosts: ['web-1'] });
          const local = sampleFinding({ ip: '192.0.2.9' });
          const a = await s.findings.insert(onWeb3, T0);
          const b = await s.findings.insert(spread, T0 + 1);
          const c = await s.findings.insert(prefix, T0 + 2);
          const d = await s.findings.insert(local, T0 + 3);
          // Read back as written; a single host's finding has no hosts at all.
          assert.deepEqual(await s.findings.recent({ ip: '192.0.2.9' }), [
            { id: d, ...local, createdAt: T0 + 3 },
          ]);
          assert.deepEqual(await s.findings.recent({ ip: '198.51.100.7' }), [
            { id: b, ...spread, createdAt: T0 + 1 },
          ]);
          const ids = async (sensor: string) =>
            (await s.findings.recent({ sensor })).map((f) => f.id);
          assert.deepEqual(await ids('web-3'), [b, a]);
          assert.deepEqual(await ids('web-1'), [c, b]);
          assert.deepEqual(await ids('web'), [], 'a name is matched whole, not as a prefix');

          const e1 = await s.events.insert(sampleEvent({ source: 'web-3:/var/log/auth.log' }));
          const e2 = await s.events.insert(sampleEvent({ source: 'web-31:/var/log/auth.log' }));
          await s.events.insert(sampleEvent({ source: '/var/log/auth.log' }));
          assert.deepEqual(
            (await s.events.queryEvents({ sensor: 'web-3' })).map((e) => e.id),
            [e1],
          );
          assert.deepEqual(
            (await s.events.queryEvents({ sensor: 'web-31' })).map((e) => e.id),
            [e2],
          );

          const incidentOf = async (attacker: string, findingId: number) =>
            (
              await s.incidents.open(
                {
                  attacker,
                  scope: 'address',
                  kind: 'bruteforce',
                  jail: 'sshd',
                  first: T0,
                  last: T0,
                  users: [],
                },
                T0,
                { time: T0, kind: 'finding', actor: 'detect', refId: findingId, detail: {} },
              )
            ).id;
          const i1 = await incidentOf('203.0.113.5', a);
          const i2 = await incidentOf('198.51.100.7', b);
          await incidentOf('192.0.2.9', d);
          const incidents = async (sensor: string) =>
            (await s.incidents.list({ sensor })).map((i) => i.id).sort((x, y) => x - y);
          assert.deepEqual(await incidents('web-3'), [i1, i2]);
          assert.deepEqual(await incidents('web-1'), [i2]);
          assert.deepEqual(await incidents('db-1'), []);

          const applied = async (cidr: string, family: 4 | 6) => {
            const ban = await s.bans.insert({
              target: { cidr, family },
              jail: 'sshd',
              reason: 'r',
              requestedBy: 'jail:sshd',
              approvalId: null,
              createdAt: T0,
              expiresAt: null,
            });
            await s.bans.markApplied(ban.id, T0, 'fleet');
            return ban.id;
          };
          const b1 = await applied('203.0.113.5/32', 4);
          const b2 = await applied('198.51.100.7/32', 4);
          const b3 = await applied('2001:db8::/64', 6);
          await applied('192.0.2.9/32', 4);
          const bans = async (sensor: string) =>
            (await s.bans.active(T0 + 1, sensor)).map((x) => x.id);
          assert.deepEqual(await bans('web-3'), [b1, b2]);
          assert.deepEqual(await bans('web-1'), [b2, b3]);
          assert.equal((await s.bans.active(T0 + 1)).length, 4);
        });
      });
    });

    describe('incidents', () => {
      const opening = (over: Partial<Parameters<RecordStore['incidents']['open']>[0]> = {}) => ({
        attacker: '203.0.113.5',
        scope: 'address' as const,
        kind: 'bruteforce' as const,
        jail: 'sshd',
        first: T0,
        last: T0 + 4000,
        users: ['root'],
        ...over,
      });
      const triage = (over: Partial<TriageResult> = {}): TriageResult => ({
        verdict: 'malicious',
        confidence: 0.9,
        severity: 'high',
        reasons: ['bruteforce'],
        evidence: [1, 2],
        ...over,
      });

      it('opens an incident with its story, folds activity in, and finds it by attacker', async () => {
        await withStore(async (s) => {
          const inc = await s.incidents.open(opening(), T0 + 5000, {
            time: T0 + 5000,
            kind: 'finding',
            actor: 'detect',
            refId: 7,
            detail: { kind: 'bruteforce' },
          });
          assert.equal(inc.state, 'open');
          assert.equal(inc.attacker, '203.0.113.5');
          assert.deepEqual(inc.jails, ['sshd']);
          assert.deepEqual(inc.kinds, ['bruteforce']);
          assert.equal(inc.verdict, null);
          const grown = await s.incidents.addActivity(
            inc.id,
            {
              first: T0 - 1000,
              last: T0 + 9000,
              failures: 12,
              jails: ['sshd', 'postfix'],
              users: ['root', 'admin'],
            },
            T0 + 9000,
          );
          assert.equal(grown.firstSeen, T0 - 1000);
          assert.equal(grown.lastSeen, T0 + 9000);
          assert.equal(grown.failures, 12);
          assert.deepEqual(grown.jails, ['sshd', 'postfix']);
          assert.deepEqual(grown.users, ['root', 'admin']);
          await s.incidents.addNote(inc.id, 'admin:cli:root', 'looked at it', T0 + 9500);
          const detail = await s.incidents.get(inc.id);
          assert.deepEqual(
            detail?.timeline.map((e) => [e.kind, e.actor, e.refId, e.detail]),
            [
              ['opened', 'detect', null, { kind: 'bruteforce' }],
              ['finding', 'detect', 7, { kind: 'bruteforce' }],
              ['note', 'admin:cli:root', null, { text: 'looked at it' }],
            ],
          );
          assert.equal((await s.incidents.latest('203.0.113.5'))?.id, inc.id);
          assert.equal(await s.incidents.latest('198.51.100.1'), null);
          assert.equal(await s.incidents.get(inc.id + 1000), null);
          assert.deepEqual(
            { ...(await s.incidents.find(inc.id)), timeline: detail?.timeline },
            detail,
          );
          assert.equal(await s.incidents.find(inc.id + 1000), null);
          await assert.rejects(s.incidents.addNote(inc.id + 1000, 'x', 'text', T0), {
            name: 'IncidentNotFoundError',
          });
          assert.equal(await s.incidents.countOpened(T0, T0 + 5001), 1);
          assert.equal(await s.incidents.countOpened(T0, T0 + 5000), 0);
        });
      });

      it('triage sets the verdict in force (the admin over the rules; the agent only advises)', async () => {
        await withStore(async (s) => {
          const inc = await s.incidents.open(opening(), T0);
          await s.incidents.setTriage(inc.id, 'rules', triage(), { actor: 'rules', at: T0 + 1 });
          let got = (await s.incidents.get(inc.id))!;
          assert.equal(got.state, 'triaged');
          assert.equal(got.verdict, 'malicious');
          assert.equal(got.rules?.confidence, 0.9);
          await s.incidents.setTriage(
            inc.id,
            'admin',
            triage({ verdict: 'benign', severity: 'low' }),
            {
              actor: 'admin:web:root',
              at: T0 + 2,
            },
          );
          await s.incidents.setTriage(
            inc.id,
            'agent',
            triage({ verdict: 'malicious', severity: 'critical' }),
            { actor: 'agent', at: T0 + 3, narrative: 'a botnet' },
          );
          await s.incidents.setTriage(inc.id, 'rules', triage(), { actor: 'rules', at: T0 + 4 });
          got = (await s.incidents.get(inc.id))!;
          assert.equal(got.verdict, 'benign');
          assert.equal(got.severity, 'low');
          assert.equal(got.agent?.narrative, 'a botnet');
          assert.deepEqual(
            got.timeline.filter((e) => e.kind === 'triage').map((e) => e.detail.by),
            ['rules', 'admin', 'agent', 'rules'],
          );
        });
      });

      it('lists the most severe first, then the latest activity, with filters', async () => {
        await withStore(async (s) => {
          const low = await s.incidents.open(
            opening({ attacker: '203.0.113.1', last: T0 + 9 }),
            T0,
          );
          const high = await s.incidents.open(
            opening({ attacker: '203.0.113.2', last: T0 + 1 }),
            T0,
          );
          const none = await s.incidents.open(
            opening({ attacker: '203.0.113.3', last: T0 + 5 }),
            T0,
          );
          const none2 = await s.incidents.open(
            opening({ attacker: '203.0.113.4', last: T0 + 7 }),
            T0 + 10,
          );
          await s.incidents.setTriage(low.id, 'rules', triage({ severity: 'low' }), {
            actor: 'rules',
            at: T0,
          });
          await s.incidents.setTriage(high.id, 'rules', triage({ severity: 'high' }), {
            actor: 'rules',
            at: T0,
          });
          assert.deepEqual(
            (await s.incidents.list()).map((i) => i.id),
            [high.id, low.id, none2.id, none.id],
          );
          assert.deepEqual(
            (await s.incidents.list({ state: 'open' })).map((i) => i.id),
            [none2.id, none.id],
          );
          assert.deepEqual(
            (await s.incidents.list({ attacker: '203.0.113.1' })).map((i) => i.id),
            [low.id],
          );
          assert.deepEqual(
            (await s.incidents.list({ since: T0 + 6 })).map((i) => i.id),
            [low.id, none2.id],
          );
          assert.deepEqual(
            (await s.incidents.list({ openedBefore: T0 + 10 })).map((i) => i.id),
            [high.id, low.id, none.id],
          );
          assert.deepEqual(
            (await s.incidents.list({ limit: 1 })).map((i) => i.id),
            [high.id],
          );
          await assert.rejects(s.incidents.list({ limit: 0 }), RangeError);
        });
      });

      it('resolves once, sweeps quiet ones, and reopens', async () => {
        await withStore(async (s) => {
          const a = await s.incidents.open(opening({ last: T0 }), T0);
          const b = await s.incidents.open(
            opening({ attacker: '203.0.113.6', last: T0 + HOUR }),
            T0,
          );
          assert.deepEqual(
            (await s.incidents.quiet(T0 + 1)).map((i) => i.id),
            [a.id],
          );
          assert.equal(await s.incidents.resolve(a.id, T0 + 2, 'system', 'quiet'), true);
          assert.equal(await s.incidents.resolve(a.id, T0 + 3, 'system', 'quiet'), false);
          assert.deepEqual(
            (await s.incidents.list({ state: 'active' })).map((i) => i.id),
            [b.id],
          );
          const back = await s.incidents.reopen(a.id, T0 + 4, { finding: 9 });
          assert.equal(back.state, 'open');
          assert.equal(back.resolvedAt, null);
          assert.equal(back.reopened, 1);
          assert.deepEqual(
            (await s.incidents.timeline(a.id)).map((e) => e.kind),
            ['opened', 'resolved', 'reopened'],
          );
        });
      });
    });

    describe('approvals', () => {
      const record = (over: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
        id: 'Fx7kQ2mZp9Ab',
        action: 'ban',
        target: { cidr: '203.0.113.5/32', family: 4 },
        durationMs: HOUR,
        reason: 'sshd: 5 failures',
        requestedBy: 'jail:sshd',
        jail: 'sshd',
        evidence: { findings: [1], events: [2, 3] },
        createdAt: T0,
        expiresAt: T0 + 15 * MIN,
        mac: 'mac-0',
        ...over,
      });
      const pending = (r: ApprovalRecord): StoredApproval => ({
        ...r,
        status: 'pending',
        decidedAt: null,
        decidedBy: null,
        channel: null,
        executedAt: null,
      });
      const approved = (at: Millis, mac: string): ApprovalChange => ({
        status: 'approved',
        decidedAt: at,
        decidedBy: 'root',
        channel: 'cli',
        executedAt: null,
        mac,
      });
      const audit = (action: string): AuditEntry => ({
        time: T0,
        actor: 'root',
        channel: 'cli',
        action,
        target: '203.0.113.5/32',
        outcome: 'ok',
        detail: { approval: 'Fx7kQ2mZp9Ab' },
      });

      it('stores a request as pending and reads it back whole', async () => {
        await withStore(async (s) => {
          const r = record();
          const isolate = record({
            id: 'Isolate00001',
            action: 'isolate',
            target: null,
            durationMs: null,
            jail: null,
            requestedBy: 'admin:cli:root',
            createdAt: T0 + 1,
            evidence: { findings: [], events: [] },
          });
          await s.approvals.insert(r);
          await s.approvals.insert(isolate);
          assert.deepEqual(await s.approvals.get(r.id), pending(r));
          assert.deepEqual(await s.approvals.get(isolate.id), pending(isolate));
          assert.equal(await s.approvals.get('Nope'), null);
          assert.deepEqual(
            (await s.approvals.list()).map((a) => a.id),
            [isolate.id, r.id],
          );
          assert.deepEqual(
            (await s.approvals.list({ status: 'approved' })).map((a) => a.id),
            [],
          );
          await assert.rejects(s.approvals.insert(r), 'a second row with the same id is refused');
        });
      });

      it('changes state only while the row carries the expected MAC: the first decision wins', async () => {
        await withStore(async (s) => {
          await s.approvals.insert(record());
          assert.equal(
            await s.approvals.change('Fx7kQ2mZp9Ab', 'wrong', approved(T0, 'mac-x')),
            false,
          );
          const [one, two] = await Promise.all([
            s.approvals.change('Fx7kQ2mZp9Ab', 'mac-0', approved(T0 + 1, 'mac-1')),
            s.approvals.change('Fx7kQ2mZp9Ab', 'mac-0', {
              ...approved(T0 + 2, 'mac-2'),
              status: 'denied',
            }),
          ]);
          assert.equal(Number(one) + Number(two), 1, 'exactly one of two racing decisions wins');
          const row = await s.approvals.get('Fx7kQ2mZp9Ab');
          assert.equal(row?.mac, one ? 'mac-1' : 'mac-2');
          assert.equal(row?.status, one ? 'approved' : 'denied');
          assert.equal(await s.approvals.resign('Fx7kQ2mZp9Ab', 'mac-0', 'mac-3'), false);
          assert.equal(await s.approvals.resign('Fx7kQ2mZp9Ab', row.mac, 'mac-3'), true);
          assert.equal((await s.approvals.get('Fx7kQ2mZp9Ab'))?.mac, 'mac-3');
          assert.equal(await s.approvals.change('Nope', 'mac-0', approved(T0, 'mac-x')), false);
        });
      });

      it('a change and its audit entry are written together, and only when the row changed', async () => {
        await withStore(async (s) => {
          await s.approvals.insert(record(), audit('approval.request'));
          assert.equal(
            await s.approvals.change(
              'Fx7kQ2mZp9Ab',
              'wrong',
              approved(T0, 'm1'),
              audit('approval.approve'),
            ),
            false,
          );
          assert.equal(
            await s.approvals.change(
              'Fx7kQ2mZp9Ab',
              'mac-0',
              approved(T0, 'm1'),
              audit('approval.approve'),
            ),
            true,
          );
          assert.equal(
            await s.approvals.resign('Fx7kQ2mZp9Ab', 'm1', 'm2', audit('approval.upgrade')),
            true,
          );
          assert.equal(
            await s.approvals.resign('Fx7kQ2mZp9Ab', 'm1', 'm3', audit('approval.upgrade')),
            false,
          );
          assert.equal(
            await s.approvals.markTampered('Fx7kQ2mZp9Ab', T0, audit('approval.tampered')),
            true,
          );
          assert.equal(
            await s.approvals.markTampered('Fx7kQ2mZp9Ab', T0 + 1, audit('approval.tampered')),
            false,
            'a tampered row is reported once',
          );
          assert.deepEqual((await s.audit.list()).map((e) => e.action).reverse(), [
            'approval.request',
            'approval.approve',
            'approval.upgrade',
            'approval.tampered',
          ]);
          // A bad audit entry undoes the change it came with.
          await assert.rejects(
            s.approvals.change('Fx7kQ2mZp9Ab', 'm2', approved(T0, 'm9'), {
              ...audit('approval.execute'),
              outcome: 'bogus' as 'ok',
            }),
          );
          assert.equal((await s.approvals.get('Fx7kQ2mZp9Ab'))?.mac, 'm2');
          await assert.rejects(
            s.approvals.insert(record({ id: 'Another00001' }), { ...audit('x'), time: Number.NaN }),
          );
          assert.equal(await s.approvals.get('Another00001'), null);
        });
      });

      it('finds the pending ones due, the closed ones since a time, and the legacy ones', async () => {
        await withStore(async (s) => {
          await s.approvals.insert(record({ id: 'Late00000001', expiresAt: T0 + 20 * MIN }));
          await s.approvals.insert(record({ id: 'Soon00000001', expiresAt: T0 + 10 * MIN }));
          await s.approvals.insert(record({ id: 'Soon00000002', expiresAt: T0 + 5 * MIN }));
          await s.approvals.insert(
            record({ id: 'Legacy000001', mac: 'v1:abc', createdAt: T0 - 1 }),
          );
          assert.deepEqual(
            (await s.approvals.due(T0 + 10 * MIN)).map((a) => a.id),
            ['Soon00000002', 'Soon00000001'],
          );
          assert.deepEqual(
            (await s.approvals.legacy()).map((a) => a.id),
            ['Legacy000001'],
          );
          const close = (id: string, status: 'expired' | 'denied' | 'approved', at: Millis) =>
            s.approvals.change(id, 'mac-0', { ...approved(at, `m-${id}`), status });
          assert.equal(await close('Soon00000002', 'expired', T0 + 5 * MIN), true);
          assert.equal(await close('Soon00000001', 'denied', T0 + 3 * MIN), true);
          assert.equal(await close('Late00000001', 'approved', T0 + 4 * MIN), true);
          assert.deepEqual(
            (await s.approvals.closedSince(T0 + 3 * MIN)).map((a) => [a.id, a.status]),
            [
              ['Soon00000001', 'denied'],
              ['Soon00000002', 'expired'],
            ],
          );
          assert.deepEqual(
            (await s.approvals.closedSince(T0 + 4 * MIN)).map((a) => a.id),
            ['Soon00000002'],
          );
          assert.deepEqual(
            (await s.approvals.due(T0 + HOUR)).map((a) => a.id),
            ['Legacy000001'],
            'closed ones are never due',
          );
        });
      });
    });

    describe('audit', () => {
      const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
        time: T0,
        actor: 'root',
        channel: 'cli',
        action: 'approval.approve',
        target: '203.0.113.5/32',
        outcome: 'ok',
        detail: { approval: 'Fx7kQ2mZp9Ab', why: "x'); DROP TABLE audit; --" },
        ...over,
      });

      it('appends and lists newest first, in the order written within one time, from a time, up to a limit', async () => {
        await withStore(async (s) => {
          const ids: number[] = [];
          for (const actor of ['a', 'b', 'c']) ids.push(await s.audit.append(entry({ actor })));
          ids.push(
            await s.audit.append(
              entry({ time: T0 + 1, actor: 'd', channel: null, target: null, outcome: 'refused' }),
            ),
          );
          assert.ok(
            ids.every((id, i) => i === 0 || id > ids[i - 1]!),
            'ids grow',
          );
          const all = await s.audit.list();
          assert.deepEqual(
            all.map((e) => e.actor),
            ['d', 'c', 'b', 'a'],
          );
          assert.deepEqual(all[0], {
            id: ids[3],
            ...entry({ time: T0 + 1, actor: 'd', channel: null, target: null, outcome: 'refused' }),
          });
          assert.deepEqual(
            (await s.audit.list({ since: T0 + 1 })).map((e) => e.actor),
            ['d'],
          );
          assert.deepEqual(
            (await s.audit.list({ limit: 2 })).map((e) => e.actor),
            ['d', 'c'],
          );
          await assert.rejects(s.audit.list({ limit: 0 }), RangeError);
          await assert.rejects(s.audit.append(entry({ outcome: 'maybe' as 'ok' })), TypeError);
        });
      });

      it('is append-only: no method edits it, and the database refuses UPDATE and DELETE', async () => {
        await withStore(async (s, db) => {
          const methods = (o: object) => {
            const names = new Set<string>();
            for (
              let p: object | null = o;
              p !== null && p !== Object.prototype;
              p = Object.getPrototypeOf(p) as object | null
            )
              for (const k of Object.getOwnPropertyNames(p))
                if (k !== 'constructor' && typeof Reflect.get(o, k) === 'function') names.add(k);
            return [...names];
          };
          assert.deepEqual(
            methods(s.audit).filter((m) =>
              /update|delete|remove|edit|clear|prune|set|put/i.test(m),
            ),
            [],
          );
          await s.audit.append(entry());
          await assert.rejects(harness.exec(db, "UPDATE audit SET actor = 'mallory'"));
          await assert.rejects(harness.exec(db, 'DELETE FROM audit'));
          assert.deepEqual(
            (await s.audit.list()).map((e) => e.actor),
            ['root'],
          );
        });
      });
    });

    describe('bans', () => {
      const ban = (over: Partial<BanRequest> = {}): BanRequest => ({
        target: { cidr: '203.0.113.5/32', family: 4 },
        jail: 'sshd',
        reason: 'sshd: 5 failures',
        requestedBy: 'jail:sshd',
        approvalId: null,
        createdAt: T0,
        expiresAt: T0 + HOUR,
        ...over,
      });

      it('a ban is pending until applied, active until removed or expired', async () => {
        await withStore(async (s) => {
          const b = await s.bans.insert(ban());
          assert.deepEqual(b, {
            id: b.id,
            target: { cidr: '203.0.113.5/32', family: 4 },
            jail: 'sshd',
            reason: 'sshd: 5 failures',
            requestedBy: 'jail:sshd',
            approvalId: null,
            createdAt: T0,
            expiresAt: T0 + HOUR,
            appliedAt: null,
            removedAt: null,
            removedReason: null,
            offence: 0,
            firewall: null,
            enforced: false,
          });
          assert.deepEqual(
            (await s.bans.pending()).map((x) => x.id),
            [b.id],
          );
          assert.deepEqual(await s.bans.active(T0), []);
          assert.equal(await s.bans.markApplied(b.id, T0 + 1, 'nftables'), true);
          assert.equal(await s.bans.markApplied(b.id, T0 + 2, 'nftables'), false);
          assert.deepEqual(await s.bans.pending(), []);
          const applied = (await s.bans.get(b.id))!;
          assert.equal(applied.appliedAt, T0 + 1);
          assert.equal(applied.enforced, true);
          assert.deepEqual(
            (await s.bans.active(T0 + HOUR - 1)).map((x) => x.id),
            [b.id],
          );
          assert.deepEqual(await s.bans.active(T0 + HOUR), [], 'expired at expiresAt');
          assert.deepEqual(
            (await s.bans.expired(T0 + HOUR)).map((x) => x.id),
            [b.id],
          );
          assert.equal(await s.bans.markRemoved(b.id, T0 + HOUR, 'expired'), true);
          assert.equal(await s.bans.markRemoved(b.id, T0 + HOUR, 'expired'), false);
          assert.deepEqual(await s.bans.expired(T0 + HOUR), []);
          const removed = (await s.bans.get(b.id))!;
          assert.equal(removed.removedReason, 'expired');
          const late = await s.bans.insert(ban({ target: { cidr: '2001:db8::/64', family: 6 } }));
          await s.bans.markRemoved(late.id, T0, 'unbanned');
          assert.equal(
            await s.bans.markApplied(late.id, T0, 'nftables'),
            false,
            'not after removal',
          );
          assert.equal(await s.bans.get(late.id + 1000), null);
        });
      });

      it('counts offences of applied bans, orders lists, keeps permanent ones, and holds for a backend', async () => {
        await withStore(async (s) => {
          const first = await s.bans.insert(ban());
          await s.bans.markApplied(first.id, T0, 'dry-run');
          const second = await s.bans.insert(ban({ createdAt: T0 + DAY, expiresAt: null }));
          assert.equal(second.offence, 1);
          assert.equal(
            await s.bans.offences('203.0.113.5/32'),
            1,
            'an unapplied one does not count',
          );
          await s.bans.markApplied(second.id, T0 + DAY, 'nftables');
          assert.equal(await s.bans.offences('203.0.113.5/32'), 2);
          assert.equal(await s.bans.offencesSince('203.0.113.5/32', T0 + 1), 1);
          assert.equal(
            (await s.bans.insert(ban({ createdAt: T0 + 2 * DAY, offence: 7 }))).offence,
            7,
          );
          assert.deepEqual(
            (await s.bans.history('203.0.113.5/32')).map((b) => b.createdAt - T0),
            [2 * DAY, DAY, 0],
          );
          assert.deepEqual(
            (await s.bans.history('203.0.113.5/32', 1)).map((b) => b.createdAt - T0),
            [2 * DAY],
          );
          const forever = (await s.bans.get(second.id))!;
          assert.equal(forever.expiresAt, null);
          assert.deepEqual(
            (await s.bans.active(T0 + 365 * DAY)).map((b) => b.id),
            [second.id],
          );
          await s.bans.markHeld([first.id, second.id], 'ipset');
          assert.equal((await s.bans.get(first.id))?.firewall, 'ipset');
          assert.equal((await s.bans.get(second.id))?.enforced, true);
          await assert.rejects(
            s.bans.insert(ban({ target: { cidr: '203.0.113.5', family: 4 } })),
            TypeError,
          );
          await assert.rejects(
            s.bans.insert(ban({ target: { cidr: '2001:DB8::1/128', family: 6 } })),
            TypeError,
          );
          await assert.rejects(s.bans.history('203.0.113.5/32', 0), RangeError);
        });
      });
    });

    describe('retention', () => {
      it('prunes events older than the age limit and keeps the recent ones', async () => {
        await withStore(async (s) => {
          const now = T0 + 40 * DAY;
          await s.events.insertMany([
            ...Array.from({ length: 25 }, (_, i) => sampleEvent({ time: T0 + i })),
            sampleEvent({ time: now - 30 * DAY }),
            sampleEvent({ time: now - HOUR }),
          ]);
          const r = await s.prune({ maxAge: 30 * DAY }, now, { chunkSize: 10 });
          assert.equal(r.byAge, 25);
          assert.equal(r.removed, 25);
          assert.equal(r.byCount, 0);
          assert.deepEqual(
            (await s.events.queryEvents()).map((e) => now - e.time),
            [HOUR, 30 * DAY],
          );
          assert.equal((await s.prune({ maxAge: 30 * DAY }, now)).removed, 0);
        });
      });

      it('keeps the newest events beyond a count limit', async () => {
        await withStore(async (s) => {
          await s.events.insertMany(
            Array.from({ length: 12 }, (_, i) => sampleEvent({ time: T0 + i })),
          );
          const r = await s.prune({ maxEvents: 5 }, T0 + DAY, { chunkSize: 3 });
          assert.equal(r.byCount, 7);
          assert.deepEqual(
            (await s.events.queryEvents()).map((e) => e.time - T0),
            [11, 10, 9, 8, 7],
          );
          await assert.rejects(s.prune({ maxEvents: -1 }, T0), RangeError);
        });
      });
    });

    describe('status', () => {
      it('keeps one JSON value per key, replaced by the next put', async () => {
        await withStore(async (s) => {
          assert.equal(await s.status.get('daemon'), null);
          await s.status.put('daemon', { pid: 1, jails: ['sshd'] }, T0);
          await s.status.put('isolation', null, T0 + 1);
          await s.status.put('daemon', { pid: 2 }, T0 + 2);
          assert.deepEqual(await s.status.get('daemon'), { value: { pid: 2 }, updatedAt: T0 + 2 });
          assert.deepEqual(
            [...(await s.status.all())].map(([k, v]) => [k, v.value]),
            [
              ['daemon', { pid: 2 }],
              ['isolation', null],
            ],
          );
          await assert.rejects(s.status.put('bad', undefined, T0), TypeError);
        });
      });
    });

    describe('reports', () => {
      it('keeps one report a day and finds the one before', async () => {
        await withStore(async (s) => {
          await s.reports.put('2026-11-24', { n: 1 }, T0);
          await s.reports.put('2026-11-25', { n: 2 }, T0 + 1);
          await s.reports.put('2026-11-25', { n: 3 }, T0 + 2);
          assert.deepEqual(await s.reports.get('2026-11-25'), {
            date: '2026-11-25',
            createdAt: T0 + 2,
            report: { n: 3 },
          });
          assert.equal((await s.reports.before('2026-11-25'))?.date, '2026-11-24');
          assert.equal(await s.reports.before('2026-11-24'), null);
          await assert.rejects(s.reports.get('yesterday'), RangeError);
        });
      });
    });
  });
}
