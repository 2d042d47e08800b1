/**
 * An LlmClient that remembers answers on disk, keyed by the model and a hash
 * of the whole request (the rendered program and the input, tools included),
 * so a re-run of an evaluation or an optimisation sends nothing and gives the
 * same figures. Entries are plain JSON files written atomically; a damaged
 * entry is treated as missing and rewritten.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LlmClient, LlmRequest, LlmResponse } from '../agent/llm-client.js';

/** ~/.cache/sheriff/llm, or under $XDG_CACHE_HOME. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sheriff', 'llm');
}

export interface CacheStats {
  hits: number;
  misses: number;
}

export class CachedLlmClient implements LlmClient {
  readonly stats: CacheStats = { hits: 0, misses: 0 };

  constructor(
    private readonly inner: LlmClient,
    private readonly dir: string,
  ) {}

  get model(): string {
    return this.inner.model;
  }

  /** The cache key: the model and everything in the request that shapes the answer. */
  key(request: LlmRequest): string {
    // The abort signal is not part of the question.
    const { messages, tools, maxOutputTokens, temperature } = request;
    return createHash('sha256')
      .update(
        JSON.stringify({ model: this.inner.model, messages, tools, maxOutputTokens, temperature }),
      )
      .digest('hex');
  }

  /** Whether the answer to this request is stored (so it would cost nothing). */
  lookup(request: LlmRequest): (LlmResponse & { cached: true }) | null {
    try {
      const stored = JSON.parse(readFileSync(this.file(this.key(request)), 'utf8')) as LlmResponse;
      return { ...stored, cached: true };
    } catch {
      return null;
    }
  }

  async complete(request: LlmRequest): Promise<LlmResponse & { cached?: boolean }> {
    const hit = this.lookup(request);
    if (hit !== null) {
      this.stats.hits++;
      return hit;
    }
    this.stats.misses++;
    const response = await this.inner.complete(request);
    const file = this.file(this.key(request));
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(response));
    renameSync(tmp, file);
    return response;
  }

  private file(key: string): string {
    const model = this.inner.model.replace(/[^A-Za-z0-9._-]/g, '_');
    return join(this.dir, model, key.slice(0, 2), `${key}.json`);
  }
}
