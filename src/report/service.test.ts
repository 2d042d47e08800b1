/**
 * ReportService: a run stores and delivers the report once; the analyst's
 * commentary is added when it answers and left out when it fails or is too
 * slow; /report's text comes from the store or is made on the spot.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TrustedProvider } from '../intel/trusted.js';
import { Store } from '../store/index.js';
import { sampleEvent, T0 } from '../store/testing.js';
import { ManualClock } from '../testing/manual-clock.js';
import { reportSchema } from './config.js';
import { parseReport, type DailyReport } from './model.js';
import { ReportService, type ReportServiceOptions } from './service.js';

const HOUR = 3_600_000;
const root = mkdtempSync(join(tmpdir(), 'sheriff-report-service-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A service over a store with one attacker's failures in the last day (so not a quiet day). */
function setup(over: Partial<ReportServiceOptions> = {}) {
  const store = Store.open(join(root, `s${++n}.db`));
  store.events.insert(sampleEvent({ time: T0 - HOUR }));
  const delivered: DailyReport[] = [];
  const service = new ReportService({
    store: store.records,
    config: reportSchema.parse({}),
    language: 'en',
    timezone: 'Asia/Seoul',
    deliver: (r) => delivered.push(r),
    clock: new ManualClock(T0),
    internal: (ip) => new TrustedProvider().isInternal(ip),
    ...over,
  });
  return { store, service, delivered };
}

describe('report service', () => {
  it('run() stores the report under its local date and delivers it once', async () => {
    const { store, service, delivered } = setup();
    const r = await service.run();
    assert.ok(r !== null);
    assert.equal(r.date, '2026-11-25');
    assert.equal(delivered.length, 1);
    assert.deepEqual(delivered[0], r);
    const stored = store.reports.get('2026-11-25');
    assert.equal(stored?.createdAt, T0);
    assert.deepEqual(parseReport(stored?.report), r);
    store.close();
  });

  it('adds the analyst commentary, in the configured language', async () => {
    const asked: { level: string; lang: string }[] = [];
    const { store, service, delivered } = setup({
      language: 'ko',
      commentary: (report, lang) => {
        asked.push({ level: report.status.level, lang });
        return Promise.resolve('  203.0.113.5의 공격을 지켜보십시오.\n');
      },
    });
    const r = await service.run();
    assert.deepEqual(asked, [{ level: 'normal', lang: 'ko' }]);
    assert.deepEqual(r?.commentary, { lang: 'ko', text: '203.0.113.5의 공격을 지켜보십시오.' });
    assert.deepEqual(delivered[0]?.commentary, r?.commentary);
    assert.match(
      await service.textFor('ko'),
      /분석가 의견.*: 203\.0\.113\.5의 공격을 지켜보십시오\.$/,
    );
    store.close();
  });

  it('preview: today so far, with the commentary, neither stored nor delivered', async () => {
    const { store, service, delivered } = setup({
      commentary: () => Promise.resolve('One attacker, watched.'),
    });
    const r = await service.preview(T0 + HOUR);
    assert.equal(r.to, T0 + HOUR);
    assert.equal(r.day.failures, 1);
    assert.deepEqual(r.commentary, { lang: 'en', text: 'One attacker, watched.' });
    assert.equal(delivered.length, 0);
    assert.equal(store.reports.get(r.date), null);
    // Without an LLM it is made all the same.
    const plain = setup();
    assert.equal((await plain.service.preview()).commentary, null);
    store.close();
    plain.store.close();
  });

  it('makes the report without commentary when the analyst fails', async () => {
    const { store, service, delivered } = setup({
      commentary: () => Promise.reject(new Error('HTTP 500 from the provider')),
    });
    const r = await service.run();
    assert.equal(r?.commentary, null);
    assert.equal(delivered.length, 1);
    assert.ok(store.reports.get('2026-11-25') !== null);
    store.close();
  });

  it('gives up on a commentary that takes too long, aborting it', async () => {
    let signal: AbortSignal | undefined;
    const { store, service, delivered } = setup({
      commentaryTimeoutMs: 5,
      // A provider that ignores the signal: the service must not wait for it.
      commentary: (_r, _lang, s) => {
        signal = s;
        return new Promise<string>(() => {});
      },
    });
    const r = await service.run();
    assert.equal(r?.commentary, null);
    assert.equal(signal?.aborted, true);
    assert.equal(delivered.length, 1);
    store.close();
  });

  it('asks for no commentary on a quiet day, nor when commentary is off', async () => {
    let calls = 0;
    const commentary = () => {
      calls++;
      return Promise.resolve('Nothing to see.');
    };
    const quiet = setup({ commentary, clock: new ManualClock(T0 + 3 * 24 * HOUR) });
    assert.equal((await quiet.service.run())?.commentary, null);
    const off = setup({ commentary, config: reportSchema.parse({ commentary: false }) });
    assert.equal((await off.service.run())?.commentary, null);
    assert.equal(calls, 0);
    quiet.store.close();
    off.store.close();
  });

  it('never throws: a failed build is logged and gives null', async () => {
    const { store, service, delivered } = setup();
    store.close(); // every query now fails
    assert.equal(await service.run(), null);
    assert.equal(delivered.length, 0);
  });

  it('textFor: the stored report, or one made now saying so, or why not', async () => {
    const { store, service } = setup();
    const fresh = await service.textFor('en');
    assert.match(
      fresh,
      /^No report is stored for 2026-11-25: this one was made from the store just now, .*\n\n📋 Daily report 2026-11-25 /,
    );
    await service.run();
    assert.match(await service.textFor('en'), /^📋 Daily report 2026-11-25 /);
    assert.match(await service.textFor('en', '2026-11-25'), /^📋 Daily report 2026-11-25 /);
    assert.match(
      await service.textFor('en', '2026-11-20'),
      /^No report is stored for 2026-11-20: .*\n\n📋 Daily report 2026-11-20: a quiet day\./,
    );
    assert.equal(
      await service.textFor('en', '2026-13-01'),
      'expected a date like 2026-11-25, got "2026-13-01"',
    );
    assert.equal(
      await service.textFor('ko', '2026-12-01'),
      '2026-12-01 보고서는 아직 없습니다. 아직 오지 않은 날입니다',
    );
    store.close();
  });

  it('start() runs the report on the cron at 09:00 in the zone, and nothing when disabled or stopped', async () => {
    const clock = new ManualClock(T0); // 16:00 in Seoul
    const off = setup({ config: reportSchema.parse({ enabled: false }), clock });
    off.service.start();
    assert.equal(off.service.nextRun(), null);
    const on = setup({ clock });
    on.service.start();
    const nine = Date.UTC(2026, 10, 26, 0, 0, 0); // 09:00 the next day in Seoul
    assert.equal(on.service.nextRun(), nine);
    await clock.advanceTo(nine - 1);
    assert.equal(on.delivered.length, 0);
    await clock.advance(1);
    assert.deepEqual(
      on.delivered.map((r) => r.date),
      ['2026-11-26'],
    );
    assert.equal(on.store.reports.get('2026-11-26')?.createdAt, nine);
    assert.equal(on.service.nextRun(), nine + 24 * HOUR);
    on.service.stop();
    assert.equal(on.service.nextRun(), null);
    await clock.advance(2 * 24 * HOUR);
    assert.equal(on.delivered.length, 1);
    assert.equal(off.delivered.length, 0);
    off.store.close();
    on.store.close();
  });
});
