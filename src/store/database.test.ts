import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { fixture } from '../testing/paths.js';
import { unprivileged } from '../testing/users.js';
import { openDatabase, StoreOpenError } from './database.js';
import {
  migrate,
  MIGRATIONS,
  SCHEMA_VERSION,
  SchemaTooNewError,
  schemaVersion,
  type Migration,
} from './migrations.js';
import { Store } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-store-db-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (name = 'sheriff.db') => join(root, `t${++n}`, name);

/** Every schema object, SQL normalised (comments and layout do not matter). */
function schemaOf(db: Database): string[] {
  return db
    .prepare<[], { type: string; name: string; sql: string }>(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'",
    )
    .all()
    .map((r) => {
      const sql = r.sql
        .replace(/--[^\n]*/g, '')
        .replace(/\s+/g, ' ')
        .replace(/\s*([(),])\s*/g, '$1')
        .trim();
      return `${r.type} ${r.name}: ${sql}`;
    })
    .sort();
}

/** Builds a database file from an SQL fixture, as an older Sheriff left it. */
function fromFixture(sqlFile: string): string {
  const path = fresh();
  const db = openRaw(path);
  db.exec(readFileSync(fixture('store', sqlFile), 'utf8'));
  db.close();
  return path;
}

/** The message openDatabase throws for `path` when run by an unprivileged user. */
function openAsAnotherUser(path: string): string {
  const url = new URL('./database.js', import.meta.url).href;
  const script = `import { openDatabase } from ${JSON.stringify(url)};
    try { openDatabase(process.env.P).close(); console.log('opened'); }
    catch (err) { console.log(err.message); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    ...unprivileged,
    env: { ...process.env, P: path },
    encoding: 'utf8',
  });
  if (r.error !== undefined) throw r.error;
  return r.stdout.trim() + r.stderr;
}

function openRaw(path: string): Database {
  mkdirSync(dirname(path), { recursive: true });
  return new BetterSqlite3(path);
}

describe('openDatabase', () => {
  it('creates a private directory and file, in WAL mode, at the current schema version', () => {
    const path = fresh();
    const db = openDatabase(path);
    try {
      assert.equal(statSync(dirname(path)).mode & 0o777, 0o700);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 1); // NORMAL
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.ok((db.pragma('busy_timeout', { simple: true }) as number) >= 1000);
      assert.equal(schemaVersion(db), SCHEMA_VERSION);
      db.prepare('INSERT INTO daemon_status VALUES (?, ?, ?)').run('k', '1', 1);
      assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
    } finally {
      db.close();
    }
  });

  it('tightens an existing world-readable file to 0600', () => {
    const path = fresh();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '', { mode: 0o644 });
    openDatabase(path).close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('migrates an empty database to the newest schema, and reopening changes nothing', () => {
    const path = fresh();
    openDatabase(path).close();
    const db = openDatabase(path);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.deepEqual(
      db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        )
        .all()
        .map((r) => r.name),
      [
        ...['agent_messages', 'agent_runs', 'agent_tool_calls', 'agent_usage', 'approvals'],
        ...['audit', 'bans', 'chat_settings', 'connection_addresses', 'daemon_status'],
        ...[
          'events',
          'findings',
          'fleet_confirmations',
          'fleet_hosts',
          'fleet_ingested',
          'fleet_outbox',
        ],
        ...['incident_timeline', 'incidents', 'intel_cache', 'outbox', 'reports', 'scans'],
        ...['source_positions', 'sqlite_sequence'],
      ],
    );
    db.close();
  });

  // One fixture per released schema version: each must upgrade to exactly the
  // schema a fresh database gets, keeping its rows.
  const fixtures: { file: string; version: number }[] = [
    { file: 'v1.sql', version: 1 },
    { file: 'v2.sql', version: 2 },
  ];
  for (const { file, version } of fixtures) {
    it(`the ${file} fixture is exactly what migrations 1..${version} create`, () => {
      const path = fromFixture(file);
      const old = new BetterSqlite3(path, { readonly: true });
      const made = new BetterSqlite3(':memory:');
      migrate(made, MIGRATIONS.slice(0, version));
      assert.equal(schemaVersion(old), version);
      assert.deepEqual(schemaOf(old), schemaOf(made));
      old.close();
      made.close();
    });

    it(`upgrades a version ${version} store (${file}) to version ${SCHEMA_VERSION}, keeping its rows`, () => {
      const path = fromFixture(file);
      const store = Store.open(path);
      const made = new BetterSqlite3(':memory:');
      migrate(made);
      try {
        assert.equal(schemaVersion(store.db), SCHEMA_VERSION);
        assert.deepEqual(schemaOf(store.db), schemaOf(made));
        assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
        const events = store.events.queryEvents({ limit: 10 });
        assert.deepEqual(
          events.map((e) => [e.id, e.result, e.ip, e.user]),
          [
            [3, 'success', '2001:db8::7', 'alice'],
            [2, 'fail', '203.0.113.5', "x'); DROP TABLE events; --"],
            [1, 'fail', '203.0.113.5', 'root'],
          ],
        );
        assert.deepEqual(store.findings.recent()[0]?.users, ['root', "x'); DROP TABLE events; --"]);
        assert.equal(store.positions.get('file:/var/log/auth.log'), '{"ino":1234,"offset":5678}');
        assert.deepEqual(store.status.get('daemon')?.value, { pid: 4242, version: '0.1.0' });
        if (version >= 2) {
          const approved = store.approvals.get('Fx7kQ2mZp9Ab');
          assert.equal(approved?.status, 'approved');
          assert.deepEqual(approved?.target, { cidr: '203.0.113.5/32', family: 4 });
          assert.deepEqual(approved?.evidence, { findings: [1], events: [1, 2] });
          assert.equal(approved?.decidedBy, 'root');
          assert.equal(approved?.channel, 'cli');
          // Signed before the MAC covered decisions: marked, so it never verifies as a new one.
          assert.ok(approved?.mac.startsWith('v1:'));
          const pending = store.approvals.list({ status: 'pending' });
          assert.deepEqual(
            pending.map((a) => [a.id, a.target?.cidr, a.durationMs, a.reason]),
            [['Zq3Wn8Lr5Tb1', '2001:db8:1:2::/64', null, "x'); DROP TABLE approvals; --"]],
          );
          assert.deepEqual(
            store.bans.history('203.0.113.5/32').map((b) => [b.id, b.offence, b.removedReason]),
            [
              [2, 1, null],
              [1, 0, 'expired'],
            ],
          );
          assert.deepEqual(
            store.bans.active(1795590900000).map((b) => b.id),
            [2],
          );
          assert.deepEqual(
            store.audit.list().map((e) => [e.id, e.action, e.actor]),
            [
              [2, 'approval.approve', 'root'],
              [1, 'approval.request', 'jail:sshd'],
            ],
          );
          assert.throws(() => store.db.prepare('DELETE FROM audit').run(), /append-only/);
        }
      } finally {
        store.close();
        made.close();
      }
    });
  }

  it('refuses a database written by a newer Sheriff, read-write or read-only, and leaves it alone', () => {
    const path = fresh();
    openDatabase(path).close();
    const raw = new BetterSqlite3(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    for (const readonly of [false, true]) {
      assert.throws(
        () => openDatabase(path, { readonly }),
        (err: unknown) =>
          err instanceof StoreOpenError &&
          err.problem === 'newer' &&
          err.exitCode === 2 &&
          err.cause instanceof SchemaTooNewError &&
          err.cause.found === SCHEMA_VERSION + 1 &&
          err.message.includes(path) &&
          /newer Sheriff/.test(err.message),
      );
    }
    const check = new BetterSqlite3(path, { readonly: true });
    assert.equal(schemaVersion(check), SCHEMA_VERSION + 1);
    check.close();
  });

  it('read-only, or create: false: no file is created for a missing store, and the error says so', () => {
    const path = fresh();
    for (const options of [{ readonly: true }, { create: false }]) {
      assert.throws(
        () => openDatabase(path, options),
        (err: unknown) =>
          err instanceof StoreOpenError &&
          err.problem === 'missing' &&
          err.exitCode === 1 &&
          err.message.includes(path) &&
          /daemon has not run yet/.test(err.message),
      );
      assert.throws(() => statSync(dirname(path)), { code: 'ENOENT' });
    }
  });

  it('read-only: refuses writes, and asks for an upgrade when the schema is older', () => {
    const path = fresh();
    openDatabase(path).close();
    const ro = openDatabase(path, { readonly: true });
    assert.throws(() => ro.prepare("INSERT INTO daemon_status VALUES ('k', '1', 1)").run(), {
      code: 'SQLITE_READONLY',
    });
    ro.close();

    const old = fresh();
    openRaw(old).close(); // a valid, empty SQLite file: schema version 0
    assert.throws(
      () => openDatabase(old, { readonly: true }),
      (err: unknown) =>
        err instanceof StoreOpenError && /not an initialised Sheriff store/.test(err.message),
    );
  });

  it('permission denied: names the path, suggests store.path or the owning user', () => {
    // Tried as another user: as root, in a child process running as nobody.
    const base = mkdtempSync(join(tmpdir(), 'sheriff-store-perm-'));
    try {
      chmodSync(base, 0o755);
      const locked = join(base, 'locked');
      mkdirSync(locked, { mode: 0o755 });
      openDatabase(join(locked, 'sheriff.db')).close();
      chmodSync(join(locked, 'sheriff.db'), 0o400); // not writable, even by its owner
      chmodSync(locked, 0o555);
      const cases = [join(locked, 'sub', 'sheriff.db'), join(locked, 'sheriff.db')];
      for (const path of cases) {
        const message = openAsAnotherUser(path);
        assert.match(message, /permission denied/);
        assert.ok(message.includes(dirname(path)), message);
        assert.match(message, /store\.path/);
        assert.match(message, /"sheriff"/);
      }
    } finally {
      chmodSync(join(base, 'locked'), 0o755);
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('names the path and a remedy when the directory cannot be created', () => {
    const blocker = fresh('file');
    mkdirSync(dirname(blocker), { recursive: true });
    writeFileSync(blocker, 'not a directory');
    const path = join(blocker, 'sheriff.db');
    assert.throws(
      () => openDatabase(path),
      (err: unknown) =>
        err instanceof StoreOpenError &&
        err.message.includes(blocker) &&
        /store\.path/.test(err.message),
    );
  });

  it('says when the file is not a Sheriff store', () => {
    const path = fresh();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      'this is not an SQLite database, just some text long enough to fill a header'.repeat(10),
    );
    assert.throws(
      () => openDatabase(path),
      (err: unknown) =>
        err instanceof StoreOpenError &&
        err.code === 'SQLITE_NOTADB' &&
        /Move it aside/.test(err.message),
    );
  });
});

/** What the `sqlite3` program prints for `sql` on `path`: another process opening and closing the file. */
function sqlite3(path: string, sql: string): string {
  return execFileSync('sqlite3', [path, sql], { encoding: 'utf8' }).trim();
}

describe('other connections and processes', () => {
  it('never cost an open connection its locks: the WAL stays, its writes stay visible', () => {
    const path = fresh();
    const daemon = openDatabase(path);
    // The web console opens its own connection in the daemon's process, the CLI its own.
    const web = openDatabase(path);
    openDatabase(path, { readonly: true }).close();
    try {
      daemon.prepare("INSERT INTO daemon_status VALUES ('before', '1', 1)").run();
      const wal = statSync(`${path}-wal`).ino;
      // A reader and a backup script: each opens the file, reads, and closes it.
      for (const sql of [
        'SELECT count(*) FROM daemon_status',
        'PRAGMA wal_checkpoint',
        `VACUUM INTO '${path}.backup'`,
      ]) {
        sqlite3(path, sql);
        assert.equal(statSync(`${path}-wal`).ino, wal, `the WAL was deleted after "${sql}"`);
      }
      daemon.prepare("INSERT INTO daemon_status VALUES ('after', '1', 1)").run();
      web.prepare("INSERT INTO daemon_status VALUES ('web', '1', 1)").run();
      assert.equal(
        sqlite3(path, 'SELECT group_concat(key) FROM (SELECT key FROM daemon_status ORDER BY key)'),
        'after,before,web',
      );
    } finally {
      web.close();
      daemon.close();
    }
    assert.equal(sqlite3(path, 'SELECT count(*) FROM daemon_status'), '3');
  });
});

describe('migrate', () => {
  it('runs each step in a transaction: a failing step leaves the previous version intact', () => {
    const db = new BetterSqlite3(':memory:');
    const broken: Migration[] = [
      ...MIGRATIONS,
      {
        version: SCHEMA_VERSION + 1,
        name: 'broken',
        up: 'CREATE TABLE half (x); SELECT * FROM nowhere;',
      },
    ];
    assert.throws(() => migrate(db, broken), /no such table: nowhere/);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.equal(
      db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").pluck().get(),
      0,
    );
    db.close();
  });

  it('applies only the steps a database lacks, and rejects a misnumbered list', () => {
    const db = new BetterSqlite3(':memory:');
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, name: 'extra', up: 'CREATE TABLE extra (x INTEGER) STRICT;' },
    ];
    assert.deepEqual(migrate(db).applied.length, SCHEMA_VERSION);
    assert.deepEqual(migrate(db, extra), {
      from: SCHEMA_VERSION,
      to: SCHEMA_VERSION + 1,
      applied: [`${SCHEMA_VERSION + 1}: extra`],
    });
    assert.deepEqual(migrate(db, extra).applied, []);
    assert.throws(() => migrate(db, MIGRATIONS), SchemaTooNewError);
    assert.throws(() => migrate(db, [{ version: 2, name: 'gap', up: '' }]), /numbered 1, 2, 3/);
    db.close();
  });
});
