/**
 * Which records `sheriff eval` scores: a named dataset (`cases`, the shipped
 * triage.jsonl and agent.jsonl; `scenarios`, the incidents of simulated
 * attacks, triage only) or a file, and one split of it. The scenarios
 * dataset comes split in two files; its test file is read only when the test
 * split is asked for, and only if it is still the sealed one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError, loadDataset, type AgentScenario, type TriageRecord } from './dataset.js';
import { DATASET_DIR } from './generate-datasets.js';
import { scenarioFile, SEALED_TEST_SHA256, type ScenarioSplit } from './scenario-dataset.js';
import { splitDataset, type SplitName } from './split.js';

export const DATASET_NAMES = ['cases', 'scenarios'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export type EvalSplit = SplitName | 'all';

export interface ChosenDataset<R> {
  /** `cases`, `scenarios`, or the file as given. */
  name: string;
  files: { path: string; sha256: string }[];
  records: R[];
}

/** The scenarios dataset has no train split: it is for measuring, not for demos. */
export class NoSplitError extends Error {
  override name = 'NoSplitError';
}

/** The sealed test file was changed (or regenerated without resealing). */
export class UnsealedError extends Error {
  override name = 'UnsealedError';
  constructor(
    readonly path: string,
    readonly actual: string,
  ) {
    super(`${path}: sha256 ${actual}, sealed ${SEALED_TEST_SHA256}`);
  }
}

export function isDatasetName(value: string): value is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(value);
}

/** A split of the triage records. Throws DatasetError, NoSplitError, UnsealedError. */
export function chooseTriage(
  dataset: string,
  split: EvalSplit,
  dir: string = DATASET_DIR,
): ChosenDataset<TriageRecord> {
  if (dataset !== 'scenarios') {
    const file = dataset === 'cases' ? join(dir, 'triage.jsonl') : dataset;
    return picked(dataset, loadDataset(file, 'triage'), split);
  }
  if (split === 'train') throw new NoSplitError('scenarios');
  const parts: ScenarioSplit[] = split === 'all' ? ['dev', 'test'] : [split];
  const loaded = parts.map((part) => {
    const path = scenarioFile(dir, part);
    if (part === 'test') checkSeal(path);
    return loadDataset(path, 'triage');
  });
  return {
    name: dataset,
    files: loaded.map((d) => ({ path: d.path, sha256: d.sha256 })),
    records: loaded.flatMap((d) => d.records),
  };
}

/** A split of the analyst scenarios (the shipped file, or another). Throws DatasetError. */
export function chooseAgent(
  dataset: string,
  split: EvalSplit,
  dir: string = DATASET_DIR,
): ChosenDataset<AgentScenario> {
  const file = dataset === 'cases' ? join(dir, 'agent.jsonl') : dataset;
  return picked(dataset, loadDataset(file, 'agent'), split);
}

function picked<R extends TriageRecord | AgentScenario>(
  name: string,
  d: { path: string; sha256: string; records: R[] },
  split: EvalSplit,
): ChosenDataset<R> {
  return {
    name,
    files: [{ path: d.path, sha256: d.sha256 }],
    records: split === 'all' ? [...d.records] : splitDataset(d.records)[split],
  };
}

/** Throws UnsealedError unless the file is byte for byte the sealed one. */
export function checkSeal(path: string): void {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (err) {
    throw new DatasetError([`${path}: cannot read: ${(err as Error).message}`]);
  }
  const actual = createHash('sha256').update(text).digest('hex');
  if (actual !== SEALED_TEST_SHA256) throw new UnsealedError(path, actual);
}
