/** The daily reports API: the stored report with its text in the user's language. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { sampleReport } from '../report/testing.js';
import type { StoredReport } from '../store/index.js';
import { onDemand, registerModules } from './modules.js';

describe('GET /reports', () => {
  const rows: StoredReport[] = [
    { date: '2026-11-24', createdAt: 1, report: { version: 99 } },
    { date: '2026-11-25', createdAt: 2, report: sampleReport() },
  ];
  const reports = {
    get: (date: string) => Promise.resolve(rows.find((r) => r.date === date) ?? null),
    before: (date: string) => Promise.resolve(rows.filter((r) => r.date < date).at(-1) ?? null),
  };

  it('gives the report as text in the requested language, and null for a shape it cannot read', async () => {
    const app = Fastify();
    registerModules(app, { reports }, () => 0);
    const ko = await app.inject('/reports?lang=ko');
    assert.equal(ko.statusCode, 200);
    const body = ko.json<{ date: string; text: string; previous: string }>();
    assert.equal(body.date, '2026-11-25');
    assert.equal(body.previous, '2026-11-24');
    assert.match(body.text, /^📋 2026-11-25 일일 보고서 /);
    const en = await app.inject('/reports?date=2026-11-25&lang=en');
    assert.match(en.json<{ text: string }>().text, /^📋 Daily report 2026-11-25 /);
    const old = await app.inject('/reports?date=2026-11-24');
    assert.deepEqual(old.json<{ report: unknown; text: unknown }>().text, null);
    await app.close();
  });

  it("makes today's report on demand, at most once a minute, in the requested language", async () => {
    let now = 1_000_000;
    let made = 0;
    const app = Fastify();
    registerModules(
      app,
      {
        reports,
        todayReport: () => {
          made++;
          return Promise.resolve(sampleReport({ date: '2026-11-26' }));
        },
      },
      () => now,
    );
    const ask = (lang: string) =>
      app.inject({ method: 'POST', url: '/reports/today', payload: { lang } });
    const first = await ask('ko');
    assert.equal(first.statusCode, 200);
    const body = first.json<{ date: string; createdAt: number; text: string; previous: string }>();
    assert.deepEqual([body.date, body.createdAt, body.previous], ['2026-11-26', now, '2026-11-25']);
    assert.match(body.text, /^📋 2026-11-26 일일 보고서 /);
    now += 59_000;
    const again = await ask('en');
    assert.match(again.json<{ text: string }>().text, /^📋 Daily report 2026-11-26 /);
    assert.equal(again.json<{ createdAt: number }>().createdAt, now - 59_000, 'the same one');
    assert.equal(made, 1, 'clicking again within the minute makes nothing');
    now += 1000;
    await ask('en');
    assert.equal(made, 2);
    assert.equal(
      (await app.inject({ method: 'POST', url: '/reports/today', payload: {} })).statusCode,
      200,
    );
    assert.equal(
      (await app.inject({ method: 'POST', url: '/reports/today', payload: { lang: 'fr' } }))
        .statusCode,
      400,
    );
    await app.close();
  });
});

describe('onDemand', () => {
  it('shares a run in flight and keeps no failure', async () => {
    let now = 0;
    let runs = 0;
    let fail = true;
    const once = onDemand(
      () => {
        runs++;
        return fail ? Promise.reject(new Error('store busy')) : Promise.resolve(runs);
      },
      () => now,
      60_000,
    );
    await assert.rejects(once(), /store busy/);
    fail = false;
    const [a, b] = await Promise.all([once(), once()]);
    assert.deepEqual(
      [a.value, b.value, runs],
      [2, 2, 2],
      'a failure is tried again; one run shared',
    );
    now = 60_000;
    assert.equal((await once()).value, 3);
  });
});
