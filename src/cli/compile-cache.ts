/**
 * V8's compiled code of Sheriff's modules, kept between runs (node:module's
 * compile cache): compiling them is a large part of every command's start-up.
 * bin/launch.js turns it on before the CLI loads.
 *
 * The cache lives in Sheriff's own state directory (systemd's STATE_DIRECTORY,
 * else the store's default directory), and only when that directory already
 * exists: a command never creates the state directory as a side effect, and the
 * cache is never in a shared /tmp, where another user could plant code for root
 * to run. NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE keep their meaning.
 */
import { mkdirSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { stateDirectory } from '../config/paths.js';

/** Where the cache goes, or null when the state directory does not exist (yet). */
export function compileCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? 0,
): string | null {
  const state = stateDirectory(env, uid);
  return state === null ? null : join(state, 'compile-cache');
}

/** Turns the cache on for the modules loaded from now on; without a usable directory, runs without. */
export function useCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  // Node itself has turned it on (or off) as these ask.
  if (env.NODE_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return;
  const dir = compileCacheDir(env);
  if (dir === null) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return; // a read-only state directory: no cache, nothing else changes
  }
  enableCompileCache(dir);
}
