/**
 * Writes the datasets in datasets/ from the seeded generators and the
 * hand-written cases: `node dist/eval/generate-datasets.js`. The suite checks
 * that the committed files are exactly what this writes.
 *
 * The scenarios' sealed test split is written only when there is none, or with
 * `--reseal` (datasets/README.md says when that is allowed); its checksum is
 * then printed, for SEALED_TEST_SHA256 in scenario-dataset.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAgentScenarios } from './agent-generator.js';
import { buildScenarioDataset, scenarioFile } from './scenario-dataset.js';
import { TRIAGE_CASES } from './triage-cases.js';
import { generateTriageRecords } from './triage-generator.js';

/** The repository's datasets/ (beside dist/ and src/). */
export const DATASET_DIR = fileURLToPath(new URL('../../datasets/', import.meta.url));

const jsonl = (records: readonly unknown[]) =>
  records.map((r) => JSON.stringify(r)).join('\n') + '\n';

export function datasetTexts(): { triage: string; agent: string } {
  return {
    triage: jsonl([...generateTriageRecords(), ...TRIAGE_CASES]),
    agent: jsonl(generateAgentScenarios()),
  };
}

/** The scenarios dataset's two files, from the generated worlds run through the pipeline. */
export async function scenarioTexts(): Promise<{ dev: string; test: string }> {
  const { records } = await buildScenarioDataset();
  return { dev: jsonl(records.dev), test: jsonl(records.test) };
}

if (process.argv[1]?.endsWith('generate-datasets.js')) {
  const texts = datasetTexts();
  writeFileSync(join(DATASET_DIR, 'triage.jsonl'), texts.triage);
  writeFileSync(join(DATASET_DIR, 'agent.jsonl'), texts.agent);
  const scenarios = await scenarioTexts();
  writeFileSync(scenarioFile(DATASET_DIR, 'dev'), scenarios.dev);
  const sealed = scenarioFile(DATASET_DIR, 'test');
  if (!existsSync(sealed) || process.argv.includes('--reseal')) {
    writeFileSync(sealed, scenarios.test);
    const sha = createHash('sha256').update(scenarios.test).digest('hex');
    process.stdout.write(`sealed ${sealed}: sha256 ${sha}\n`);
  }
}
