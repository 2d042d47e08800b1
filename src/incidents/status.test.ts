import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity, Verdict, IncidentKind } from '../domain.js';
import type { Async } from '../store/api.js';
import { BASELINE_REUSE_MS, computeStatus, statusReader, type StatusSource } from './status.js';

function inc(
  id: number,
  kinds: IncidentKind[],
  verdict: Verdict | null,
  severity: Severity | null = null,
) {
  return { id, attacker: `203.0.113.${id}`, kinds, verdict, severity };
}

describe('computeStatus', () => {
  it('is normal with no incident and ordinary failures, and says so', () => {
    const s = computeStatus({ incidents: [], failuresLastHour: 30, baselinePerHour: 12 });
    assert.deepEqual(s, {
      level: 'normal',
      reasons: [{ code: 'quiet', params: {}, incidents: [] }],
    });
  });

  it('a brute force the rules have not triaged yet is caution, not normal', () => {
    const s = computeStatus({
      incidents: [inc(4, ['bruteforce'], null), inc(5, ['bruteforce'], 'benign')],
      failuresLastHour: 0,
      baselinePerHour: 0,
    });
    assert.deepEqual(
      [s.level, s.reasons.map((r) => [r.code, r.incidents])],
      ['caution', [['untriaged', [4]]]],
    );
  });

  it('a compromise not judged benign is danger, listed first', () => {
    const s = computeStatus({
      incidents: [
        inc(1, ['bruteforce'], 'suspicious'),
        inc(2, ['compromise'], 'malicious', 'critical'),
      ],
      failuresLastHour: 0,
      baselinePerHour: 0,
    });
    assert.equal(s.level, 'danger');
    assert.deepEqual(
      s.reasons.map((r) => [r.code, r.incidents]),
      [
        ['compromise', [2]],
        ['suspicious', [1]],
      ],
    );
    // Still danger before the rules had their say (no verdict yet).
    assert.equal(
      computeStatus({
        incidents: [inc(3, ['compromise'], null)],
        failuresLastHour: 0,
        baselinePerHour: 0,
      }).level,
      'danger',
    );
    // An admin who judged the login benign lowers it.
    assert.equal(
      computeStatus({
        incidents: [inc(3, ['compromise'], 'benign')],
        failuresLastHour: 0,
        baselinePerHour: 0,
      }).level,
      'normal',
    );
  });

  it('a critical malicious verdict is danger; malicious or suspicious ones are caution', () => {
    const crit = computeStatus({
      incidents: [inc(1, ['poisoned-username'], 'malicious', 'critical')],
      failuresLastHour: 0,
      baselinePerHour: 0,
    });
    assert.equal(crit.level, 'danger');
    assert.equal(crit.reasons[0]!.code, 'critical');
    const s = computeStatus({
      incidents: [inc(1, ['bruteforce'], 'malicious', 'high'), inc(2, ['bruteforce'], 'benign')],
      failuresLastHour: 0,
      baselinePerHour: 0,
    });
    assert.equal(s.level, 'caution');
    assert.deepEqual(
      s.reasons.map((r) => r.code),
      ['malicious'],
    );
    assert.equal(s.reasons[0]!.params.count, 1);
  });

  it('failures at three times the baseline (and at least 20) in the last hour is caution', () => {
    assert.equal(
      computeStatus({ incidents: [], failuresLastHour: 29, baselinePerHour: 10 }).level,
      'normal',
    );
    const s = computeStatus({ incidents: [], failuresLastHour: 30, baselinePerHour: 10 });
    assert.equal(s.level, 'caution');
    assert.deepEqual(s.reasons[0], {
      code: 'failure-surge',
      params: { failures: 30, baseline: 10 },
      incidents: [],
    });
    assert.equal(
      computeStatus({ incidents: [], failuresLastHour: 19, baselinePerHour: 0 }).level,
      'normal',
    );
    assert.equal(
      computeStatus({ incidents: [], failuresLastHour: 20, baselinePerHour: 0 }).level,
      'caution',
    );
  });
});

describe('statusReader', () => {
  const hour = 3_600_000;
  /** Failures at these times; records the ranges asked for. */
  function source(times: number[]) {
    const asked: [number, number][] = [];
    const src: Async<StatusSource> = {
      activeIncidents: () => Promise.resolve([]),
      failuresBetween: (from, to) => {
        asked.push([from, to]);
        return Promise.resolve(times.filter((t) => t >= from && t < to).length);
      },
    };
    return { src, asked, times };
  }

  it('reads the week of failures again only after the reuse time; the last hour every time', async () => {
    const t0 = 100 * 24 * hour;
    // A quiet week: 2 failures an hour (167 hours before the last one).
    const s = source(Array.from({ length: 334 }, (_, i) => t0 - hour - 1 - i * 1_800_000));
    const read = statusReader(s.src);
    assert.equal((await read(t0)).level, 'normal');
    const weekReads = () => s.asked.filter(([from, to]) => to - from > hour).length;
    assert.equal(weekReads(), 1);
    // A surge within the last hour counts at the next call, without reading the week again.
    s.times.push(...Array.from({ length: 25 }, (_, i) => t0 + 1000 + i));
    const surged = await read(t0 + 5000);
    assert.equal(surged.level, 'caution');
    assert.deepEqual(surged.reasons[0]!.params, { failures: 25, baseline: 2 });
    assert.equal(weekReads(), 1);
    await read(t0 + BASELINE_REUSE_MS - 1);
    assert.equal(weekReads(), 1);
    await read(t0 + BASELINE_REUSE_MS);
    assert.equal(weekReads(), 2);
  });

  it('reads the week again when the clock went back', async () => {
    const s = source([]);
    const read = statusReader(s.src);
    await read(10 * 24 * hour);
    await read(10 * 24 * hour - 1);
    assert.equal(s.asked.filter(([from, to]) => to - from > hour).length, 2);
  });
});
