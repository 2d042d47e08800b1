/** Where Sheriff keeps its state when the config does not say. */
import { homedir } from 'node:os';
import { join } from 'node:path';

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
