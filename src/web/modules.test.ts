/** The daily reports API: the stored report with its text in the user's language. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { sampleReport } from '../report/testing.js';
import type { StoredReport } from '../store/index.js';
import { registerModules } from './modules.js';

describe('GET /reports', () => {
  const rows: StoredReport[] = [
    { date: '2026-11-24', createdAt: 1, report: { version: 99 } },
    { date: '2026-11-25', createdAt: 2, report: sampleReport() },
  ];
  const reports = {
    get: (date: string) => rows.find((r) => r.date === date) ?? null,
    before: (date: string) => rows.filter((r) => r.date < date).at(-1) ?? null,
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
});
