/**
 * The built-in filters read once at build time (`npm run build`:
 * packaging/precompile-filters.ts), one JSON file each in dist/filters/compiled/:
 * reading sshd.yaml (YAML, then the schema, then the fragments) took some 30 ms of
 * every start of test-filter, replay and watch, and every built-in's some 170 ms of
 * `sheriff filters`; the JSON takes well under one, and the registry then loads
 * neither the YAML reader nor the schema (filters/load.ts).
 *
 * A JSON file is used only for the exact text it was made from (a hash of the YAML,
 * read anyway), and one that takes rules from another filter (`include:`) only while
 * that filter's file, the built-in or an admin's that replaces it, has the text its
 * rules were read from; otherwise the YAML is read as before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { LoadedFilter } from './load.js';
import type { Sample } from './samples.js';
import type { FilterSpec } from './spec.js';

/** dist/filters/compiled/, from dist/filters/ and from dist/bundle/ alike. */
export const PRECOMPILED_DIR = fileURLToPath(new URL('../filters/compiled/', import.meta.url));

/** Bumped when the stored form changes: an older file is then not used. */
const FORMAT = 2;

/** What a built-in's JSON holds: its LoadedFilter but the path. */
export interface PrecompiledFilter {
  format: number;
  /** `textHash` of the YAML it was read from. */
  hash: string;
  spec: FilterSpec;
  origin: LoadedFilter['origin'];
  references: readonly string[];
  fail2ban: LoadedFilter['fail2ban'];
  /** Line of each of its own rules' patterns in the YAML (ruleAt holds "path:line"). */
  ruleLines: Record<string, string>;
  /** `textHash` of each included filter's file as its rules were read (LoadedFilter.includes). */
  includes: Record<string, string>;
  samples: readonly Sample[];
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
 * The stored form of `filter`, read from `text`; `included` gives the text of each
 * filter it includes.
 */
export function precompile(
  filter: LoadedFilter,
  text: string,
  included: (name: string) => string,
): PrecompiledFilter {
  const ruleLines: Record<string, string> = {};
  for (const [id, at] of filter.ruleAt)
    if (at.startsWith(`${filter.path}:`)) ruleLines[id] = at.slice(filter.path.length + 1);
  return {
    format: FORMAT,
    hash: textHash(text),
    spec: filter.spec,
    origin: filter.origin,
    references: filter.references,
    fail2ban: filter.fail2ban,
    ruleLines,
    includes: Object.fromEntries(filter.includes.map((name) => [name, textHash(included(name))])),
    samples: filter.samples,
  };
}

/**
 * The built-in `name` as stored at build time, when it was made from the text
 * whose `textHash` is `hash` (the YAML now at `path`) and `include(name)` gives
 * each filter it includes, with the hash of its file's text now, as it was then.
 * Undefined when there is no stored form for these texts.
 */
export function readPrecompiled(
  name: string,
  path: string,
  hash: string,
  include: (name: string) => { filter: LoadedFilter; hash: string } | undefined,
  dir: string = PRECOMPILED_DIR,
): LoadedFilter | undefined {
  let stored: PrecompiledFilter;
  try {
    stored = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as PrecompiledFilter;
  } catch {
    return undefined; // not built (a plain `tsc`)
  }
  if (stored.format !== FORMAT || stored.hash !== hash) return undefined;
  // Each rule's "file:line" in rule order, as the YAML's reader gives it.
  const included = new Map<string, string>();
  for (const [other, hash] of Object.entries(stored.includes)) {
    const now = include(other);
    if (now?.hash !== hash) return undefined;
    for (const [id, at] of now.filter.ruleAt) included.set(id, at);
  }
  const ruleAt = new Map<string, string>();
  for (const { id } of stored.spec.rules) {
    const line = stored.ruleLines[id];
    const at = line === undefined ? included.get(id) : `${path}:${line}`;
    if (at === undefined) return undefined;
    ruleAt.set(id, at);
  }
  return {
    spec: stored.spec,
    path,
    origin: stored.origin,
    references: stored.references,
    fail2ban: stored.fail2ban,
    ruleAt,
    includes: Object.keys(stored.includes),
    samples: stored.samples,
  };
}
