/**
 * Approvals cannot be forged in the store. Each column of a real approvals row
 * is edited with the `sqlite3` CLI, as someone with write access to the file
 * would; then the path that executes approvals (the responder's tick, with the
 * dry-run firewall) and the display paths (Approvals.list, `sheriff approvals`
 * as a process) run. Nothing is executed, and the tampering is reported once:
 * an 'approval.tampered' audit entry, a log error, and "tampered" wherever the
 * row is shown, never what it now claims.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { trustedNetworks } from '../intel/trusted.js';
import { createLogger } from '../log.js';
import { Store } from '../store/index.js';
import { runCli } from '../testing/run-cli.js';
import { Approvals, authorizer } from './approvals.js';
import { CircuitBreaker } from './breaker.js';
import { DryRunFirewall } from './firewall/dry-run.js';
import { Guardrails } from './guardrails.js';
import { Responder, type ResponseAlert } from './responder.js';
import { parseSecret } from './secret.js';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'sheriff-tamper-'));
after(() => rmSync(root, { recursive: true, force: true }));
const secretHex = randomBytes(32).toString('hex');
const MIN = 60_000;
let n = 0;

/** Edits the store file with the sqlite3 program: no Sheriff code involved. */
async function sqlite(path: string, sql: string): Promise<void> {
  await run('sqlite3', [path, sql]);
}

function setup() {
  const dir = join(root, `t${++n}`);
  const path = join(dir, 'sheriff.db');
  const store = Store.open(path);
  const logged = new PassThrough();
  const lines: string[] = [];
  logged.on('data', (b: Buffer) => lines.push(...String(b).split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'info', format: 'json' }, logged);
  let now = Date.now();
  const approvals = new Approvals(store.records, {
    key: parseSecret(secretHex, 'test'),
    authorize: authorizer(),
    logger,
  });
  const firewall = new DryRunFirewall({ log: () => {}, now: () => now });
  const alerts: ResponseAlert[] = [];
  const responder = new Responder({
    store: store.records,
    approvals,
    guardrails: new Guardrails({
      trusted: trustedNetworks(),
      sessions: { sessions: () => Promise.resolve([]) },
      breaker: new CircuitBreaker({ maxPerMinute: 30, clock: () => now }),
    }),
    firewall,
    jails: new Map([['sshd', { policy: 'approve', bantime: 600_000 }]]),
    settings: {
      increment: { factor: 2, max: 86_400_000 },
      killConnections: false,
      admins: [],
      managementPorts: [22],
      isolateRevertAfter: 60_000,
    },
    clock: () => now,
    logger,
    alert: (a) => alerts.push(a),
  });
  const config = join(dir, 'sheriff.yaml');
  writeFileSync(
    config,
    `store: { path: ${path} }\nsources: [{ type: stdin }]\nresponse: { firewall: dry-run }\n`,
  );
  return {
    path,
    store,
    approvals,
    responder,
    firewall,
    alerts,
    config,
    tamperErrors: () =>
      lines
        .map((l) => JSON.parse(l) as { event?: string; level: string })
        .filter((l) => l.event === 'approval_tampered'),
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

type Base = 'pending' | 'approved' | 'executed';

/** Each column, the state of the row when it is edited, and the edit. */
const CASES: { column: string; base: Base; set: string; shows?: string }[] = [
  // The forgery of the issue: a pending row made "approved" by hand.
  {
    column: 'status',
    base: 'pending',
    set: "status = 'approved', decided_by = 'root', channel = 'cli', decided_at = created_at + 1",
  },
  { column: 'action', base: 'approved', set: "action = 'unban'" },
  { column: 'cidr', base: 'approved', set: "cidr = '198.51.100.0/24'", shows: '198.51.100.0/24' },
  { column: 'family', base: 'approved', set: 'family = 6' },
  { column: 'duration_ms', base: 'approved', set: 'duration_ms = NULL' },
  { column: 'duration_ms', base: 'approved', set: 'duration_ms = 31536000000' },
  {
    column: 'reason',
    base: 'approved',
    set: "reason = 'cleared by the security team, approve at once'",
    shows: 'security team',
  },
  { column: 'requested_by', base: 'approved', set: "requested_by = 'admin:cli:root'" },
  { column: 'jail', base: 'approved', set: "jail = 'nginx-auth'", shows: 'nginx-auth' },
  { column: 'evidence', base: 'approved', set: `evidence = '{"findings":[999],"events":[]}'` },
  { column: 'created_at', base: 'approved', set: 'created_at = created_at + 1' },
  { column: 'expires_at', base: 'pending', set: 'expires_at = expires_at + 31536000000' },
  { column: 'mac', base: 'approved', set: `mac = '${'0'.repeat(64)}'` },
  { column: 'decided_at', base: 'approved', set: 'decided_at = decided_at + 1' },
  { column: 'decided_by', base: 'approved', set: "decided_by = 'mallory'", shows: 'mallory' },
  { column: 'channel', base: 'approved', set: "channel = 'web'" },
  // A replay: an executed approval made runnable again.
  { column: 'executed_at', base: 'executed', set: 'executed_at = NULL' },
];

describe('approvals tampered in the store file', () => {
  for (const c of CASES) {
    it(`${c.column} of ${c.base === 'pending' ? 'a' : 'an'} ${c.base} row (${c.set}): nothing executed, tampering reported`, async () => {
      const s = setup();
      try {
        s.responder.onFinding(
          {
            kind: 'bruteforce',
            jail: 'sshd',
            scope: 'address',
            ip: '203.0.113.5',
            count: 5,
            first: s.now(),
            last: s.now(),
            users: ['root'],
          },
          1,
        );
        await s.responder.settled();
        const [asked] = s.alerts;
        assert.equal(asked?.type, 'approval');
        const id = asked.type === 'approval' ? asked.approval.id : '';
        if (c.base !== 'pending')
          assert.ok(
            (await s.approvals.decide(id, 'approve', { channel: 'cli', identity: 'root' }, s.now()))
              .ok,
          );
        if (c.base === 'executed') {
          await s.responder.tick();
          assert.equal((await s.firewall.list()).length, 1);
          await s.firewall.unban([{ cidr: '203.0.113.5/32', family: 4 }]);
          s.store.db.prepare('DELETE FROM bans').run();
        }
        const before = s.store.audit.list().length;

        await sqlite(s.path, `UPDATE approvals SET ${c.set} WHERE id = '${id}'`);
        s.advance(1000);
        await s.responder.tick();
        await s.responder.tick();

        assert.deepEqual(await s.firewall.list(), [], 'nothing banned');
        assert.equal(s.store.bans.active(s.now()).length + s.store.bans.pending().length, 0);
        const tamperAudit = () =>
          s.store.audit
            .list()
            .slice(0, s.store.audit.list().length - before)
            .filter((e) => e.action === 'approval.tampered');
        // The executor found an approved one; a pending one is found when shown or decided.
        if (c.base !== 'pending') assert.equal(tamperAudit().length, 1, 'reported by the tick');
        assert.ok(
          !s.store.audit
            .list()
            .some((e) => e.action === 'approval.execute' && e.outcome === 'ok') ||
            c.base === 'executed',
        );

        // A human deciding it now is refused too.
        const r = await s.approvals.decide(
          id,
          'approve',
          { channel: 'cli', identity: 'root' },
          s.now(),
        );
        assert.ok(!r.ok);
        assert.equal(r.code, 'tampered');
        assert.equal(r.approval, null, 'the refusal repeats nothing the row claims');
        await s.responder.tick();
        assert.deepEqual(await s.firewall.list(), [], 'still nothing banned');

        const [report, ...more] = tamperAudit();
        assert.equal(more.length, 0, 'reported once in the audit log');
        assert.equal(report?.detail.approval, id);
        assert.equal(report?.target, null, 'the report repeats nothing the row claims');
        assert.equal(s.tamperErrors().length, 1, 'one log error');

        // Display: flagged, in the API every channel uses and in `sheriff approvals`.
        const shown = (await s.approvals.list({})).find((a) => a.id === id);
        assert.equal(shown?.tampered, true);
        const cli = await runCli(['--config', s.config, 'approvals', '--all'], {
          env: { SHERIFF_SECRET: secretHex },
        });
        assert.equal(cli.code, 0, cli.stderr);
        const line = cli.stdout.split('\n').find((l) => l.startsWith(id));
        assert.match(line ?? '', /TAMPERED/);
        if (c.shows !== undefined) assert.ok(!cli.stdout.includes(c.shows), cli.stdout);
        assert.equal(s.tamperErrors().length, 1, 'still reported only once');
      } finally {
        s.store.close();
      }
    });
  }

  it('an intact row is executed once, shown as it is, and reports nothing', async () => {
    const s = setup();
    try {
      const a = await s.approvals.request(
        {
          action: 'ban',
          target: { cidr: '203.0.113.9/32', family: 4 },
          durationMs: 10 * MIN,
          reason: 'sshd: 5 failures',
          requestedBy: 'jail:sshd',
          jail: 'sshd',
          evidence: { findings: [], events: [] },
        },
        s.now(),
      );
      assert.ok(
        (await s.approvals.decide(a.id, 'approve', { channel: 'cli', identity: 'root' }, s.now()))
          .ok,
      );
      await s.responder.tick();
      assert.deepEqual(
        (await s.firewall.list()).map((e) => e.target.cidr),
        ['203.0.113.9/32'],
      );
      assert.equal((await s.approvals.get(a.id))?.tampered, false);
      assert.ok(s.approvals.verify((await s.approvals.get(a.id))!), 'the executed state is signed');
      assert.equal(s.tamperErrors().length, 0);
      const cli = await runCli(['--config', s.config, 'approvals', '--all'], {
        env: { SHERIFF_SECRET: secretHex },
      });
      assert.match(cli.stdout, /sshd: 5 failures/);
      assert.doesNotMatch(cli.stdout, /TAMPERED/);
    } finally {
      s.store.close();
    }
  });
});
