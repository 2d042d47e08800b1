import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Severity, Verdict, IncidentKind } from '../domain.js';
import { computeStatus } from './status.js';

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
