/**
 * The analysis side of the daemon, in-process on a real log file and SQLite
 * store: a break-in becomes one incident that the rules triage as malicious and
 * critical, with the approval on its timeline; the status turns to danger and
 * is announced; the
 * Telegram hooks answer from it; an admin's verdict from the CLI is in force
 * while the rules' stays on record.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from './parse-config.js';
import { Daemon } from './daemon.js';
import { translator } from '../i18n/index.js';
import { createLogger } from '../log.js';
import type { Alert } from '../notify/notifier.js';
import { DryRunFirewall } from '../respond/firewall/dry-run.js';
import { openStore } from '../store/index.js';
import { ManualClock } from '../testing/manual-clock.js';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-analysis-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stamp = () => new Date().toISOString();
const failed = (n: number, ip: string) =>
  `${stamp()} web1 sshd[${2000 + n}]: Failed password for root from ${ip} port ${41000 + n} ssh2\n`;
const accepted = (ip: string) =>
  `${stamp()} web1 sshd[2999]: Accepted password for root from ${ip} port 41999 ssh2\n`;

describe('incidents in the running daemon', () => {
  it('a break-in becomes one malicious, critical incident with its approval on the timeline', async () => {
    const log = join(dir, 'auth.log');
    const db = join(dir, 'sheriff.db');
    const yaml = join(dir, 'sheriff.yaml');
    const text = `store: { path: ${db} }\nsources: [{ type: file, path: ${log}, startAtBeginning: true, pollInterval: 100ms }]\njails: { sshd: { maxretry: 5 } }\nresponse: { firewall: dry-run }\n`;
    await writeFile(yaml, text);
    await writeFile(log, '');
    const config = parseConfig(text, yaml);
    const alerts: Alert[] = [];
    const clock = new ManualClock();
    const daemon = Daemon.start({
      config,
      logger: createLogger({ level: 'silent', format: 'json' }),
      t: translator('en'),
      notifiers: [{ id: 'collect', send: (a) => Promise.resolve(void alerts.push(a)) }],
      sources: config.sources,
      firewall: new DryRunFirewall({ log: () => {} }),
      clock,
    });
    const ip = '203.0.113.51';
    try {
      let lines = '';
      for (let i = 0; i < 4; i++) lines += failed(i, ip);
      await appendFile(log, lines + accepted(ip));
      const store = openStore(db, { readonly: true });
      try {
        await waitFor('the compromise finding', () =>
          store.findings.recent().some((f) => f.kind === 'compromise'),
        );
      } finally {
        store.close();
      }
      // Incidents take in what was read on their 5 s tick.
      await clock.advance(5000);
      // The status turned from normal to danger: every channel hears it once.
      const changes = alerts.filter((a) => a.type === 'status');
      assert.deepEqual(
        changes.map((a) => [a.previous, a.status.level, a.status.reasons[0]?.code]),
        [['normal', 'danger', 'compromise']],
      );
      const hooks = daemon.followUp.botHooks;
      assert.equal(await hooks.level?.(), 'danger');
      const listed = await hooks.incidents!('ko');
      assert.match(listed, /위험/);
      assert.match(listed, /203\.0\.113\.51/);
    } finally {
      await daemon.stop();
    }

    const store = openStore(db, { readonly: true });
    let id: number;
    try {
      const incidents = store.incidents.list({});
      assert.equal(incidents.length, 1, 'one attacker, one incident');
      const incident = store.incidents.get(incidents[0]!.id)!;
      id = incident.id;
      assert.deepEqual(
        [incident.attacker, incident.state, incident.verdict, incident.severity],
        [ip, 'triaged', 'malicious', 'critical'],
      );
      assert.ok(incident.kinds.includes('compromise'));
      assert.equal(incident.successes, 1);
      assert.ok(incident.rules!.reasons.includes('login-after-failures'));
      const kinds = incident.timeline.map((e) => e.kind);
      for (const k of ['opened', 'finding', 'triage', 'approval'])
        assert.ok(kinds.includes(k as never), `timeline has ${k}: ${kinds.join(',')}`);
      // The evidence names stored events of this attacker.
      const events = new Set(store.events.queryEvents({ ip }).map((e) => e.id));
      assert.ok(incident.rules!.evidence.length > 0);
      for (const e of incident.rules!.evidence) assert.ok(events.has(e), `event ${e} is stored`);
    } finally {
      store.close();
    }

    const r = await runCli([
      '--config',
      yaml,
      'incident',
      String(id),
      '--verdict',
      'benign',
      '--note',
      'the owner, from a new laptop',
      '--resolve',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const after = openStore(db, { readonly: true });
    try {
      const i = after.incidents.get(id)!;
      assert.deepEqual([i.state, i.verdict, i.rules!.verdict], ['resolved', 'benign', 'malicious']);
      assert.equal(i.admin!.narrative, 'the owner, from a new laptop');
    } finally {
      after.close();
    }
    const bad = await runCli(['--config', yaml, 'incident', String(id), '--verdict', 'fine']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected benign, suspicious or malicious, got "fine"/);
  });
});
