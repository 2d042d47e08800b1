import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuthEvent } from '../domain.js';
import { Store, toEventRecord, type EventRecord } from './index.js';
import { sampleEvent as ev, sampleFinding, T0 } from './testing.js';

const MIN = 60_000;
const root = mkdtempSync(join(tmpdir(), 'sheriff-store-events-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `s${++n}.db`);

describe('EventStore', () => {
  let store: Store;
  const rows: EventRecord[] = [
    ev({ time: T0, ip: '203.0.113.5', user: 'root' }), // 1
    ev({ time: T0 + 1 * MIN, ip: '203.0.113.5', user: 'admin' }), // 2
    ev({ time: T0 + 2 * MIN, ip: '198.51.100.7', user: 'root' }), // 3
    ev({
      time: T0 + 3 * MIN,
      ip: '203.0.113.5',
      user: 'alice',
      result: 'success',
      rule: 'accepted',
    }), // 4
    ev({ time: T0 + 4 * MIN, ip: '2001:db8::1', user: 'root', result: 'nofail', rule: 'closed' }), // 5
    ev({ time: T0 + 5 * MIN, ip: '203.0.113.5', user: 'root', jail: 'sshd-slow' }), // 6
    ev({ time: T0 + 2 * MIN, ip: '203.0.113.5', user: 'root' }), // 7: same time as 3, arrived later
  ];
  const ids = (es: { id: number }[]) => es.map((e) => e.id);

  before(() => {
    store = Store.open(freshPath());
    rows.forEach((r, i) => assert.equal(store.events.insert(r), i + 1));
  });
  after(() => store.close());

  it('returns every column as written', () => {
    const [e] = store.events.queryEvents({ limit: 1, ip: '2001:db8::1' });
    assert.deepEqual(e, { id: 5, ...rows[4] });
  });

  it('queries newest first, ties broken by insertion order', () => {
    assert.deepEqual(ids(store.events.queryEvents()), [6, 5, 4, 7, 3, 2, 1]);
  });

  it('filters by ip', () => {
    assert.deepEqual(ids(store.events.queryEvents({ ip: '203.0.113.5' })), [6, 4, 7, 2, 1]);
    assert.deepEqual(ids(store.events.queryEvents({ ip: '192.0.2.1' })), []);
  });

  it('filters by user', () => {
    assert.deepEqual(ids(store.events.queryEvents({ user: 'root' })), [6, 5, 7, 3, 1]);
  });

  it('filters by time: since inclusive, until exclusive', () => {
    assert.deepEqual(ids(store.events.queryEvents({ since: T0 + 2 * MIN })), [6, 5, 4, 7, 3]);
    assert.deepEqual(
      ids(store.events.queryEvents({ since: T0 + MIN, until: T0 + 3 * MIN })),
      [7, 3, 2],
    );
  });

  it('filters by kind and jail, and combines criteria', () => {
    assert.deepEqual(ids(store.events.queryEvents({ kind: 'success' })), [4]);
    assert.deepEqual(ids(store.events.queryEvents({ kind: 'nofail' })), [5]);
    assert.deepEqual(ids(store.events.queryEvents({ kind: 'fail' })), [6, 7, 3, 2, 1]);
    assert.deepEqual(ids(store.events.queryEvents({ jail: 'sshd-slow' })), [6]);
    assert.deepEqual(
      ids(
        store.events.queryEvents({
          ip: '203.0.113.5',
          user: 'root',
          kind: 'fail',
          since: T0 + MIN,
        }),
      ),
      [6, 7],
    );
  });

  it('limits: default 100, at most 10000', () => {
    assert.deepEqual(ids(store.events.queryEvents({ limit: 2 })), [6, 5]);
    assert.throws(() => store.events.queryEvents({ limit: 10_001 }), RangeError);
    assert.throws(() => store.events.queryEvents({ limit: 0 }), RangeError);
    assert.throws(() => store.events.queryEvents({ limit: 1.5 }), RangeError);
    assert.throws(() => store.events.queryEvents({ since: NaN }), RangeError);
  });

  it('recentFailures: failures since a time, oldest first', () => {
    assert.deepEqual(ids(store.events.recentFailures(T0 + MIN)), [2, 3, 7, 6]);
    assert.deepEqual(ids([...store.events.iterateRecentFailures(T0 + MIN)]), [2, 3, 7, 6]);
    assert.deepEqual(store.events.recentFailures(T0 + 6 * MIN), []);
  });

  it('stores attacker text as data, byte for byte', () => {
    const s = Store.open(freshPath());
    const nasty = `x'); DROP TABLE events; -- "quoted" \\ \u202e\u{1F600} é`;
    s.events.insert(ev({ user: nasty, line: `Invalid user ${nasty} from 203.0.113.5` }));
    const [e] = s.events.queryEvents({ user: nasty });
    assert.equal(e?.user, nasty);
    assert.equal(e?.line, `Invalid user ${nasty} from 203.0.113.5`);
    assert.equal(s.events.count(), 1);
    s.close();
  });

  it('insertMany writes in one transaction; toEventRecord fills the time and skips non-events', () => {
    const s = Store.open(freshPath());
    const auth: AuthEvent = {
      time: null,
      filter: 'sshd',
      rule: 'failed',
      result: 'fail',
      host: 'h',
      ip: null,
      user: null,
      users: null,
      attempts: 2,
      accepted: false,
    };
    const rec = toEventRecord(auth, { jail: 'sshd', source: null, line: 'l', readAt: T0 + 7 });
    assert.equal(rec?.time, T0 + 7);
    assert.equal(
      toEventRecord({ ...auth, result: 'none' }, { jail: 'j', source: null, line: '', readAt: 0 }),
      null,
    );
    s.events.insertMany([rec, ev()]);
    assert.equal(s.events.count(), 2);
    assert.throws(() => s.events.insertMany([ev(), ev({ result: 'bogus' as 'fail' })]), {
      code: 'SQLITE_CONSTRAINT_CHECK',
    });
    assert.equal(s.events.count(), 2);
    s.close();
  });
});

describe('FindingStore, PositionStore, StatusStore', () => {
  it('findings: insert and list recent, newest first', () => {
    const s = Store.open(freshPath());
    s.findings.insert(sampleFinding(), T0);
    s.findings.insert(
      sampleFinding({ kind: 'compromise', ip: '198.51.100.7', users: ['alice'] }),
      T0 + MIN,
    );
    s.findings.insert(
      sampleFinding({ scope: 'prefix', ip: '2001:db8::/64', users: [] }),
      T0 + 2 * MIN,
    );
    const all = s.findings.recent();
    assert.deepEqual(
      all.map((f) => [f.id, f.kind, f.scope, f.ip, f.users, f.createdAt]),
      [
        [3, 'bruteforce', 'prefix', '2001:db8::/64', [], T0 + 2 * MIN],
        [2, 'compromise', 'address', '198.51.100.7', ['alice'], T0 + MIN],
        [1, 'bruteforce', 'address', '203.0.113.5', ['root', 'admin'], T0],
      ],
    );
    assert.deepEqual(all[2], { id: 1, ...sampleFinding(), createdAt: T0 });
    assert.deepEqual(
      s.findings.recent({ since: T0 + MIN }).map((f) => f.id),
      [3, 2],
    );
    assert.deepEqual(
      s.findings.recent({ ip: '203.0.113.5' }).map((f) => f.id),
      [1],
    );
    assert.deepEqual(
      s.findings.recent({ limit: 1 }).map((f) => f.id),
      [3],
    );
    s.close();
  });

  it('positions: get, set, overwrite, list, delete', () => {
    const s = Store.open(freshPath());
    assert.equal(s.positions.get('a'), null);
    s.positions.set('a', '{"offset":1}', T0);
    s.positions.set('b', 'cursor-b', T0);
    s.positions.set('a', '{"offset":2}', T0 + 1);
    assert.equal(s.positions.get('a'), '{"offset":2}');
    assert.deepEqual(s.positions.all(), [
      { sourceId: 'a', cursor: '{"offset":2}', updatedAt: T0 + 1 },
      { sourceId: 'b', cursor: 'cursor-b', updatedAt: T0 },
    ]);
    assert.equal(s.positions.delete('b'), true);
    assert.equal(s.positions.get('b'), null);
    s.close();
  });

  it('status: what the daemon puts, a read-only reader sees', () => {
    const path = freshPath();
    const daemon = Store.open(path);
    const cli = Store.open(path, { readonly: true });
    assert.equal(cli.status.get('daemon'), null);
    daemon.status.put('daemon', { pid: 42, sources: [{ id: 'a', lag: 0 }] }, T0);
    daemon.status.put('daemon', { pid: 43, sources: [] }, T0 + 5);
    daemon.status.put('counts', 7, T0);
    assert.deepEqual(cli.status.get('daemon'), {
      value: { pid: 43, sources: [] },
      updatedAt: T0 + 5,
    });
    assert.deepEqual([...cli.status.all().keys()], ['counts', 'daemon']);
    assert.throws(() => daemon.status.put('bad', undefined, T0), TypeError);
    assert.throws(() => cli.status.put('x', 1, T0), { code: 'SQLITE_READONLY' });
    assert.ok(daemon.sizeBytes() > 0);
    cli.close();
    daemon.close();
  });
});
