/**
 * What the contract suite does not cover on PostgreSQL: the same answers as
 * SQLite for the summaries the status, the report, the analyst and the
 * console read; day partitions and retention by partition; bulk ingest (and
 * its rate, printed as a diagnostic); hostile rows; two hubs at once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { parseCidr } from '../../net/cidr.js';
import { startPostgres, type Postgres } from '../../testing/postgres.js';
import type { RecordStore } from '../api.js';
import type { EventRecord } from '../events.js';
import { Store } from '../index.js';
import { StoreOpenError } from '../errors.js';
import { SchemaTooNewError } from '../migrations.js';
import { SCAN_BUCKET_MS } from '../scans.js';
import { T0, sampleEvent, sampleFinding } from '../testing.js';
import { openPgStore, type PgRecordStore } from './index.js';
import { DAY_MS, listPartitions } from './partitions.js';

const HOUR = 3_600_000;
/** Midnight UTC of T0's day. */
const D0 = Math.floor(T0 / DAY_MS) * DAY_MS;

let server: Postgres;
const dir = mkdtempSync(join(tmpdir(), 'sheriff-pg-store-'));
const open: PgRecordStore[] = [];

before(async () => {
  server = await startPostgres();
});
after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A store on a new database, and a plain client on it to look behind the store's back. */
async function fresh(): Promise<{ store: PgRecordStore; url: string }> {
  const url = await server.createDatabase();
  const store = await openPgStore(url);
  open.push(store);
  return { store, url };
}

async function sql<R extends object>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

const partitionNames = async (s: PgRecordStore) =>
  (await listPartitions(s.pool)).map((p) => p.name);

describe('PostgreSQL store: same answers as SQLite', () => {
  /** The same writes, through the same interface, into both stores. */
  async function fill(s: RecordStore): Promise<void> {
    const events: EventRecord[] = [];
    for (let i = 0; i < 40; i++) {
      events.push(
        sampleEvent({
          time: T0 + i * 97_000,
          ip: ['203.0.113.5', '2001:db8:1:2::7', '2001:db8:1:2::8', '198.51.100.1'][i % 4]!,
          user: i % 5 === 0 ? null : ['root', 'Admin', 'oracle'][i % 3]!,
          attempts: 1 + (i % 3),
        }),
      );
    }
    events.push(
      sampleEvent({ time: T0 + 50, result: 'success', user: 'deploy', ip: '192.0.2.10' }),
      sampleEvent({ time: T0 + 60, result: 'success', user: null, ip: null, host: null }),
      sampleEvent({ time: T0 + 70, result: 'success', user: 'deploy', ip: '192.0.2.10' }),
      sampleEvent({ time: T0 + 80, result: 'success', user: 'alice', ip: null }),
      sampleEvent({ time: T0 + DAY_MS, result: 'nofail', ip: '203.0.113.5' }),
    );
    await s.events.insertMany(events);
    await s.findings.insert(sampleFinding(), T0);
    await s.findings.insert(sampleFinding({ ip: '198.51.100.1' }), T0 + HOUR);
    const applied = await s.bans.insert({
      target: { cidr: '203.0.113.5/32', family: 4 },
      jail: 'sshd',
      reason: 'bruteforce',
      requestedBy: 'jail:sshd',
      approvalId: null,
      createdAt: T0,
      expiresAt: T0 + DAY_MS,
    });
    await s.bans.markApplied(applied.id, T0 + 1, 'dry-run');
    await s.bans.insert({
      target: { cidr: '2001:db8:1:2::/64', family: 6 },
      jail: null,
      reason: 'prefix',
      requestedBy: 'admin:cli:root',
      approvalId: null,
      createdAt: T0 + 5,
      expiresAt: null,
    });
    const inc = await s.incidents.open(
      {
        attacker: '203.0.113.5',
        scope: 'address',
        kind: 'bruteforce',
        jail: 'sshd',
        first: T0,
        last: T0 + HOUR,
        users: ['root'],
      },
      T0,
    );
    await s.incidents.addActivity(inc.id, { first: T0, last: T0 + 2 * HOUR, kinds: ['scan'] }, T0);
    await s.agent.addMessage('cli:root', { role: 'user', content: 'q1', createdAt: T0 }, 2);
    await s.agent.addMessage('cli:root', { role: 'assistant', content: 'a1', createdAt: T0 }, 2);
    await s.agent.addMessage('cli:root', { role: 'user', content: 'q2', createdAt: T0 }, 2);
    const run = await s.agent.startRun({
      conversation: 'cli:root',
      channel: 'cli',
      identity: 'root',
      mode: 'llm',
      model: 'm',
      question: 'q2',
      startedAt: T0,
    });
    await s.agent.addToolCall({
      runId: run,
      step: 1,
      callId: 'c1',
      name: 'events',
      arguments: '{"ip":"203.0.113.5"}',
      outcome: 'ok',
      result: '[]',
      latencyMs: 12.4,
      createdAt: T0 + 1,
    });
    await s.agent.endRun(run, {
      answer: 'a2',
      status: 'caution',
      outcome: 'answered',
      stops: [{ code: 'x', detail: 'y' }],
      steps: 1,
      inputTokens: 10,
      outputTokens: 5,
      endedAt: T0 + 2,
    });
    await s.agent.addUsage('cli:root', T0, 10, 5);
    await s.agent.addUsage('cli:root', T0 + 1, 1, 2);
    await s.agent.addUsage('telegram:1', T0, 3, 4);
    await s.intel.put('abuseipdb', '203.0.113.5', { score: 90 }, T0, HOUR);
    await s.intel.put('abuseipdb', '198.51.100.1', null, T0, HOUR);
    await s.chats.setLang('telegram', '42', 'ko', T0);
  }

  /** Scanner sums are written by a host's StoreWriter, not through the records interface. */
  const SCANS = `INSERT INTO scans (jail, ip, bucket, connections, first_seen, last_seen, rule) VALUES
    ('sshd', '203.0.113.7', ${T0}, 3, ${T0}, ${T0 + 5}, 'closed'),
    ('sshd', '203.0.113.7', ${T0 + SCAN_BUCKET_MS}, 3, ${T0 + SCAN_BUCKET_MS}, ${T0 + SCAN_BUCKET_MS + 9}, 'no-identification'),
    ('web', '203.0.113.7', ${T0}, 1, ${T0 + 1}, ${T0 + 1}, 'closed'),
    ('sshd', '198.51.100.4', ${T0}, 5, ${T0}, ${T0 + 4}, 'closed')`;

  /** Every read the status, report, analyst and console make, by name. */
  async function answers(s: RecordStore): Promise<Record<string, unknown>> {
    const from = T0 - HOUR;
    const to = T0 + 2 * DAY_MS;
    const a = s.activity;
    return {
      failures: await a.failuresBetween(from, to),
      findings: await a.findingsBetween(from, to),
      pending: await a.pendingApprovals(T0),
      counts: await a.countsFor(['203.0.113.5', '192.0.2.10', '2001:db8:1:2::7'], from, to),
      countsNone: await a.countsFor([], from, to),
      attackers: await a.distinctAttackers(from, to),
      top: await a.topAttackers(from, to, (ip) => ip === '203.0.113.5', 2),
      topAll: await a.topAttackers(from, to, () => false),
      logins: await a.logins(from, to),
      loginGroups: await a.loginGroups(from, to),
      loginCount: await a.loginCount(from, to),
      seen: await a.loggedInBefore('deploy', '192.0.2.10', T0 + 60),
      notSeen: await a.loggedInBefore('deploy', '192.0.2.10', T0 + 50),
      bans: await a.bansBetween(from, to),
      like: (await a.addressesLike('2001:DB8:1:2:%', from, to)).sort(),
      active: await a.activeIncidents(),
      network: await s.events.queryEvents({ network: parseCidr('2001:db8:1:2::/64'), limit: 5 }),
      byUser: await s.events.queryEvents({ user: 'Admin', kind: 'fail', since: T0, until: to }),
      failuresFrom: await s.events.recentFailures(T0 + 30 * 97_000),
      scansTop: await s.scans.top(T0, T0 + HOUR, 10),
      scansBusy: await s.scans.busy(T0, T0 + HOUR, 5, 10),
      scansOne: await s.scans.forAddress('203.0.113.7', T0 + 5, T0 + HOUR),
      scansNone: await s.scans.forAddress('192.0.2.1', T0, T0 + HOUR),
      scansTotals: await s.scans.totals(T0, T0 + HOUR),
      history: await s.agent.history('cli:root', 10),
      runs: await s.agent.recentRuns(),
      tools: await s.agent.toolCalls(1),
      usage: await s.agent.usage(T0),
      usageOne: await s.agent.usage(T0, 'cli:root'),
      usageNone: await s.agent.usage(T0 + 3 * DAY_MS, 'cli:root'),
      intel: await s.intel.get('abuseipdb', '203.0.113.5', T0),
      intelNull: await s.intel.get('abuseipdb', '198.51.100.1', T0),
      intelExpired: await s.intel.get('abuseipdb', '203.0.113.5', T0 + HOUR),
      lang: await s.chats.lang('telegram', '42'),
      noLang: await s.chats.lang('telegram', '43'),
      incidents: await s.incidents.list(),
      offences: await s.bans.offencesSince('203.0.113.5/32', T0),
      pendingBans: await s.bans.pending(),
      scansPruned: await s.scans.prune(T0 + SCAN_BUCKET_MS),
      intelPruned: await s.intel.prune(T0 + HOUR),
      events: await s.events.count(),
    };
  }

  it('every summary, list and count matches, field for field', async () => {
    const sqlite = Store.open(join(dir, 'parity.db'));
    const { store: pgStore, url } = await fresh();
    try {
      await fill(sqlite.records);
      await fill(pgStore);
      sqlite.db.exec(SCANS);
      await sql(url, SCANS);
      const expected = await answers(sqlite.records);
      const actual = await answers(pgStore);
      for (const key of Object.keys(expected)) {
        assert.deepEqual(actual[key], expected[key], key);
      }
    } finally {
      sqlite.close();
    }
  });
});

describe('PostgreSQL store: events by day partition', () => {
  it('creates a partition per day as rows arrive (and the next day ahead), named by date', async () => {
    const { store } = await fresh();
    await store.events.insertMany([
      sampleEvent({ time: D0 - DAY_MS + 5 }),
      sampleEvent({ time: D0 + 5 }),
    ]);
    await store.events.insert(sampleEvent({ time: D0 + 2 * DAY_MS + 1 }));
    assert.deepEqual(await partitionNames(store), [
      'events_20261124',
      'events_20261125',
      'events_20261126',
      'events_20261127',
      'events_20261128',
    ]);
    assert.equal(await store.events.count(), 3);
  });

  it('retention drops whole old days and deletes only in the boundary day', async () => {
    const { store, url } = await fresh();
    const rows: EventRecord[] = [];
    for (let day = 0; day < 4; day++) {
      for (let h = 0; h < 24; h += 6)
        rows.push(sampleEvent({ time: D0 + day * DAY_MS + h * HOUR }));
    }
    await store.events.insertMany(rows);
    // Keep the last 36 hours before day 3, 18:00: day 2 from 06:00 on, and day 3.
    const now = D0 + 3 * DAY_MS + 18 * HOUR;
    const result = await store.prune({ maxAge: 36 * HOUR }, now, { chunkSize: 1 });
    assert.equal(result.byAge, 9);
    assert.equal(result.removed, 9);
    // Two days dropped (one chunk each), and the boundary day's one row.
    assert.equal(result.chunks, 3);
    assert.deepEqual(await partitionNames(store), [
      'events_20261127',
      'events_20261128',
      'events_20261129',
    ]);
    const left = await sql<{ time: number }>(url, 'SELECT time FROM events ORDER BY time');
    assert.deepEqual(
      left.map((r) => (Number(r.time) - D0) / HOUR),
      [54, 60, 66, 72, 78, 84, 90],
    );

    // A count limit drops the oldest day left whole, then trims the next oldest.
    const byCount = await store.prune({ maxEvents: 2 }, now, { chunkSize: 2 });
    assert.deepEqual(byCount, { byAge: 0, byCount: 5, removed: 5, chunks: 2 });
    assert.deepEqual(
      (await store.events.queryEvents()).map((e) => (e.time - D0) / HOUR),
      [90, 84],
    );
    assert.deepEqual(await partitionNames(store), ['events_20261128', 'events_20261129']);
  });

  it('writes again into a day another hub dropped meanwhile (the partition comes back)', async () => {
    const { store, url } = await fresh();
    const other = await openPgStore(url);
    open.push(other);
    await store.events.insert(sampleEvent({ time: D0 + 1 }));
    await other.prune({ maxAge: 0 }, D0 + 3 * DAY_MS);
    assert.deepEqual(await partitionNames(store), []);
    await store.events.insert(sampleEvent({ time: D0 + 2 }));
    assert.equal(await store.events.count(), 1);
  });

  it('two hubs creating the same new day at once both insert', async () => {
    const { store, url } = await fresh();
    const other = await openPgStore(url);
    open.push(other);
    const batch = (n: number) =>
      Array.from({ length: 50 }, (_, i) => sampleEvent({ time: D0 + 7 * DAY_MS + n * 100 + i }));
    await Promise.all([store.events.insertMany(batch(0)), other.events.insertMany(batch(1))]);
    assert.equal(await store.events.count(), 100);
  });

  it('refuses an event time no day partition can be named for, and stores nothing of its batch', async () => {
    const { store } = await fresh();
    // The last nameable day has no day after it to make ahead.
    await store.events.insert(sampleEvent({ time: Date.UTC(9999, 11, 31, 12) }));
    assert.deepEqual(await partitionNames(store), ['events_99991231']);
    const year10000 = Date.UTC(10000, 0, 1);
    await assert.rejects(
      store.events.insertMany([sampleEvent(), sampleEvent({ time: year10000 })]),
      RangeError,
    );
    assert.equal(await store.events.count(), 1);
    assert.deepEqual(await partitionNames(store), ['events_99991231']);
  });
});

describe('PostgreSQL store: bulk ingest', () => {
  it('inserts large batches whole, and a batch with one bad record not at all', async (t) => {
    const { store } = await fresh();
    const batch = 5_000;
    const make = (from: number) =>
      Array.from({ length: batch }, (_, j) =>
        sampleEvent({
          time: T0 + from + j,
          ip: `198.51.${((from + j) >> 8) & 255}.${(from + j) & 255}`,
          line: `sshd[${from + j}]: Failed password for root from 198.51.100.1 port 22 ssh2`,
        }),
      );
    /** Inserts `count` batches, `streams` at a time (the hub ingests several at once); events/s. */
    let next = 0;
    const ingest = async (count: number, streams: number) => {
      const batches = Array.from({ length: count }, () => make(next++ * batch));
      const started = performance.now();
      await Promise.all(
        Array.from({ length: streams }, async () => {
          for (let b = batches.pop(); b !== undefined; b = batches.pop())
            await store.events.insertMany(b);
        }),
      );
      return Math.round((count * batch) / ((performance.now() - started) / 1000));
    };
    const one = await ingest(6, 1);
    const four = await ingest(12, 4);
    t.diagnostic(
      `ingest, batches of ${batch}: ${one} events/s one at a time, ${four} four at a time`,
    );
    const total = 18 * batch;
    assert.equal(await store.events.count(), total);

    const bad = { ...sampleEvent(), attempts: 'many' } as unknown as EventRecord;
    await assert.rejects(store.events.insertMany([sampleEvent(), bad]), TypeError);
    assert.equal(await store.events.count(), total);
  });

  it('keeps hostile text as data: NUL (which PostgreSQL text cannot hold) becomes U+FFFD, not a lost batch', async () => {
    const { store } = await fresh();
    await store.events.insertMany([
      sampleEvent({ user: "x'); DROP TABLE events; --\0", line: 'a\0b' }),
      sampleEvent({ time: T0 + 1, ip: 'not-an-address' }),
    ]);
    const id = await store.findings.insert(sampleFinding({ users: ['r\0ot'] }), T0);
    await store.status.put('daemon', { note: 'n\0l' }, T0);
    const [other, first] = await store.events.queryEvents();
    assert.equal(first!.user, "x'); DROP TABLE events; --\uFFFD");
    assert.equal(first!.line, 'a\uFFFDb');
    assert.equal(other!.ip, 'not-an-address');
    assert.deepEqual((await store.findings.recent())[0]?.users, ['r\uFFFDot']);
    assert.equal((await store.findings.recent())[0]?.id, id);
    assert.deepEqual((await store.status.get('daemon'))?.value, { note: 'n\uFFFDl' });
    // A row that holds no address is simply outside every network.
    assert.deepEqual(
      (await store.events.queryEvents({ network: parseCidr('203.0.113.0/24') })).map((e) => e.ip),
      ['203.0.113.5'],
    );
  });
});

describe('PostgreSQL store: opening', () => {
  it('refuses a database written by a newer Sheriff', async () => {
    const { url } = await fresh();
    await sql(url, "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')");
    await assert.rejects(
      openPgStore(url),
      (err: StoreOpenError) =>
        err instanceof StoreOpenError &&
        err.problem === 'newer' &&
        err.cause instanceof SchemaTooNewError &&
        err.message.includes(url),
    );
  });

  it('says which server it could not reach, without the password', async () => {
    const url = new URL(server.url);
    url.port = '1'; // nothing listens on port 1
    url.password = 's3cret';
    await assert.rejects(openPgStore(url.toString()), (err: StoreOpenError) => {
      assert.ok(err instanceof StoreOpenError);
      assert.equal(err.problem, 'other');
      assert.match(
        err.message,
        /cannot open the store at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED/,
      );
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
  });

  it("sets its number parsers on its own pool, not pg's global ones", async () => {
    const { store, url } = await fresh();
    assert.equal(await store.events.count(), 0);
    const [r] = await sql<{ n: unknown }>(url, 'SELECT 12::bigint AS n');
    assert.equal(r?.n, '12');
  });
});
