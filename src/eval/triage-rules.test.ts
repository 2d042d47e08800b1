/**
 * The deterministic triage (src/incidents/triage.ts) scored on the test split
 * of the shipped dataset: the bar the issue sets, and the figures in README.md.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadDataset } from './dataset.js';
import { evaluate } from './evaluate.js';
import { DATASET_DIR } from './generate-datasets.js';
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
