/** Where Sheriff keeps its state when the config does not say. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export function defaultStorePath(
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? 0,
): string {
  if (uid === 0) return '/var/lib/sheriff/sheriff.db';
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'sheriff', 'sheriff.db');
}

/** The store file of the `store:` section: its path, else the default. */
export function storePath(store: { path?: string | undefined }): string {
  return store.path ?? defaultStorePath();
}

/**
 * Sheriff's own state directory (systemd's STATE_DIRECTORY, else the default store's
 * directory), or null while it does not exist: what the caches kept there (compile
 * cache, last configuration) need, so a command never creates it as a side effect
 * and never keeps them in a shared /tmp.
 */
export function stateDirectory(
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? 0,
): string | null {
  const state = env.STATE_DIRECTORY?.split(':')[0] || dirname(defaultStorePath(env, uid));
  return existsSync(state) ? state : null;
}
