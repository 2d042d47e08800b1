/**
 * What the evaluator and the optimiser need to know about a task: how to run
 * a program on one record, and the per-record metric (1 = what a good analyst
 * would have done). Triage and agent each provide one.
 */
import type { PromptDemo, PromptProgram, ProgramTask } from '../agent/program.js';
import type { Outcome } from './metrics.js';

/** The part of a program that changes its answers. */
export type ProgramSpec = Pick<PromptProgram, 'instruction' | 'demos'>;

export interface Run {
  outcome: Outcome;
  /** The run as a demo (its input and the answer given), for bootstrapping. */
  demo: PromptDemo;
}

export interface Task<R> {
  kind: ProgramTask;
  /** The instruction programs start from. */
  baseInstruction: string;
  /** One paragraph on what the task is, for the model that proposes instructions. */
  description: string;
  run(program: ProgramSpec, record: R): Promise<Run>;
  /** 0–1 for one outcome; the optimiser maximises its mean and keeps demos scoring 1. */
  metric(outcome: Outcome): number;
  /** A record with its expected answer, shown to the model proposing instructions. */
  example(record: R): string;
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, U>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<U>,
): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
