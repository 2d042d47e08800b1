/**
 * Runs a program over records and scores it: the figures of `sheriff eval`.
 */
import { score, type Outcome, type Prices, type Report } from './metrics.js';
import { mapLimit, type ProgramSpec, type Task } from './task.js';

export interface Evaluation {
  report: Report;
  outcomes: Outcome[];
  /** Mean of the task's metric. */
  metric: number;
}

export async function evaluate<R>(
  task: Pick<Task<R>, 'run' | 'metric'>,
  program: ProgramSpec,
  records: readonly R[],
  opts: { prices: Prices; concurrency?: number },
): Promise<Evaluation> {
  const runs = await mapLimit(records, opts.concurrency ?? 4, (r) => task.run(program, r));
  const outcomes = runs.map((r) => r.outcome);
  return {
    report: score(outcomes, opts.prices),
    outcomes,
    metric: meanMetric(task, outcomes),
  };
}

export function meanMetric<R>(task: Pick<Task<R>, 'metric'>, outcomes: readonly Outcome[]): number {
  return outcomes.length === 0
    ? 0
    : outcomes.reduce((s, o) => s + task.metric(o), 0) / outcomes.length;
}
