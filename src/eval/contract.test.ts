/** The LlmClient contract (testing/llm-contract.ts) for the evaluation's on-disk answer cache. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { directClient, llmClientContract } from '../testing/llm-contract.js';
import { CachedLlmClient } from './cache.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

llmClientContract('CachedLlmClient', async (llm, sleep) => {
  const dir = await mkdtemp(join(tmpdir(), 'sheriff-llm-contract-'));
  dirs.push(dir);
  return new CachedLlmClient(directClient(llm, sleep), dir);
});
