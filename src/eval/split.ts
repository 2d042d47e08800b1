/**
 * Train/dev/test splits: stratified by label, shuffled with a fixed seed, so
 * every class is in every split in the same proportion and a split never
 * changes unless the dataset does. Demos come from `train` only; `dev` chooses
 * among candidate programs; `test` is for the figures we publish.
 */
import { labelOf, VERDICTS, type AgentScenario, type TriageRecord } from './dataset.js';
import { seededRandom, shuffled } from '../random.js';

export const SPLITS = ['train', 'dev', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export const SPLIT_SEED = 20261125;
/** Shares of train and dev; test gets the rest. */
const TRAIN = 0.6;
const DEV = 0.2;

export type Splits<R> = Record<SplitName, R[]>;

export function splitDataset<R extends TriageRecord | AgentScenario>(
  records: readonly R[],
  seed: number = SPLIT_SEED,
): Splits<R> {
  const out: Splits<R> = { train: [], dev: [], test: [] };
  const random = seededRandom(seed);
  for (const label of VERDICTS) {
    // Sorted first, so the file's line order does not matter.
    const group = records
      .filter((r) => labelOf(r) === label)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const mixed = shuffled(random, group);
    const nTrain = Math.round(mixed.length * TRAIN);
    const nDev = Math.round(mixed.length * DEV);
    out.train.push(...mixed.slice(0, nTrain));
    out.dev.push(...mixed.slice(nTrain, nTrain + nDev));
    out.test.push(...mixed.slice(nTrain + nDev));
  }
  return out;
}

export function isSplitName(value: string): value is SplitName {
  return (SPLITS as readonly string[]).includes(value);
}
