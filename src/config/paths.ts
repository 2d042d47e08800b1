/** Where Sheriff keeps its state when the config does not say. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SheriffConfig } from './schema.js';

export function defaultStorePath(
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? 0,
): string {
  if (uid === 0) return '/var/lib/sheriff/sheriff.db';
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'sheriff', 'sheriff.db');
}

export function storePath(config: SheriffConfig): string {
  return config.store.path ?? defaultStorePath();
}
