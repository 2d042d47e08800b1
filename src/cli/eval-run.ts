/** Setup shared by `sheriff eval` and `sheriff optimize`: config, dataset, model client. */
import type { Command } from 'commander';
import { loadConfig } from '../app/load-config.js';
import type { SheriffConfig } from '../app/config.js';
import type { LlmClient } from '../agent/llm-client.js';
import { ProviderConfigError } from '../agent/provider.js';
import { DatasetError, type DatasetKind } from '../eval/dataset.js';
import { evalClient, isTask, taskDataset, type AnyDataset } from '../eval/setup.js';
import { parseCount, UsageError, type CliContext } from './common.js';

export interface ModelFlags {
  dataset?: string;
  model?: string;
  baseUrl?: string;
  cache: string | boolean;
  concurrency?: string;
}

export async function prepare(
  program: Command,
  ctx: CliContext,
  task: string,
  opts: ModelFlags,
  useModel: boolean,
): Promise<{
  config: SheriffConfig;
  dataset: AnyDataset;
  llm: LlmClient | null;
  concurrency: number;
}> {
  const prepared = await prepareModel(program, ctx, task, opts, useModel);
  return {
    ...prepared,
    dataset: datasetOrUsage(ctx, () => taskDataset(prepared.task, opts.dataset)),
  };
}

/** Loads a dataset; its problems (file, line, field) become a usage error. */
export function datasetOrUsage<T>(ctx: CliContext, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof DatasetError)
      throw new UsageError(`${ctx.t('eval.error.dataset')}\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
}

/** The config, the model client (when `useModel`) and the concurrency; the task checked. */
export async function prepareModel(
  program: Command,
  ctx: CliContext,
  task: string,
  opts: Omit<ModelFlags, 'dataset'>,
  useModel: boolean,
): Promise<{
  task: DatasetKind;
  config: SheriffConfig;
  llm: LlmClient | null;
  concurrency: number;
}> {
  const { t } = ctx;
  if (!isTask(task)) throw new UsageError(t('eval.error.task', { value: task }));
  const concurrency = parseCount('--concurrency', opts.concurrency, 1, t) ?? 4;
  const { config } = await loadConfig(program.opts<{ config?: string }>().config);
  let llm: LlmClient | null = null;
  if (useModel) {
    try {
      llm = evalClient(config, {
        ...(opts.baseUrl !== undefined ? { baseUrl: opts.baseUrl } : {}),
        ...(opts.model !== undefined ? { model: opts.model } : {}),
        cache: opts.cache === true ? undefined : opts.cache,
      });
    } catch (err) {
      if (err instanceof ProviderConfigError)
        throw new UsageError(t('cli.agent.provider-error', { message: err.message }));
      throw err;
    }
    if (llm === null) throw new UsageError(t('eval.error.noModel'));
  }
  return { task, config, llm, concurrency };
}
