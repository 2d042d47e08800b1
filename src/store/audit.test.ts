import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Store, type AuditEntry } from './index.js';
import { T0 } from './testing.js';

const root = mkdtempSync(join(tmpdir(), 'sheriff-store-audit-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `a${++n}.db`);

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  time: T0,
  actor: 'root',
  channel: 'cli',
  action: 'approval.approve',
  target: '203.0.113.5/32',
  outcome: 'ok',
  detail: { approval: 'Fx7kQ2mZp9Ab' },
  ...over,
});

describe('AuditStore', () => {
  it('appends entries and lists them newest first, from a time, up to a limit', () => {
    const store = Store.open(freshPath());
    try {
      assert.equal(store.audit.append(entry()), 1);
      store.audit.append(
        entry({ time: T0 + 1000, actor: 'jail:sshd', channel: null, target: null }),
      );
      store.audit.append(
        entry({
          time: T0 + 2000,
          outcome: 'refused',
          detail: { why: "x'); DROP TABLE audit; --" },
        }),
      );
      const all = store.audit.list();
      assert.deepEqual(
        all.map((e) => e.id),
        [3, 2, 1],
      );
      assert.deepEqual(all[0], {
        id: 3,
        time: T0 + 2000,
        actor: 'root',
        channel: 'cli',
        action: 'approval.approve',
        target: '203.0.113.5/32',
        outcome: 'refused',
        detail: { why: "x'); DROP TABLE audit; --" },
      });
      assert.equal(all[1]?.channel, null);
      assert.deepEqual(
        store.audit.list({ since: T0 + 1000 }).map((e) => e.id),
        [3, 2],
      );
      assert.deepEqual(
        store.audit.list({ limit: 1 }).map((e) => e.id),
        [3],
      );
      assert.throws(() => store.audit.list({ limit: 0 }), RangeError);
      assert.throws(() => store.audit.append(entry({ outcome: 'maybe' as never })), TypeError);
    } finally {
      store.close();
    }
  });

  it('is append-only: UPDATE and DELETE are refused by the schema', () => {
    const store = Store.open(freshPath());
    try {
      store.audit.append(entry());
      assert.throws(() => store.db.prepare("UPDATE audit SET actor = 'mallory'").run(), {
        code: 'SQLITE_CONSTRAINT_TRIGGER',
        message: /append-only/,
      });
      assert.throws(() => store.db.prepare('DELETE FROM audit').run(), /append-only/);
      assert.equal(store.audit.list()[0]?.actor, 'root');
    } finally {
      store.close();
    }
  });
});
