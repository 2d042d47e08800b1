/**
 * `sheriff eval triage|agent [--dataset cases|scenarios|FILE] [--program FILE] [--llm]
 * [--split test|all] [--json] [--show-misses]`: scores the deterministic triage, or a
 * model with a prompt program, on a split of a labelled dataset (or all of it), with a
 * confusion matrix and, on request, each record it got wrong. Triage is reported on
 * both datasets (one section, or one JSON line, each) unless one is chosen. Model
 * answers are cached, so a re-run is free.
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
      .option('--price-out <usd>', t('eval.opt.priceOut'))
      .option('--dataset <name|file>', t('eval.opt.dataset')),
    t,
  ).action(async (task: string, opts: Options) => {
    const { prepareModel, datasetOrUsage } = await import('./eval-run.js');
    const { isSplitName } = await import('../eval/split.js');
    const { chooseAgent, chooseTriage, NoSplitError, UnsealedError } =
      await import('../eval/choose.js');
    const { SEALED_TEST_SHA256 } = await import('../eval/scenario-dataset.js');
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
    const useModel = task === 'agent' || opts.llm === true || opts.program !== undefined;
    const prepared = await prepareModel(program, ctx, task, opts, useModel);
    const { config, llm, concurrency } = prepared;
    const kind = prepared.task;
    if (kind === 'agent' && opts.dataset === 'scenarios')
      throw new UsageError(t('eval.error.scenariosAgent'));
    // Triage is reported on both datasets unless one is chosen; the scenarios have no train split.
    const both = kind === 'triage' && opts.dataset === undefined;
    const names =
      opts.dataset !== undefined
        ? [opts.dataset]
        : both && split !== 'train'
          ? ['cases', 'scenarios']
          : ['cases'];
    let file = null;
    if (opts.program !== undefined) {
      try {
        file = readProgram(opts.program, kind);
      } catch (err) {
        if (err instanceof ProgramFileError)
          throw new UsageError(t('eval.error.program', { message: err.message }));
        throw err;
      }
    }
    const choose = (name: string) => {
      try {
        return kind === 'triage' ? chooseTriage(name, split) : chooseAgent(name, split);
      } catch (err) {
        if (err instanceof NoSplitError) throw new UsageError(t('eval.error.noTrain'));
        if (err instanceof UnsealedError)
          throw new UsageError(
            t('eval.error.unsealed', {
              path: err.path,
              actual: err.actual,
              sealed: SEALED_TEST_SHA256,
            }),
          );
        throw err;
      }
    };
    // Every dataset is read (and checked) before anything is scored.
    const chosen = names.map((name) => datasetOrUsage(ctx, () => choose(name)));
    const prices = {
      inputPerMillion: price('--price-in', opts.priceIn, t) ?? config.eval.price.input,
      outputPerMillion: price('--price-out', opts.priceOut, t) ?? config.eval.price.output,
    };
    const run = { prices, concurrency };
    const programInfo = {
      kind: llm === null ? 'rules' : file !== null ? 'file' : 'builtin',
      path: opts.program ?? null,
      model: llm?.model ?? null,
    };
    const programName =
      programInfo.kind === 'rules'
        ? t('eval.program.rules')
        : programInfo.kind === 'file'
          ? t('eval.program.file', { path: programInfo.path ?? '', model: programInfo.model ?? '' })
          : t('eval.program.builtin', { model: programInfo.model ?? '' });
    const sections: string[] = [];
    for (const dataset of chosen) {
      const records: (TriageRecord | AgentScenario)[] = dataset.records;
      const evaluation =
        kind === 'triage'
          ? await evaluate(
              llm ? triageTask(llm) : triageRulesTask,
              file ?? { instruction: DEFAULT_TRIAGE_INSTRUCTION, demos: [] },
              dataset.records as TriageRecord[],
              run,
            )
          : await evaluate(
              agentTask(llm!),
              file ?? { instruction: DEFAULT_INSTRUCTION, demos: [] },
              dataset.records as AgentScenario[],
              run,
            );
      // Outcomes come back in record order.
      const misses: Miss[] = evaluation.outcomes.flatMap((o, i) =>
        o.predicted === o.gold ? [] : [missOf(records[i]!, o.gold, o.predicted)],
      );
      if (opts.json) {
        ctx.stdout.write(
          JSON.stringify({
            task: kind,
            split,
            records: evaluation.outcomes.length,
            program: programInfo,
            dataset: { name: dataset.name, files: dataset.files },
            metric: evaluation.metric,
            report: evaluation.report,
            ...(opts.showMisses ? { misses } : {}),
          }) + '\n',
        );
        continue;
      }
      const datasetName =
        dataset.name === 'cases' || dataset.name === 'scenarios'
          ? t(`eval.dataset.${dataset.name}`)
          : dataset.name;
      sections.push(
        `${t('eval.title', { task: kind, split, dataset: datasetName, count: evaluation.outcomes.length, program: programName })}\n` +
          `${formatReport(evaluation.report, t)}\n\n` +
          `${formatConfusion(evaluation.report, t)}\n` +
          (opts.showMisses ? `\n${formatMisses(misses, t)}\n` : ''),
      );
    }
    if (opts.json) return;
    if (both && split === 'train') sections.push(`${t('eval.note.noTrain')}\n`);
    ctx.stdout.write(sections.join('\n'));
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
