/**
 * What `sheriff eval` and `sheriff optimize` share: the dataset of a task
 * with its splits, and the model client (the configured provider, or the
 * one given by flags) behind the answer cache.
 */
import { join } from 'node:path';
import type { AgentConfig } from '../agent/config.js';
import type { LlmClient } from '../agent/llm-client.js';
import { OpenAiCompatibleClient, resolveProvider } from '../agent/provider.js';
import { CachedLlmClient, defaultCacheDir } from './cache.js';
import type { EvalConfig } from './config.js';
import { loadDataset, type Dataset, type DatasetKind } from './dataset.js';
import { DATASET_DIR } from './generate-datasets.js';

export function isTask(value: string): value is DatasetKind {
  return value === 'triage' || value === 'agent';
}

export type AnyDataset = Dataset<'triage'> | Dataset<'agent'>;

/** The task's dataset (the shipped one unless `path` is given). Throws DatasetError. */
export function taskDataset(kind: DatasetKind, path: string | undefined): AnyDataset {
  const file = path ?? join(DATASET_DIR, `${kind}.jsonl`);
  return kind === 'triage' ? loadDataset(file, 'triage') : loadDataset(file, 'agent');
}

export interface ClientFlags {
  baseUrl?: string;
  model?: string;
  /** A directory, or false for no cache. */
  cache?: string | false;
}

/**
 * The configured model (flags override agent.baseUrl and agent.model), behind
 * the cache unless it is turned off; null when no provider is configured.
 * Throws ProviderConfigError for a provider that cannot work.
 */
export function evalClient(
  config: { agent: AgentConfig; eval: Pick<EvalConfig, 'cache'> },
  flags: ClientFlags,
  env: NodeJS.ProcessEnv = process.env,
): LlmClient | null {
  const agent = config.agent;
  const provider = resolveProvider(
    {
      provider:
        flags.baseUrl !== undefined && agent.provider === 'none' ? 'custom' : agent.provider,
      baseUrl: flags.baseUrl ?? agent.baseUrl,
      model: flags.model ?? agent.model,
      apiKeyFile: agent.apiKeyFile,
    },
    env,
  );
  if (provider === null) return null;
  const client = new OpenAiCompatibleClient(provider, {
    timeoutMs: agent.timeout,
    maxRetries: agent.maxRetries,
  });
  if (flags.cache === false) return client;
  return new CachedLlmClient(client, flags.cache ?? config.eval.cache ?? defaultCacheDir(env));
}
