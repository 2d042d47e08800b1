/**
 * `sheriff optimize triage|agent [--out FILE] [--log FILE] [--seed N] …`:
 * bootstrap few-shot demos from the training split and search instructions
 * on the dev split (eval/optimize.ts), then write a versioned program file
 * and the trial log. Needs a model; its answers are cached.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCount, type CliContext } from './common.js';
import { modelOptions } from './eval.js';

interface Options {
  out?: string;
  log?: string;
  seed?: string;
  trials?: string;
  demos?: string;
  instructions?: string;
  minibatch?: string;
  dataset?: string;
  model?: string;
  baseUrl?: string;
  cache: string | boolean;
  concurrency?: string;
}

export function registerOptimize(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  modelOptions(
    program
      .command('optimize')
      .description(t('optimize.description'))
      .argument('<task>', t('eval.arg.task'))
      .option('--out <file>', t('optimize.opt.out'))
      .option('--log <file>', t('optimize.opt.log'))
      .option('--seed <n>', t('optimize.opt.seed'))
      .option('--trials <n>', t('optimize.opt.trials'))
      .option('--demos <n>', t('optimize.opt.demos'))
      .option('--instructions <n>', t('optimize.opt.instructions'))
      .option('--minibatch <n>', t('optimize.opt.minibatch'))
      .option('--dataset <file>', t('optimize.opt.dataset')),
    t,
  ).action(async (task: string, opts: Options) => {
    const { prepare } = await import('./eval-run.js');
    const { splitDataset } = await import('../eval/split.js');
    const { optimize, OPTIMIZE_DEFAULTS } = await import('../eval/optimize.js');
    const { evaluate } = await import('../eval/evaluate.js');
    const { triageTask } = await import('../eval/triage-task.js');
    const { agentTask } = await import('../eval/agent-task.js');
    const { PROGRAM_FORMAT, writeProgram } = await import('../agent/program-file.js');
    const { config, dataset, llm, concurrency } = await prepare(program, ctx, task, opts, true);
    const options = {
      concurrency,
      seed: parseCount('--seed', opts.seed, 0, t) ?? OPTIMIZE_DEFAULTS.seed,
      trials: parseCount('--trials', opts.trials, 1, t) ?? OPTIMIZE_DEFAULTS.trials,
      maxDemos: parseCount('--demos', opts.demos, 0, t) ?? OPTIMIZE_DEFAULTS.maxDemos,
      instructions:
        parseCount('--instructions', opts.instructions, 1, t) ?? OPTIMIZE_DEFAULTS.instructions,
      minibatch: parseCount('--minibatch', opts.minibatch, 1, t) ?? OPTIMIZE_DEFAULTS.minibatch,
    };
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    const out = opts.out ?? `${dataset.kind}-program-${stamp}.json`;
    const log = opts.log ?? `${out.replace(/\.json$/, '')}.trials.jsonl`;
    writeFileSync(log, '');
    const onTrial = (trial: object) => appendFileSync(log, JSON.stringify(trial) + '\n');
    const prices = {
      inputPerMillion: config.eval.price.input,
      outputPerMillion: config.eval.price.output,
    };
    let result;
    let report;
    if (dataset.kind === 'triage') {
      const splits = splitDataset(dataset.records);
      const taskDef = triageTask(llm!);
      result = await optimize(taskDef, llm!, splits, options, onTrial);
      report = (await evaluate(taskDef, result.program, splits.dev, { prices, concurrency }))
        .report;
    } else {
      const splits = splitDataset(dataset.records);
      const taskDef = agentTask(llm!);
      result = await optimize(taskDef, llm!, splits, options, onTrial);
      report = (await evaluate(taskDef, result.program, splits.dev, { prices, concurrency }))
        .report;
    }
    writeProgram(out, {
      format: PROGRAM_FORMAT,
      task: dataset.kind,
      instruction: result.program.instruction,
      demos: result.program.demos,
      model: llm!.model,
      scores: {
        'dev.metric': result.devScore,
        'dev.metric.builtin': result.baseScore,
        'dev.accuracy': report.accuracy,
        'dev.macroF1': report.macroF1,
        ...(report.recall.malicious !== null
          ? { 'dev.recall.malicious': report.recall.malicious }
          : {}),
      },
      datasets: { [dataset.kind]: dataset.sha256 },
      createdAt: new Date().toISOString(),
    });
    ctx.stdout.write(
      t('optimize.done', {
        path: out,
        score: result.devScore.toFixed(3),
        base: result.baseScore.toFixed(3),
        demos: result.program.demos.length,
        log,
      }) + '\n',
    );
  });
}
