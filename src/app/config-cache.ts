/**
 * The last configuration a command loaded, kept in Sheriff's state directory
 * (config/paths.ts) beside the compile cache. When sheriff.yaml, the variables
 * that override it, the filter files and this build of Sheriff are what they were
 * then, a command takes the validated configuration from here instead of loading
 * YAML and the schema, most of a command's start-up. Everything the validation
 * reads is in the key, so the answer is the one a parse would give. Only a valid
 * configuration is kept: a wrong one is always read afresh and reported with its
 * file, line and field.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateDirectory } from '../config/paths.js';
import { readPrivateFile } from '../config/private-file.js';
import { BUILTIN_FILTER_DIR, filterFiles } from '../filters/dirs.js';
import type { SheriffConfig } from './config.js';
import { ENV_OVERRIDES } from './config-env.js';

export const CONFIG_CACHE_FILE = 'config-cache.json';

interface Key {
  /** This build of Sheriff (its files are rewritten by every build and install) and Node.js (its time zones). */
  build: string;
  /** The file read, or null for the defaults. */
  path: string | null;
  text: string;
  env: (string | null)[];
  /** Every filter file a jail may name, built-in and the admin's: the jails' check reads them. */
  filters: string[];
}

interface Entry {
  key: Key;
  config: SheriffConfig;
}

const build = (): string => {
  const self = statSync(fileURLToPath(import.meta.url));
  return `${self.mtimeMs}:${self.size}:${process.version}`;
};

function filterStamps(userDir: string): string[] {
  return [BUILTIN_FILTER_DIR, userDir].flatMap((dir) =>
    [...filterFiles(dir).values()].map((file) => {
      const st = statSync(file);
      return `${file}:${st.mtimeMs}:${st.size}`;
    }),
  );
}

function keyOf(path: string | null, text: string, env: NodeJS.ProcessEnv, filterDir: string): Key {
  return {
    build: build(),
    path,
    text,
    env: ENV_OVERRIDES.map(([variable]) => env[variable] ?? null),
    filters: filterStamps(filterDir),
  };
}

const cacheFile = (env: NodeJS.ProcessEnv): string | null => {
  const state = stateDirectory(env);
  return state === null ? null : join(state, CONFIG_CACHE_FILE);
};

/** The configuration validated last time, when nothing it was validated from has changed; else null. */
export function cachedConfig(
  path: string | null,
  text: string,
  env: NodeJS.ProcessEnv,
): SheriffConfig | null {
  const file = cacheFile(env);
  if (file === null) return null;
  try {
    // Only the owner may have written it (0600, no symlink): it decides what Sheriff does.
    const saved = readPrivateFile(file, undefined, 'configuration cache');
    if (saved === null) return null;
    const entry = JSON.parse(saved) as Entry;
    const key = keyOf(path, text, env, entry.config.filters.dir);
    return JSON.stringify(entry.key) === JSON.stringify(key) ? entry.config : null;
  } catch {
    return null; // unreadable, damaged or from elsewhere: validate afresh
  }
}

/** Keeps a configuration just validated, for the next command; quietly none where it cannot. */
export function rememberConfig(
  path: string | null,
  text: string,
  env: NodeJS.ProcessEnv,
  config: SheriffConfig,
): void {
  const file = cacheFile(env);
  if (file === null) return;
  // Kept only when JSON gives back exactly what the schema made. (node:util's ES import would
  // build its whole namespace, loading worker_threads and more, on every command.)
  const { isDeepStrictEqual } = process.getBuiltinModule('node:util');
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(config)), config)) return;
  const temp = `${file}.${process.pid}`;
  try {
    const entry: Entry = { key: keyOf(path, text, env, config.filters.dir), config };
    writeFileSync(temp, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
    renameSync(temp, file); // whole or not at all, for a command reading it meanwhile
  } catch {
    rmSync(temp, { force: true }); // a read-only state directory: no cache, nothing else changes
  }
}
