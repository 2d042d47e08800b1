/**
 * A small DSPy-style optimiser (BootstrapFewShot with random search, and
 * MIPRO's instruction × demo-set search), in three steps:
 *
 * 1. Bootstrap: run the base program (the teacher) over the training split
 *    and keep the runs the metric accepts as candidate demos. Demos come
 *    only from the training split.
 * 2. Propose: ask the model for candidate instructions, given the task, the
 *    base instruction and a few labelled training examples.
 * 3. Search: score instruction × demo-set combinations on seeded minibatches
 *    of the dev split, then the best few on the whole dev split; keep the best.
 *
 * Every run and every trial goes to `onTrial` (the JSONL trial log). With the
 * same seed, data and model answers (the cache), the result is the same.
 */
import type { PromptDemo, PromptProgram } from '../agent/program.js';
import type { LlmClient } from '../agent/llm-client.js';
import { meanMetric } from './evaluate.js';
import { sample, seededRandom, shuffled } from '../random.js';
import { mapLimit, type ProgramSpec, type Task } from './task.js';

export interface OptimizeOptions {
  seed: number;
  /** Demos in one program, at most. */
  maxDemos: number;
  /** Candidate demo sets (the empty set included). */
  demoSets: number;
  /** Candidate instructions (the base instruction included). */
  instructions: number;
  /** Instruction × demo-set combinations tried on minibatches, at most. */
  trials: number;
  minibatch: number;
  /** Combinations re-scored on the whole dev split. */
  finalists: number;
  concurrency: number;
}

export const OPTIMIZE_DEFAULTS: OptimizeOptions = {
  seed: 9,
  maxDemos: 4,
  demoSets: 4,
  instructions: 4,
  trials: 12,
  minibatch: 16,
  finalists: 3,
  concurrency: 4,
};

export type Trial =
  | { phase: 'bootstrap'; record: number; score: number; accepted: boolean }
  | { phase: 'propose'; instructions: string[] }
  | {
      phase: 'minibatch' | 'full';
      trial: number;
      instruction: number;
      demoSet: number;
      demos: number;
      records: number;
      score: number;
    };

export interface OptimizeResult {
  program: Pick<PromptProgram, 'instruction' | 'demos'>;
  /** Mean metric of the chosen program on the whole dev split. */
  devScore: number;
  /** The base program's, for comparison. */
  baseScore: number;
  instructions: string[];
  demoSets: PromptDemo[][];
}

export async function optimize<R>(
  task: Task<R>,
  llm: LlmClient,
  splits: { train: readonly R[]; dev: readonly R[] },
  options: Partial<OptimizeOptions> = {},
  onTrial: (t: Trial) => void = () => {},
): Promise<OptimizeResult> {
  const o = { ...OPTIMIZE_DEFAULTS, ...options };
  const random = seededRandom(o.seed);
  const base: ProgramSpec = { instruction: task.baseInstruction, demos: [] };

  // 1. Bootstrap demos from the training split.
  const order = shuffled(
    random,
    splits.train.map((_, i) => i),
  );
  const wanted = o.maxDemos * o.demoSets;
  const pool: PromptDemo[] = [];
  for (let i = 0; i < order.length && pool.length < wanted; i += o.concurrency) {
    const batch = order.slice(i, i + o.concurrency);
    const runs = await mapLimit(batch, o.concurrency, (k) => task.run(base, splits.train[k]!));
    runs.forEach((run, j) => {
      const s = task.metric(run.outcome);
      const accepted = s >= 1 && pool.length < wanted;
      if (accepted) pool.push(run.demo);
      onTrial({ phase: 'bootstrap', record: batch[j]!, score: s, accepted });
    });
  }
  const demoSets: PromptDemo[][] = [[]];
  for (let tries = 0; demoSets.length < o.demoSets && tries < o.demoSets * 4; tries++) {
    const set = sample(random, pool, Math.min(o.maxDemos, pool.length));
    const key = JSON.stringify(set);
    if (set.length > 0 && !demoSets.some((d) => JSON.stringify(d) === key)) demoSets.push(set);
  }

  // 2. Candidate instructions from the model.
  const examples = sample(random, splits.train, 3).map((r) => task.example(r));
  const proposed = await proposeInstructions(llm, task, examples, o.instructions - 1);
  const instructions = [task.baseInstruction, ...proposed];
  onTrial({ phase: 'propose', instructions });

  // 3. Search: minibatches first, the best few on the whole dev split.
  const grid = instructions.flatMap((_, i) => demoSets.map((_, d) => [i, d] as const));
  const tried =
    grid.length <= o.trials ? grid : [grid[0]!, ...sample(random, grid.slice(1), o.trials - 1)];
  const scored: { i: number; d: number; score: number; trial: number }[] = [];
  for (const [trial, [i, d]] of tried.entries()) {
    const batch = sample(seededRandom(o.seed + trial), splits.dev, o.minibatch);
    const score = await scoreOn(
      task,
      { instruction: instructions[i]!, demos: demoSets[d]! },
      batch,
      o.concurrency,
    );
    scored.push({ i, d, score, trial });
    onTrial({
      phase: 'minibatch',
      trial,
      instruction: i,
      demoSet: d,
      demos: demoSets[d]!.length,
      records: batch.length,
      score,
    });
  }
  // Stable: equal scores keep trial order, so the simpler early candidates win ties.
  const finalists = [...scored].sort((a, b) => b.score - a.score).slice(0, o.finalists);
  if (!finalists.some((f) => f.i === 0 && f.d === 0)) finalists.push(scored[0]!);
  let best: { i: number; d: number; score: number } | null = null;
  let baseScore = 0;
  for (const f of finalists) {
    const program = { instruction: instructions[f.i]!, demos: demoSets[f.d]! };
    const score = await scoreOn(task, program, splits.dev, o.concurrency);
    if (f.i === 0 && f.d === 0) baseScore = score;
    onTrial({
      phase: 'full',
      trial: f.trial,
      instruction: f.i,
      demoSet: f.d,
      demos: demoSets[f.d]!.length,
      records: splits.dev.length,
      score,
    });
    if (best === null || score > best.score) best = { i: f.i, d: f.d, score };
  }
  return {
    program: { instruction: instructions[best!.i]!, demos: demoSets[best!.d]! },
    devScore: best!.score,
    baseScore,
    instructions,
    demoSets,
  };
}

async function scoreOn<R>(
  task: Task<R>,
  program: ProgramSpec,
  records: readonly R[],
  concurrency: number,
): Promise<number> {
  const runs = await mapLimit(records, concurrency, (r) => task.run(program, r));
  return meanMetric(
    task,
    runs.map((r) => r.outcome),
  );
}

/**
 * Asks the model for `n` instructions, different from the base one. Its
 * answer is read as a JSON array of strings, or else one instruction a line.
 */
export async function proposeInstructions<R>(
  llm: LlmClient,
  task: Pick<Task<R>, 'description' | 'baseInstruction'>,
  examples: readonly string[],
  n: number,
): Promise<string[]> {
  if (n <= 0) return [];
  const response = await llm.complete({
    messages: [
      {
        role: 'system',
        content:
          'You write instructions (system prompts) for a language model doing a task. Propose ' +
          `${n} different instructions that would make it more accurate. Answer with a JSON array of ` +
          `${n} strings and nothing else.`,
      },
      {
        role: 'user',
        content: [
          `Task: ${task.description}`,
          `Current instruction: ${task.baseInstruction}`,
          'Examples with the expected answers:',
          ...examples.map((e, i) => `--- example ${i + 1}\n${e}`),
        ].join('\n'),
      },
    ],
    temperature: 0,
    maxOutputTokens: 1500,
  });
  return parseInstructions(response.text, n).filter((s) => s !== task.baseInstruction);
}

export function parseInstructions(text: string, n: number): string[] {
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  let items: string[] = [];
  if (start !== -1 && end > start) {
    try {
      const parsed: unknown = JSON.parse(text.slice(start, end + 1));
      if (Array.isArray(parsed)) items = parsed.filter((s): s is string => typeof s === 'string');
    } catch {
      items = [];
    }
  }
  if (items.length === 0) {
    items = text.split('\n').map((l) => l.replace(/^\s*(?:\d+[.)]|[-*])\s*/, '').trim());
  }
  const unique = [...new Set(items.map((s) => s.trim()).filter((s) => s.length >= 10))];
  return unique.slice(0, n);
}
