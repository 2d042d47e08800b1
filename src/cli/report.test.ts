/** `sheriff report` through the real binary, on a store written here. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleReport } from '../report/testing.js';
import { Store } from '../store/index.js';
import { sampleEvent } from '../store/testing.js';
import { runCli } from '../testing/run-cli.js';

describe('sheriff report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheriff-report-cli-'));
  const config = join(dir, 'sheriff.yaml');
  const stored = sampleReport();
  before(() => {
    const db = join(dir, 'sheriff.db');
    writeFileSync(config, `store:\n  path: ${db}\ntimezone: Asia/Seoul\n`);
    const store = Store.open(db);
    store.reports.put('2026-11-24', sampleReport({ date: '2026-11-24' }), stored.from);
    store.reports.put(stored.date, stored, stored.to);
    // A failure on 2026-11-20 (KST), a day with no stored report.
    store.events.insert(sampleEvent({ time: Date.UTC(2026, 10, 19, 12, 0, 0) }));
    store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--json prints the latest stored report as it was stored', async () => {
    const r = await runCli(['--config', config, 'report', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(JSON.parse(r.stdout), stored);
  });

  it('prints the report of a date in words, in Korean too', async () => {
    const en = await runCli(['--config', config, 'report', '--date', '2026-11-24']);
    assert.equal(en.code, 0, en.stderr);
    assert.match(en.stdout, /^📋 Daily report 2026-11-24 /);
    const ko = await runCli(['--config', config, '--lang', 'ko', 'report']);
    assert.equal(ko.code, 0, ko.stderr);
    assert.match(ko.stdout, /^📋 2026-11-25 일일 보고서 /);
    assert.match(ko.stdout, /처음 보는 주소/);
  });

  it('makes the report of a date with none stored, and says so in one line', async () => {
    const r = await runCli(['--config', config, 'report', '--date', '2026-11-20', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^No report is stored for 2026-11-20: /);
    const made = JSON.parse(r.stdout) as typeof stored;
    assert.equal(made.date, '2026-11-20');
    assert.equal(made.to, Date.UTC(2026, 10, 20, 0, 0, 0), 'the 09:00 KST run of that day');
    assert.deepEqual(made.day, {
      failures: 1,
      attackers: 1,
      bans: 0,
      bansNotEnforced: 0,
      incidents: 0,
    });
    assert.equal(made.ports, null);
    assert.equal(made.commentary, null);
  });

  it('exits 2 naming a bad --date', async () => {
    const r = await runCli(['--config', config, 'report', '--date', '2026-02-30']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--date: expected a date like 2026-11-25, got "2026-02-30"/);
  });
});
