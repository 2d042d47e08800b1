/**
 * The deterministic triage (src/incidents/triage.ts) scored on the test split
 * of the shipped dataset: the bar the issue sets, and the figures in README.md.
 * On the scenarios dataset only its dev split is asserted: the sealed test
 * split is for people to read, never a target (datasets/README.md).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from './dataset.js';
import { evaluate } from './evaluate.js';
import { DATASET_DIR } from './generate-datasets.js';
import { scenarioFile } from './scenario-dataset.js';
import { splitDataset } from './split.js';
import { DEFAULT_TRIAGE_INSTRUCTION, triageRulesTask } from './triage-task.js';

describe('the deterministic triage on the test split', () => {
  it('reaches 90% accuracy and misses no malicious source', async () => {
    const { records } = loadDataset(join(DATASET_DIR, 'triage.jsonl'), 'triage');
    const test = splitDataset(records).test;
    const { report, outcomes } = await evaluate(
      triageRulesTask,
      { instruction: DEFAULT_TRIAGE_INSTRUCTION, demos: [] },
      test,
      { prices: { inputPerMillion: 0, outputPerMillion: 0 } },
    );
    const wrong = outcomes.flatMap((o, i) =>
      o.predicted === o.gold ? [] : [`${test[i]!.id}: ${o.gold} → ${o.predicted}`],
    );
    assert.ok(report.accuracy >= 0.9, `accuracy ${report.accuracy}; wrong: ${wrong.join('; ')}`);
    assert.equal(report.recall.malicious, 1, `malicious missed: ${wrong.join('; ')}`);
    assert.equal(report.unreadable, 0);
  });
});

describe('the deterministic triage on the scenarios dev split', () => {
  it('misses almost no malicious incident of the simulated attacks', async () => {
    const dev = loadDataset(scenarioFile(DATASET_DIR, 'dev'), 'triage').records;
    const { report, outcomes } = await evaluate(
      triageRulesTask,
      { instruction: DEFAULT_TRIAGE_INSTRUCTION, demos: [] },
      dev,
      { prices: { inputPerMillion: 0, outputPerMillion: 0 } },
    );
    const missed = outcomes.flatMap((o, i) =>
      o.gold === 'malicious' && o.predicted !== 'malicious' ? [dev[i]!.id] : [],
    );
    // 114 of 115 on 2026-12-07 (the miss: an internal host's injection names, capped at suspicious).
    assert.ok(report.recall.malicious! >= 0.95, `malicious missed: ${missed.join(', ')}`);
  });
});
