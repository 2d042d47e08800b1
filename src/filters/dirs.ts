/**
 * Where filter files are, and which files there are filters: the registry reads
 * them, and the configuration cache (app/config-cache.ts) watches them without
 * loading the registry's parser.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** filters/ at the package root: two levels up from src/filters or dist/filters. */
export const BUILTIN_FILTER_DIR = fileURLToPath(new URL('../../filters/', import.meta.url));
export const DEFAULT_USER_FILTER_DIR = '/etc/sheriff/filters.d';

const FILE = /^([a-z0-9][a-z0-9_-]*)\.yaml$/;

/** The filters in `dir`: name → file; none when the directory does not exist. */
export function filterFiles(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  return new Map(
    readdirSync(dir)
      .map((f) => FILE.exec(f))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, join(dir, m[0])]),
  );
}
