/**
 * The committed scenarios dataset is what the generator and today's pipeline
 * make: every world run again through parse → filters → detect → store →
 * incidents (minutes: the hourly long-horizon search over each simulated week).
 * A difference in dev means: regenerate. A difference in the sealed test file
 * means the pipeline changed what it produces: reseal, as datasets/README.md
 * says (never because of the test figures).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DATASET_DIR, scenarioTexts } from './generate-datasets.js';
import { scenarioFile } from './scenario-dataset.js';

describe('the scenarios dataset', () => {
  it('is exactly what the generator and the pipeline make today', async () => {
    const texts = await scenarioTexts();
    const committed = (split: 'dev' | 'test') =>
      readFileSync(scenarioFile(DATASET_DIR, split), 'utf8');
    // Not assert.equal: a 400 kB diff helps nobody.
    assert.ok(
      committed('dev') === texts.dev,
      'datasets/scenarios-dev.jsonl is stale: run node dist/eval/generate-datasets.js',
    );
    assert.ok(
      committed('test') === texts.test,
      'the pipeline no longer makes datasets/scenarios-test.jsonl: reseal it (datasets/README.md)',
    );
  });
});
