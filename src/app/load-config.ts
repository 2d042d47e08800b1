/**
 * Finds and reads sheriff.yaml, and gives it validated (parse-config.ts), from the
 * configuration cache when nothing has changed since the last command
 * (config-cache.ts): YAML and the schema load only when something has.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, configError } from '../config/errors.js';
import type { SheriffConfig } from './config.js';
import { cachedConfig, rememberConfig } from './config-cache.js';
import { envLanguage } from './config-env.js';

export const DEFAULT_CONFIG_PATHS = ['/etc/sheriff/sheriff.yaml', './sheriff.yaml'];

export { ConfigError };

export interface LoadedConfig {
  config: SheriffConfig;
  /** The file read, or null when none exists and defaults apply. */
  path: string | null;
}

export async function loadConfig(
  explicitPath?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const wanted = explicitPath ?? env.SHERIFF_CONFIG;
  let path: string | null = null;
  if (wanted !== undefined) {
    path = resolve(wanted);
    if (!existsSync(path)) {
      const given = { path, by: explicitPath ? '--config' : 'SHERIFF_CONFIG' };
      throw configError([(t) => t('config.error.noSuchFile', given)], envLanguage(env));
    }
  } else {
    path = DEFAULT_CONFIG_PATHS.map((p) => resolve(p)).find((p) => existsSync(p)) ?? null;
  }
  const text = path === null ? '' : readText(path, env);
  const cached = cachedConfig(path, text, env);
  if (cached !== null) return { config: cached, path };
  // Imported, not required: Node's synchronous require of an ES module graph costs some 30 ms more.
  const { parseConfig } = await import('./parse-config.js');
  const config = parseConfig(text, path ?? 'defaults', env);
  rememberConfig(path, text, env, config);
  return { config, path };
}

function readText(path: string, env: NodeJS.ProcessEnv): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as Error).message;
    throw configError([(t) => t('config.error.cannotRead', { path, reason })], envLanguage(env));
  }
}
