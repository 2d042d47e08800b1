/**
 * The machine's own zone takes its offsets from Date rather than Intl (start-up):
 * it must agree with Intl's zone of the same name, DST changes included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nextCronRun } from '../clock.js';
import { TimeZone } from './zone.js';

const HOUR = 3_600_000;

describe('TimeZone.local', () => {
  const saved = process.env.TZ;
  before(() => {
    process.env.TZ = 'America/New_York'; // Node re-reads the zone when TZ is set
  });
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('has the offsets and wall-clock conversions of the named zone', () => {
    const local = TimeZone.local();
    const named = new TimeZone('America/New_York');
    assert.equal(local.name, 'America/New_York');
    // Every hour across both 2026 DST changes (8 March, 1 November).
    for (const day of [Date.UTC(2026, 2, 7), Date.UTC(2026, 9, 31)])
      for (let at = day; at < day + 72 * HOUR; at += HOUR / 2) {
        assert.equal(local.offsetAt(at), named.offsetAt(at), new Date(at).toISOString());
        assert.equal(local.format(at), named.format(at));
      }
    for (const [h, mi] of [
      [1, 30],
      [2, 30], // in the spring gap
      [3, 30],
    ])
      assert.equal(
        local.localToEpoch(2026, 3, 8, h!, mi!, 0),
        named.localToEpoch(2026, 3, 8, h!, mi!, 0),
      );
    // In the autumn overlap, the earlier instant.
    assert.equal(
      local.localToEpoch(2026, 11, 1, 1, 30, 0),
      named.localToEpoch(2026, 11, 1, 1, 30, 0),
    );
    assert.equal(local.offsetAt(Date.UTC(2026, 0, 1)), -300);
  });

  it('schedules cron runs (croner reading Date) as in the named zone', () => {
    const local = TimeZone.local();
    const named = new TimeZone('America/New_York');
    assert.equal(local.configuredName, undefined);
    assert.equal(named.configuredName, 'America/New_York');
    // Daily, and in the spring gap and autumn overlap, across both 2026 DST changes.
    for (const expr of ['0 8 * * *', '30 2 * * *', '30 1 * * *', '*/20 * * * *'])
      for (const day of [Date.UTC(2026, 2, 6), Date.UTC(2026, 9, 30)])
        for (let from = day; from < day + 96 * HOUR; from += 20 * 60_000)
          assert.equal(
            nextCronRun(expr, local.configuredName, from),
            nextCronRun(expr, named.configuredName, from),
            `${expr} after ${new Date(from).toISOString()}`,
          );
  });
});
