/**
 * The evaluator and the optimiser against the scripted OpenAI-compatible
 * server on 127.0.0.1: hand-computed figures, the cache, and an optimiser
 * that finds the prompt under which the model answers better.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeOpenAI, reply } from '../testing/fake-openai.js';
import { CachedLlmClient } from './cache.js';
import { loadDataset, type TriageRecord } from './dataset.js';
import { evaluate } from './evaluate.js';
import { DATASET_DIR } from './generate-datasets.js';
import { optimize, type Trial } from './optimize.js';
import { splitDataset } from './split.js';
import { fakeClient, GOOD_INSTRUCTION, textOf, triageModel } from '../testing/eval-model.js';
import { DEFAULT_TRIAGE_INSTRUCTION, renderTriageInput, triageTask } from './triage-task.js';

const { records } = loadDataset(join(DATASET_DIR, 'triage.jsonl'), 'triage');
const splits = splitDataset(records);
const base = { instruction: DEFAULT_TRIAGE_INSTRUCTION, demos: [] };

let dir: string;
let fake: FakeOpenAI;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-eval-'));
  fake = await FakeOpenAI.start();
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('evaluating a model', () => {
  it('gives the hand-computed figures, and the same again from the cache with no request', async () => {
    const pick = (label: string, n = 0) => records.filter((r) => r.label === label)[n]!;
    const fixture: TriageRecord[] = [
      pick('malicious'),
      pick('benign'),
      pick('suspicious'),
      pick('malicious', 1),
    ];
    const answers = [
      '{"verdict": "malicious", "confidence": 0.9, "reason": "brute force"}',
      'Verdict: {"verdict": "suspicious", "confidence": 0.6}',
      'It looks fine to me.',
      '{"verdict": "malicious", "confidence": 1}',
    ];
    const byInput = new Map(fixture.map((r, i) => [renderTriageInput(r.input), answers[i]!]));
    fake.setHandler((req) =>
      reply.text(byInput.get(textOf(req.body?.messages?.at(-1))) ?? 'unknown', {
        usage: { prompt_tokens: 100, completion_tokens: 20 },
      }),
    );
    const llm = new CachedLlmClient(fakeClient(fake.baseUrl), join(dir, 'cache-eval'));
    const prices = { inputPerMillion: 2, outputPerMillion: 10 };
    const sent = fake.requests.length;
    const first = await evaluate(triageTask(llm), base, fixture, { prices });
    assert.equal(fake.requests.length - sent, 4);
    const r = first.report;
    assert.equal(r.accuracy, 2 / 4);
    // malicious F1 1, suspicious 0 (one wrong answer), benign 0 (missed).
    assert.equal(r.macroF1, 1 / 3);
    assert.deepEqual(r.recall, { malicious: 1, suspicious: 0, benign: 0 });
    assert.equal(r.unreadable, 1);
    // Stated: 0.9 ✓ and 1.0 ✓ in bin 9, 0.6 ✗ in bin 6.
    assert.ok(Math.abs(r.ece! - ((2 / 3) * 0.05 + (1 / 3) * 0.6)) < 1e-12, `ece ${r.ece}`);
    assert.ok(Math.abs(r.brier! - (0.01 + 0.36 + 0) / 3) < 1e-12, `brier ${r.brier}`);
    assert.equal(r.inputTokens, 400);
    assert.equal(r.outputTokens, 80);
    assert.ok(Math.abs(r.cost - (400 * 2 + 80 * 10) / 1e6) < 1e-15);
    assert.deepEqual([r.calls, r.cachedCalls], [4, 0]);
    assert.equal(r.toolTrajectory, null);

    // What the model was sent: the instruction, and user names as marked data.
    const body = fake.requests.at(-1)!.body!;
    assert.equal(body.temperature, 0);
    assert.ok(textOf(body.messages![0]).startsWith(DEFAULT_TRIAGE_INSTRUCTION));
    assert.match(textOf(body.messages!.at(-1)), /<untrusted_log_data>\n\{"id":1,/);

    const again = await evaluate(triageTask(llm), base, fixture, { prices });
    assert.equal(fake.requests.length - sent, 4, 'the second run sent requests');
    assert.deepEqual(
      { ...again.report, cachedCalls: 0, latencyMeanMs: 0, latencyP95Ms: 0 },
      {
        ...r,
        latencyMeanMs: 0,
        latencyP95Ms: 0,
      },
    );
    assert.equal(again.report.cachedCalls, 4);
  });
});

describe('optimising the triage program', () => {
  const options = {
    seed: 3,
    maxDemos: 2,
    demoSets: 3,
    instructions: 3,
    trials: 8,
    minibatch: 10,
    finalists: 3,
  };

  it('finds the instruction the model answers best under, from training demos only, and records every trial', async () => {
    fake.setHandler(triageModel(records));
    const llm = new CachedLlmClient(fakeClient(fake.baseUrl), join(dir, 'cache-opt'));
    const trials: Trial[] = [];
    const result = await optimize(triageTask(llm), llm, splits, options, (t) => trials.push(t));

    assert.equal(result.program.instruction, GOOD_INSTRUCTION);
    assert.equal(result.devScore, 1);
    // The built-in program says "malicious" to everything.
    const malicious = splits.dev.filter((r) => r.label === 'malicious').length;
    assert.equal(result.baseScore, malicious / splits.dev.length);
    assert.deepEqual(result.instructions, [
      DEFAULT_TRIAGE_INSTRUCTION,
      'Answer quickly.',
      GOOD_INSTRUCTION,
    ]);

    // Demos: answers the metric accepted, on training records only.
    const train = new Set(splits.train.map((r) => renderTriageInput(r.input)));
    const pool = result.demoSets.flat();
    assert.ok(pool.length > 0);
    for (const d of pool) {
      assert.ok(train.has(d.input), 'a demo not from the training split');
      assert.match(d.output, /"verdict":"malicious"/);
    }

    const phases = trials.map((t) => t.phase);
    assert.equal(phases.filter((p) => p === 'minibatch').length, 8);
    assert.equal(phases.filter((p) => p === 'propose').length, 1);
    assert.ok(phases.filter((p) => p === 'full').length >= 3);
    const accepted = trials.filter((t) => t.phase === 'bootstrap' && t.accepted).length;
    assert.equal(accepted, options.maxDemos * options.demoSets);
    for (const t of trials) {
      if (t.phase === 'minibatch') assert.equal(t.records, options.minibatch);
      if (t.phase === 'full') assert.equal(t.records, splits.dev.length);
    }

    // The same optimisation again: same program, not one request.
    const sent = fake.requests.length;
    const again = await optimize(triageTask(llm), llm, splits, options);
    assert.equal(fake.requests.length, sent);
    assert.deepEqual(again.program, result.program);
  });
});
