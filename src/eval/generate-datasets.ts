/**
 * Writes datasets/triage.jsonl and datasets/agent.jsonl from the seeded
 * generators and the hand-written cases: `node dist/eval/generate-datasets.js`.
 * The suite checks that the committed files are exactly what this writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAgentScenarios } from './agent-generator.js';
import { TRIAGE_CASES } from './triage-cases.js';
import { generateTriageRecords } from './triage-generator.js';

/** The repository's datasets/ (beside dist/ and src/). */
export const DATASET_DIR = fileURLToPath(new URL('../../datasets/', import.meta.url));

export function datasetTexts(): { triage: string; agent: string } {
  const jsonl = (records: readonly unknown[]) =>
    records.map((r) => JSON.stringify(r)).join('\n') + '\n';
  return {
    triage: jsonl([...generateTriageRecords(), ...TRIAGE_CASES]),
    agent: jsonl(generateAgentScenarios()),
  };
}

if (process.argv[1]?.endsWith('generate-datasets.js')) {
  const texts = datasetTexts();
  writeFileSync(join(DATASET_DIR, 'triage.jsonl'), texts.triage);
  writeFileSync(join(DATASET_DIR, 'agent.jsonl'), texts.agent);
}
