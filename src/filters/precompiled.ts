/**
 * The built-in filters read once at build time (`npm run build`:
 * packaging/precompile-filters.ts), one JSON file each in dist/filters/compiled/:
 * reading sshd.yaml (YAML, then the schema, then the fragments) took some 30 ms of
 * every start of test-filter, replay and watch; its JSON takes well under one.
 *
 * A JSON file is used only for the exact text it was made from (a hash of the YAML,
 * read anyway), so a built-in edited without a rebuild is read from its YAML as
 * before. Filters that include another file are not precompiled: an admin's file
 * may replace the one they include.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { LoadedFilter } from './load.js';
import type { FilterSpec } from './spec.js';

/** dist/filters/compiled/, from dist/filters/ and from dist/bundle/ alike. */
export const PRECOMPILED_DIR = fileURLToPath(new URL('../filters/compiled/', import.meta.url));

/** Bumped when the stored form changes: an older file is then not used. */
const FORMAT = 1;

/** What a built-in's JSON holds: its LoadedFilter but the samples and the path. */
export interface PrecompiledFilter {
  format: number;
  /** `textHash` of the YAML it was read from. */
  hash: string;
  spec: FilterSpec;
  origin: LoadedFilter['origin'];
  references: readonly string[];
  fail2ban: LoadedFilter['fail2ban'];
  /** Line of each rule's pattern in the YAML (ruleAt holds "path:line"). */
  ruleLines: Record<string, string>;
}

/**
 * CRC-32 of the text's UTF-8, with its length: tells an edited file from the one read.
 * Native, not a loop in JavaScript: hashing sshd.yaml's 44k characters in a loop made V8
 * compile it with TurboFan (on-stack replacement) at every daemon start, which brought the
 * compiler's code into the idle daemon's memory for good (some 5 MiB).
 */
export function textHash(text: string): string {
  return `${text.length}-${crc32(text).toString(16)}`;
}

/**
 * The stored form of `filter`, read from `text`; null when it cannot be stored
 * (a rule from another file).
 */
export function precompile(filter: LoadedFilter, text: string): PrecompiledFilter | null {
  const ruleLines: Record<string, string> = {};
  for (const [id, at] of filter.ruleAt) {
    if (!at.startsWith(`${filter.path}:`)) return null;
    ruleLines[id] = at.slice(filter.path.length + 1);
  }
  return {
    format: FORMAT,
    hash: textHash(text),
    spec: filter.spec,
    origin: filter.origin,
    references: filter.references,
    fail2ban: filter.fail2ban,
    ruleLines,
  };
}

/**
 * The built-in `name` as stored at build time, when it was made from `text` (the
 * YAML now at `path`); its samples still come from `text` (`samples`). Undefined
 * when there is no stored form for this text.
 */
export function readPrecompiled(
  name: string,
  path: string,
  text: string,
  samples: () => LoadedFilter['samples'],
  dir: string = PRECOMPILED_DIR,
): LoadedFilter | undefined {
  let stored: PrecompiledFilter;
  try {
    stored = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as PrecompiledFilter;
  } catch {
    return undefined; // not built (a plain `tsc`), or not precompiled
  }
  if (stored.format !== FORMAT || stored.hash !== textHash(text)) return undefined;
  let kept: LoadedFilter['samples'] | undefined;
  const filter: LoadedFilter = {
    spec: stored.spec,
    path,
    origin: stored.origin,
    references: stored.references,
    fail2ban: stored.fail2ban,
    ruleAt: new Map(Object.entries(stored.ruleLines).map(([id, line]) => [id, `${path}:${line}`])),
    samples: [], // replaced by the getter below
  };
  return Object.defineProperty(filter, 'samples', {
    get: () => (kept ??= samples()),
    enumerable: true,
  });
}
