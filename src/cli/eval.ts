/**
 * `sheriff eval triage|agent [--program FILE] [--llm] [--split test|all] [--json]
 * [--show-misses]`: scores the deterministic triage, or a model with a prompt
 * program, on a split of a labelled dataset (or all of it), with a confusion
 * matrix and, on request, each record it got wrong. Model answers are cached,
 * so a re-run is free.
 */
import type { Command } from 'commander';
import { UsageError, type CliContext } from './common.js';
import type { Translate } from '../i18n/index.js';
import type { Verdict } from '../domain.js';
import type { AgentScenario, TriageRecord } from '../eval/dataset.js';
import type { Miss } from '../eval/format.js';

interface Options {
  program?: string;
  llm?: boolean;
  split: string;
  dataset?: string;
  json?: boolean;
  showMisses?: boolean;
  model?: string;
  baseUrl?: string;
  cache: string | boolean;
  priceIn?: string;
  priceOut?: string;
  concurrency?: string;
}

/** Flags every model-using command shares (eval and optimize). */
export function modelOptions(command: Command, t: Translate): Command {
  return command
    .option('--dataset <file>', t('eval.opt.dataset'))
    .option('--model <name>', t('eval.opt.model'))
    .option('--base-url <url>', t('eval.opt.baseUrl'))
    .option('--cache <dir>', t('eval.opt.cache'))
    .option('--no-cache', t('eval.opt.noCache'))
    .option('--concurrency <n>', t('eval.opt.concurrency'));
}

export function price(option: string, value: string | undefined, t: Translate): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(t('eval.error.number', { option, value }));
  return n;
}

export function registerEval(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  modelOptions(
    program
      .command('eval')
      .description(t('eval.description'))
      .argument('<task>', t('eval.arg.task'))
      .option('--program <file>', t('eval.opt.program'))
      .option('--llm', t('eval.opt.llm'))
      .option('--split <name>', t('eval.opt.split'), 'test')
      .option('--json', t('eval.opt.json'))
      .option('--show-misses', t('eval.opt.showMisses'))
      .option('--price-in <usd>', t('eval.opt.priceIn'))
      .option('--price-out <usd>', t('eval.opt.priceOut')),
    t,
  ).action(async (task: string, opts: Options) => {
    const { prepare } = await import('./eval-run.js');
    const { splitDataset, isSplitName } = await import('../eval/split.js');
    const { evaluate } = await import('../eval/evaluate.js');
    const { formatConfusion, formatMisses, formatReport } = await import('../eval/format.js');
    const { triageRulesTask, triageTask, DEFAULT_TRIAGE_INSTRUCTION } =
      await import('../eval/triage-task.js');
    const { agentTask } = await import('../eval/agent-task.js');
    const { DEFAULT_INSTRUCTION } = await import('../agent/prompt.js');
    const { readProgram, ProgramFileError } = await import('../agent/program-file.js');
    if (opts.split !== 'all' && !isSplitName(opts.split))
      throw new UsageError(t('eval.error.split', { value: opts.split }));
    const split = opts.split;
    const pick = <R extends TriageRecord | AgentScenario>(all: readonly R[]): R[] =>
      split === 'all' ? [...all] : splitDataset(all)[split];
    const useModel = task === 'agent' || opts.llm === true || opts.program !== undefined;
    const { config, dataset, llm, concurrency } = prepare(program, ctx, task, opts, useModel);
    let file = null;
    if (opts.program !== undefined) {
      try {
        file = readProgram(opts.program, dataset.kind);
      } catch (err) {
        if (err instanceof ProgramFileError)
          throw new UsageError(t('eval.error.program', { message: err.message }));
        throw err;
      }
    }
    const prices = {
      inputPerMillion: price('--price-in', opts.priceIn, t) ?? config.eval.price.input,
      outputPerMillion: price('--price-out', opts.priceOut, t) ?? config.eval.price.output,
    };
    const run = { prices, concurrency };
    let evaluation;
    let records: (TriageRecord | AgentScenario)[];
    if (dataset.kind === 'triage') {
      const triageRecords = pick(dataset.records);
      records = triageRecords;
      const spec = file ?? { instruction: DEFAULT_TRIAGE_INSTRUCTION, demos: [] };
      evaluation = await evaluate(
        llm ? triageTask(llm) : triageRulesTask,
        spec,
        triageRecords,
        run,
      );
    } else {
      const scenarios = pick(dataset.records);
      records = scenarios;
      const spec = file ?? { instruction: DEFAULT_INSTRUCTION, demos: [] };
      evaluation = await evaluate(agentTask(llm!), spec, scenarios, run);
    }
    // Outcomes come back in record order.
    const misses: Miss[] = evaluation.outcomes.flatMap((o, i) =>
      o.predicted === o.gold ? [] : [missOf(records[i]!, o.gold, o.predicted)],
    );
    const programInfo = {
      kind: llm === null ? 'rules' : file !== null ? 'file' : 'builtin',
      path: opts.program ?? null,
      model: llm?.model ?? null,
    };
    if (opts.json) {
      ctx.stdout.write(
        JSON.stringify({
          task: dataset.kind,
          split,
          records: evaluation.outcomes.length,
          program: programInfo,
          dataset: { path: dataset.path, sha256: dataset.sha256 },
          metric: evaluation.metric,
          report: evaluation.report,
          ...(opts.showMisses ? { misses } : {}),
        }) + '\n',
      );
      return;
    }
    const name =
      programInfo.kind === 'rules'
        ? t('eval.program.rules')
        : programInfo.kind === 'file'
          ? t('eval.program.file', { path: programInfo.path ?? '', model: programInfo.model ?? '' })
          : t('eval.program.builtin', { model: programInfo.model ?? '' });
    ctx.stdout.write(
      `${t('eval.title', { task: dataset.kind, split, count: evaluation.outcomes.length, program: name })}\n` +
        `${formatReport(evaluation.report, t)}\n\n` +
        `${formatConfusion(evaluation.report, t)}\n` +
        (opts.showMisses ? `\n${formatMisses(misses, t)}\n` : ''),
    );
  });
}

/** A wrong answer, with the attacker-written text of the record (its user names). */
function missOf(
  record: TriageRecord | AgentScenario,
  expected: Verdict,
  got: Verdict | null,
): Miss {
  const users =
    'input' in record ? record.input.events.flatMap((e) => (e.user === null ? [] : [e.user])) : [];
  return {
    id: String(record.id),
    expected,
    got: got ?? 'unreadable',
    text: [...new Set(users)].slice(0, 3),
  };
}
