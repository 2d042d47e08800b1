/**
 * The second triage dataset, "scenarios": the incidents Sheriff's real
 * pipeline opens on generated worlds (scenario-generator.ts, scenario-run.ts),
 * each labelled by the scenario that produced it. Split by scenario, not by
 * incident (all of one scenario's incidents are on the same side), into dev
 * and test. The test split is sealed: written once, its checksum fixed here
 * and checked by the suite; rules are tuned on dev only, and only
 * `sheriff eval triage --split test` reports it (datasets/README.md).
 */
import { join } from 'node:path';
import { seededRandom, shuffled } from '../random.js';
import type { TriageRecord } from './dataset.js';
import { generateWorlds, SCENARIO_SEED, type Scenario } from './scenario-generator.js';
import { runWorld } from './scenario-run.js';

export const SCENARIO_SPLITS = ['dev', 'test'] as const;
export type ScenarioSplit = (typeof SCENARIO_SPLITS)[number];

/** The seed that assigns scenarios to dev or test. */
export const SCENARIO_SPLIT_SEED = 20261207;

/** sha256 of datasets/scenarios-test.jsonl as sealed. Change it only by resealing (see datasets/README.md). */
export const SEALED_TEST_SHA256 =
  '82ecd46f3cd8c9705c2252cc8065c594f00b948150e83ddec7629918a43bed56';

export function scenarioFile(dir: string, split: ScenarioSplit): string {
  return join(dir, `scenarios-${split}.jsonl`);
}

/**
 * dev or test for each scenario: within each kind and variant, the scenarios
 * sorted by id and shuffled with the seed, alternately to dev and test (dev
 * gets the odd one), so every kind is on both sides.
 */
export function splitScenarios(
  scenarios: readonly Scenario[],
  seed: number = SCENARIO_SPLIT_SEED,
): Map<string, ScenarioSplit> {
  const random = seededRandom(seed);
  const groups = new Map<string, Scenario[]>();
  for (const s of scenarios) {
    const key = `${s.kind}/${s.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out = new Map<string, ScenarioSplit>();
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key)!.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    shuffled(random, group).forEach((s, i) => out.set(s.id, i % 2 === 0 ? 'dev' : 'test'));
  }
  return out;
}

export interface ScenarioDataset {
  records: Record<ScenarioSplit, TriageRecord[]>;
  /** Every scenario with its split and how many incidents it opened (0: nothing reached triage). */
  scenarios: { scenario: Scenario; split: ScenarioSplit; incidents: number }[];
}

/** Generates the worlds, runs each through the pipeline, labels and splits the incidents. */
export async function buildScenarioDataset(seed: number = SCENARIO_SEED): Promise<ScenarioDataset> {
  const worlds = generateWorlds(seed);
  const all = worlds.flatMap((w) => w.scenarios);
  const split = splitScenarios(all);
  const records: Record<ScenarioSplit, TriageRecord[]> = { dev: [], test: [] };
  const opened = new Map<string, number>();
  for (const world of worlds) {
    for (const { scenario, input } of await runWorld(world)) {
      const n = (opened.get(scenario.id) ?? 0) + 1;
      opened.set(scenario.id, n);
      records[split.get(scenario.id)!].push({
        id: `${scenario.id}-i${n}`,
        input,
        label: scenario.label,
        reason: scenario.reason,
        tags: [scenario.kind, scenario.variant],
      });
    }
  }
  return {
    records,
    scenarios: all.map((scenario) => ({
      scenario,
      split: split.get(scenario.id)!,
      incidents: opened.get(scenario.id) ?? 0,
    })),
  };
}
