/**
 * The hub's hosts store contract: one suite both implementations pass (SQLite
 * in hosts.test.ts, PostgreSQL in store/pg/contract.system.test.ts), so the
 * hub stores a sensor's rows exactly once and reports its hosts the same way
 * on either.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { RecordStore } from './api.js';
import type { Async } from './api.js';
import { InvalidRowError, type HostStatusReport, type HostStore } from './hosts.js';
import { INGESTED_KEEP_MS } from './retention.js';
import { T0, sampleEvent, sampleFinding } from './testing.js';

export interface HostStoreUnderTest {
  hosts: Async<HostStore>;
  /** The records the hosts' rows land in. */
  records: RecordStore;
  close(): Promise<void>;
}

export interface HostStoreHarness {
  /** A new, empty store. */
  open(): Promise<HostStoreUnderTest>;
  /**
   * A new store made at the schema before the identities were kept, with
   * these hosts' last seqs in fleet_hosts, then upgraded.
   */
  openUpgraded(last: { name: string; epoch: string; seq: number }[]): Promise<HostStoreUnderTest>;
  /** After the suite: stop servers, remove files. */
  cleanup?(): Promise<void>;
}

const status = (over: Partial<HostStatusReport> = {}): HostStatusReport => ({
  version: '1.2.3',
  lagMs: 40,
  outbox: 2,
  errors: [],
  groups: ['web'],
  at: T0,
  ...over,
});

export function describeHostStoreContract(name: string, harness: HostStoreHarness): void {
  const withStore = async (body: (s: HostStoreUnderTest) => Promise<void>): Promise<void> => {
    const s = await harness.open();
    try {
      await body(s);
    } finally {
      await s.close();
    }
  };
  after(async () => {
    await harness.cleanup?.();
  });

  describe(`HostStore contract: ${name}`, () => {
    describe('ingest', () => {
      it('stores a row once per (host, epoch, seq), keeps the host in the source, and starts over with a new epoch', () =>
        withStore(async ({ hosts, records }) => {
          const batch = {
            events: [sampleEvent({ time: T0, ip: '203.0.113.5', source: 'auth.log' })],
          };
          assert.deepEqual(await hosts.ingest('web-1', 'aaaaaaaa', 1, batch, T0), []);
          assert.equal(await hosts.ingest('web-1', 'aaaaaaaa', 1, batch, T0), null, 'a redelivery');
          assert.deepEqual(
            await hosts.ingest('web-2', 'aaaaaaaa', 1, batch, T0),
            [],
            'another host, its own seqs',
          );
          assert.deepEqual(await hosts.ingest('web-1', 'aaaaaaaa', 2, batch, T0), []);
          assert.equal(
            await hosts.ingest('web-1', 'aaaaaaaa', 1, batch, T0),
            null,
            'a redelivery of an older stored row',
          );
          // The sensor's store was recreated: its seqs start again at 1, under a new epoch.
          assert.deepEqual(await hosts.ingest('web-1', 'bbbbbbbb', 1, batch, T0), []);
          const sources = (await records.events.queryEvents({})).map((e) => e.source).sort();
          assert.deepEqual(sources, [
            'web-1:auth.log',
            'web-1:auth.log',
            'web-1:auth.log',
            'web-2:auth.log',
          ]);
          assert.equal(
            (await records.events.queryEvents({ limit: 1 }))[0]?.line,
            batch.events[0]!.line,
          );
        }));

      it("stores a host's older row that arrives after a newer one, and a redelivery of either not", () =>
        withStore(async ({ hosts, records }) => {
          const row = (seq: number) => ({
            host: 'web-1',
            epoch: 'aaaaaaaa',
            seq,
            batch: { events: [sampleEvent({ time: T0 + seq, source: `s${seq}` })] },
          });
          // JetStream redelivers a row lost in a disconnect only after its ack wait, newer rows meanwhile.
          assert.deepEqual(await hosts.ingestMany([row(2), row(4)], T0), [[], []]);
          assert.deepEqual(await hosts.ingestMany([row(1)], T0), [[]], 'the late row');
          assert.deepEqual(
            await hosts.ingestMany([row(2), row(1), row(3), row(4), row(3)], T0),
            [null, null, [], null, null],
            'redeliveries, and a late row given twice',
          );
          const sources = (await records.events.queryEvents({})).map((e) => e.source).sort();
          assert.deepEqual(sources, ['web-1:s1', 'web-1:s2', 'web-1:s3', 'web-1:s4']);
        }));

      it('forgets a stored row once JetStream can no longer redeliver it, except each epoch’s last', () =>
        withStore(async ({ hosts, records }) => {
          const row = (seq: number, epoch = 'aaaaaaaa') => ({
            host: 'web-1',
            epoch,
            seq,
            batch: { events: [sampleEvent({ time: T0 + seq })] },
          });
          await hosts.ingestMany([row(1), row(2), row(1, 'bbbbbbbb'), row(3, 'bbbbbbbb')], T0);
          await records.prune({}, T0 + INGESTED_KEEP_MS, { chunkSize: 1 });
          assert.deepEqual(
            await hosts.ingestMany([row(1), row(1, 'bbbbbbbb')], T0),
            [null, null],
            'still within the stream’s max age',
          );
          await records.prune({}, T0 + INGESTED_KEEP_MS + 1, { chunkSize: 1 });
          assert.deepEqual(
            await hosts.ingestMany([row(2), row(3, 'bbbbbbbb'), row(1), row(1, 'bbbbbbbb')], T0),
            [null, null, [], []],
            'the last row of each epoch is remembered, older ones are forgotten',
          );
        }));

      it("after an upgrade, rows up to a host's last seq of its epoch stay stored, the others are taken", async () => {
        const s = await harness.openUpgraded([{ name: 'web-1', epoch: 'aaaaaaaa', seq: 5 }]);
        try {
          const row = (seq: number, epoch = 'aaaaaaaa') => ({
            host: 'web-1',
            epoch,
            seq,
            batch: { events: [sampleEvent({ time: T0 + seq })] },
          });
          assert.deepEqual(
            await s.hosts.ingestMany(
              [row(3), row(5), row(7), row(6), row(2, 'bbbbbbbb'), row(7)],
              T0,
            ),
            [null, null, [], [], [], null],
          );
          assert.equal(await s.records.events.count(), 3);
        } finally {
          await s.close();
        }
      });

      it("names a sensor's event without a source by the host alone", () =>
        withStore(async ({ hosts, records }) => {
          await hosts.ingest(
            'web-1',
            'aaaaaaaa',
            1,
            { events: [sampleEvent({ source: null })] },
            T0,
          );
          assert.deepEqual(
            (await records.events.queryEvents()).map((e) => e.source),
            ['web-1:'],
          );
        }));

      it("returns the stored findings' ids in order, readable from the records; none on a redelivery", () =>
        withStore(async ({ hosts, records }) => {
          const findings = [
            { finding: sampleFinding({ ip: '198.51.100.1' }), createdAt: T0 },
            { finding: sampleFinding({ ip: '198.51.100.2' }), createdAt: T0 + 1 },
          ];
          const ids = await hosts.ingest('web-1', 'aaaaaaaa', 1, { findings }, T0 + 5);
          assert.ok(ids !== null && ids.length === 2 && ids[0]! < ids[1]!, String(ids));
          assert.equal(await hosts.ingest('web-1', 'aaaaaaaa', 1, { findings }, T0 + 5), null);
          const stored = await records.findings.recent();
          assert.deepEqual(
            stored.map((f) => [f.id, f.ip, f.createdAt]),
            [
              [ids[1], '198.51.100.2', T0 + 1],
              [ids[0], '198.51.100.1', T0],
            ],
          );
          assert.deepEqual(stored[0]?.users, ['root', 'admin']);
        }));

      it('stores nothing of a row it refuses, and leaves its seq to a good retry', () =>
        withStore(async ({ hosts, records }) => {
          const bad = { ...sampleEvent(), attempts: 1.5 };
          await assert.rejects(
            hosts.ingest(
              'web-1',
              'aaaaaaaa',
              1,
              {
                events: [sampleEvent(), bad],
                findings: [{ finding: sampleFinding(), createdAt: T0 }],
              },
              T0,
            ),
            /invalid event record: attempts/,
          );
          assert.equal(await records.events.count(), 0);
          assert.deepEqual(await records.findings.recent(), []);
          assert.deepEqual(
            await hosts.ingest('web-1', 'aaaaaaaa', 1, { events: [sampleEvent()] }, T0),
            [],
          );
          assert.equal(await records.events.count(), 1);
        }));

      it('stores a row delivered twice at once only once', () =>
        withStore(async ({ hosts, records }) => {
          const batch = {
            events: [sampleEvent(), sampleEvent({ time: T0 + 1 })],
            findings: [{ finding: sampleFinding(), createdAt: T0 }],
          };
          const results = await Promise.all(
            Array.from({ length: 6 }, () => hosts.ingest('web-1', 'aaaaaaaa', 7, batch, T0)),
          );
          assert.equal(results.filter((r) => r !== null).length, 1, JSON.stringify(results));
          assert.equal(await records.events.count(), 2);
          assert.equal((await records.findings.recent()).length, 1);
        }));

      it("stores several hosts' rows in one call: each host's in order, each row once, within and across calls", () =>
        withStore(async ({ hosts, records }) => {
          const row = (host: string, seq: number, epoch = 'aaaaaaaa') => ({
            host,
            epoch,
            seq,
            batch: { events: [sampleEvent({ time: T0 + seq, source: `${host}-${seq}` })] },
          });
          assert.deepEqual(
            await hosts.ingestMany(
              [row('web-1', 1), row('web-2', 1), row('web-1', 2), row('web-1', 2), row('web-1', 1)],
              T0,
            ),
            [[], [], [], null, null],
          );
          assert.deepEqual(
            await hosts.ingestMany(
              [row('web-2', 1), row('web-2', 2), row('web-1', 1, 'bbbbbbbb'), row('web-1', 3)],
              T0,
            ),
            [null, [], [], []],
            'a redelivery, the next row, a new epoch and the row after it',
          );
          const sources = (await records.events.queryEvents({})).map((e) => e.source).sort();
          assert.deepEqual(sources, [
            'web-1:web-1-1',
            'web-1:web-1-1',
            'web-1:web-1-2',
            'web-1:web-1-3',
            'web-2:web-2-1',
            'web-2:web-2-2',
          ]);
          assert.deepEqual(await hosts.ingestMany([], T0), []);
        }));

      it('stores the good rows of a call and says why a bad one is refused; its seq is left to a good retry', () =>
        withStore(async ({ hosts, records }) => {
          const findings = [{ finding: sampleFinding({ ip: '198.51.100.7' }), createdAt: T0 }];
          const results = await hosts.ingestMany(
            [
              { host: 'web-1', epoch: 'aaaaaaaa', seq: 1, batch: { events: [sampleEvent()] } },
              {
                host: 'web-2',
                epoch: 'aaaaaaaa',
                seq: 1,
                batch: { events: [sampleEvent(), { ...sampleEvent(), attempts: 1.5 }], findings },
              },
              { host: 'web-3', epoch: 'aaaaaaaa', seq: 1, batch: { findings } },
            ],
            T0,
          );
          assert.deepEqual(results[0], []);
          assert.ok(results[1] instanceof InvalidRowError, String(results[1]));
          assert.match(results[1].message, /invalid event record: attempts/);
          assert.ok(Array.isArray(results[2]) && results[2].length === 1, String(results[2]));
          assert.equal(await records.events.count(), 1);
          assert.deepEqual(
            (await records.findings.recent()).map((f) => [f.id, f.hosts]),
            [[results[2][0], ['web-3']]],
          );
          assert.deepEqual(
            await hosts.ingest('web-2', 'aaaaaaaa', 1, { events: [sampleEvent()] }, T0),
            [],
          );
        }));

      it('stores batches of the same hosts given at once, in any host order, each row once', () =>
        withStore(async ({ hosts, records }) => {
          const row = (host: string, seq: number) => ({
            host,
            epoch: 'aaaaaaaa',
            seq,
            batch: { events: [sampleEvent({ time: T0 + seq })] },
          });
          // Enough hosts that batches locking them in their own order would deadlock.
          const names = Array.from({ length: 200 }, (_, i) => `web-${i + 1}`);
          const batches = Array.from({ length: 6 }, (_, i) => {
            const order = i % 2 === 0 ? names : [...names].reverse();
            return order.flatMap((h) => [row(h, 1), row(h, 2)]);
          });
          const results = await Promise.all(batches.map((b) => hosts.ingestMany(b, T0)));
          assert.equal(
            results.flat().filter((r) => r !== null).length,
            names.length * 2,
            JSON.stringify(results),
          );
          assert.equal(await records.events.count(), names.length * 2);
        }));

      it('moves last seen forward only', () =>
        withStore(async ({ hosts }) => {
          await hosts.ingest('web-1', 'aaaaaaaa', 1, {}, T0 + 1000);
          await hosts.ingest('web-1', 'aaaaaaaa', 2, {}, T0);
          assert.equal((await hosts.list())[0]?.lastSeen, T0 + 1000);
        }));
    });

    describe('status, rejected, list', () => {
      it('lists every host by name with its last status, rejected messages and applied bans', () =>
        withStore(async ({ hosts }) => {
          assert.deepEqual(await hosts.list(), []);
          await hosts.status('web-2', status({ errors: ['nft: no table'], outbox: 9 }), T0 + 10);
          await hosts.status('web-2', status({ version: '1.2.4', lagMs: 7, at: T0 + 20 }), T0 + 5);
          await hosts.rejected('db-1', T0 + 30);
          await hosts.rejected('db-1', T0 + 40);
          await hosts.rejected('web-2', T0 + 50);
          await hosts.ingest('app-10', 'aaaaaaaa', 1, {}, T0 + 60);
          for (const [decision, host, outcome] of [
            ['d1', 'web-2', 'applied'],
            ['d2', 'web-2', 'applied'],
            ['d3', 'web-2', 'refused'],
            ['d1', 'db-1', 'failed'],
          ] as const)
            await hosts.confirm({ decision, host, outcome, reason: null, at: T0 });
          assert.deepEqual(await hosts.list(), [
            {
              name: 'app-10',
              lastSeen: T0 + 60,
              version: null,
              lagMs: null,
              outbox: null,
              errors: [],
              groups: [],
              statusAt: null,
              rejected: 0,
              bansApplied: 0,
            },
            {
              name: 'db-1',
              lastSeen: T0 + 30,
              version: null,
              lagMs: null,
              outbox: null,
              errors: [],
              groups: [],
              statusAt: null,
              rejected: 2,
              bansApplied: 0,
            },
            {
              name: 'web-2',
              lastSeen: T0 + 10,
              version: '1.2.4',
              lagMs: 7,
              outbox: 2,
              errors: [],
              groups: ['web'],
              statusAt: T0 + 20,
              rejected: 1,
              bansApplied: 2,
            },
          ]);
        }));

      it("keeps a sensor's error text as data", () =>
        withStore(async ({ hosts }) => {
          const hostile = `'); DROP TABLE fleet_hosts; -- "\\u0000" ${'é'.repeat(3)}`;
          await hosts.status('web-1', status({ errors: [hostile] }), T0);
          assert.deepEqual((await hosts.list())[0]?.errors, [hostile]);
        }));
    });

    describe('confirmations', () => {
      it('keeps the latest outcome of each host for a decision, ordered by host', () =>
        withStore(async ({ hosts }) => {
          await hosts.confirm({
            decision: 'd1',
            host: 'web-2',
            outcome: 'applied',
            reason: null,
            at: T0,
          });
          await hosts.confirm({
            decision: 'd1',
            host: 'web-1',
            outcome: 'refused',
            reason: 'own address',
            at: T0 + 5,
          });
          await hosts.confirm({
            decision: 'd1',
            host: 'web-2',
            outcome: 'removed',
            reason: null,
            at: T0 + 9,
          });
          // An older confirmation that arrives late does not undo a newer one.
          await hosts.confirm({
            decision: 'd1',
            host: 'web-2',
            outcome: 'applied',
            reason: null,
            at: T0 + 1,
          });
          await hosts.confirm({
            decision: 'd2',
            host: 'web-1',
            outcome: 'applied',
            reason: null,
            at: T0,
          });
          assert.deepEqual(await hosts.confirmations('d1'), [
            {
              decision: 'd1',
              host: 'web-1',
              outcome: 'refused',
              reason: 'own address',
              at: T0 + 5,
            },
            { decision: 'd1', host: 'web-2', outcome: 'removed', reason: null, at: T0 + 9 },
          ]);
          assert.deepEqual(await hosts.confirmations('none'), []);
        }));
    });
  });
}
