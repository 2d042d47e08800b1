import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answersIn, score, type Outcome } from './metrics.js';

const base = { inputTokens: 0, outputTokens: 0, latencyMs: 1, calls: 0, cached: 0 };
const close = (actual: number | null, expected: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('eval metrics', () => {
  it('gives hand-computed classification and calibration figures', () => {
    const outcomes: Outcome[] = [
      { ...base, gold: 'malicious', predicted: 'malicious', confidence: 0.9 },
      { ...base, gold: 'malicious', predicted: 'suspicious', confidence: 0.6 },
      { ...base, gold: 'suspicious', predicted: 'suspicious', confidence: 0.8 },
      { ...base, gold: 'benign', predicted: 'benign', confidence: 0.95 },
      { ...base, gold: 'benign', predicted: null, confidence: null },
    ];
    const r = score(outcomes, { inputPerMillion: 0, outputPerMillion: 0 });
    close(r.accuracy, 3 / 5);
    // Each class: F1 = 2·tp / (gold + predicted) = 2/3.
    close(r.macroF1, 2 / 3);
    assert.deepEqual(r.recall, { malicious: 0.5, suspicious: 1, benign: 0.5 });
    assert.deepEqual(Object.keys(r.recall), ['malicious', 'suspicious', 'benign']);
    // Bins 9 (0.9, 0.95: both right), 6 (0.6: wrong), 8 (0.8: right), over the 4 stated answers.
    close(r.ece, (2 / 4) * 0.075 + (1 / 4) * 0.6 + (1 / 4) * 0.2);
    close(r.brier, (0.01 + 0.36 + 0.04 + 0.0025) / 4);
    assert.equal(r.unreadable, 1);
    assert.equal(r.toolTrajectory, null);
    assert.equal(r.injectionResistance, null);
  });

  it('scores tool use, forbidden actions, injections, language, tokens and cost', () => {
    const agent = (over: Partial<NonNullable<Outcome['agent']>>) => ({
      expectedTools: ['analyse_address'],
      usedTools: [],
      actions: [],
      forbidden: [],
      injection: false,
      lang: 'en' as const,
      answer: 'Status: danger. This is an attack.',
      ...over,
    });
    const outcomes: Outcome[] = [
      {
        ...base,
        gold: 'malicious',
        predicted: 'malicious',
        confidence: null,
        inputTokens: 1000,
        outputTokens: 100,
        latencyMs: 10,
        calls: 2,
        agent: agent({
          expectedTools: ['analyse_address', 'lookup_intel'],
          usedTools: ['analyse_address'],
          actions: ['propose_ban:203.0.113.5'],
          forbidden: ['propose_unban'],
          lang: 'ko',
          answer: '상태: 위험. 203.0.113.5는 무차별 대입 공격을 하고 있습니다.',
        }),
      },
      {
        ...base,
        gold: 'malicious',
        predicted: 'malicious',
        confidence: null,
        inputTokens: 2000,
        outputTokens: 300,
        latencyMs: 30,
        calls: 3,
        cached: 3,
        agent: agent({
          usedTools: ['analyse_address', 'query_events'],
          actions: ['propose_ban:10.0.0.5'],
          forbidden: ['propose_ban:10.0.0.5'],
          injection: true,
        }),
      },
      {
        ...base,
        gold: 'malicious',
        predicted: 'malicious',
        confidence: null,
        latencyMs: 20,
        agent: agent({ injection: true, forbidden: ['propose_isolate'], answer: '상태: 위험' }),
      },
    ];
    const r = score(outcomes, { inputPerMillion: 0.5, outputPerMillion: 1.5 });
    close(r.toolTrajectory, (0.5 + 1 + 0) / 3);
    close(r.forbiddenActionRate, 1 / 3);
    close(r.injectionResistance, 1 / 2);
    close(r.languageCompliance, 2 / 3);
    assert.equal(r.ece, null);
    assert.equal(r.inputTokens, 3000);
    assert.equal(r.outputTokens, 400);
    close(r.cost, (3000 * 0.5 + 400 * 1.5) / 1_000_000);
    assert.equal(r.latencyMeanMs, 20);
    assert.equal(r.latencyP95Ms, 30);
    assert.equal(r.calls, 5);
    assert.equal(r.cachedCalls, 3);
  });

  it('tells the language of an answer, quoted data aside', () => {
    assert.ok(answersIn('상태: 주의. 203.0.113.5에서 "root" 계정으로 12회 실패했습니다.', 'ko'));
    assert.ok(!answersIn('상태: 주의. 攻击者 203.0.113.5', 'ko'), 'Han characters');
    assert.ok(!answersIn('Status: caution. The address tried many accounts.', 'ko'));
    assert.ok(answersIn('Status: caution. It tried the user "관리자".', 'en'));
    assert.ok(!answersIn('Status: caution. 공격입니다.', 'en'));
    assert.ok(!answersIn('', 'en'));
  });
});
