/**
 * The filters a jail's `filter:` can name: the built-ins (filters/*.yaml in the
 * package) and the admin's (a directory, /etc/sheriff/filters.d by default),
 * where a user file named like a built-in replaces it. Files are read lazily:
 * listing the names reads directories only, and a filter is read and compiled
 * when first asked for, so start-up costs only the filters the jails use.
 * A built-in comes from its form stored at build time (precompiled.ts) while its
 * YAML is unchanged; the YAML reader and the schema (load.ts) are loaded only for
 * a file that has none, such as the admin's.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { configError } from '../config/errors.js';
import { BUILTIN_FILTER_DIR, filterFiles } from './dirs.js';
import type * as LoadModule from './load.js';
import type { LoadedFilter, LoadOptions } from './load.js';
import { PRECOMPILED_DIR, readPrecompiled, textHash } from './precompiled.js';
import type { FilterSpec } from './spec.js';

// `require` of an ES module is synchronous, so `get` stays so (the bundle makes
// load.js an entry of its own: packaging/bundle.ts).
const require = createRequire(import.meta.url);

export { BUILTIN_FILTER_DIR, DEFAULT_USER_FILTER_DIR } from './dirs.js';

export class FilterRegistry {
  private readonly builtins: ReadonlyMap<string, string>;
  private readonly users: ReadonlyMap<string, string>;
  private readonly loaded = new Map<string, { filter: LoadedFilter; hash: string }>();

  constructor(
    readonly userDir: string | null = null,
    builtinDir: string = BUILTIN_FILTER_DIR,
    /**
     * Read the samples of a built-in without a stored form only when asked for (a
     * second read of its file): right for running filters; a caller that shows every
     * filter's samples reads each once.
     */
    private readonly samplesLater = true,
    /** Where the built-ins read at build time are (precompiled.ts). */
    private readonly precompiledDir = PRECOMPILED_DIR,
  ) {
    this.builtins = filterFiles(builtinDir);
    this.users = userDir === null ? new Map() : filterFiles(userDir);
  }

  /** Every filter name, sorted. */
  names(): string[] {
    return [...new Set([...this.builtins.keys(), ...this.users.keys()])].sort();
  }

  has(name: string): boolean {
    return this.users.has(name) || this.builtins.has(name);
  }

  /** Whether `name` is a built-in that no user file replaces. */
  isBuiltin(name: string): boolean {
    return !this.users.has(name) && this.builtins.has(name);
  }

  /** User files that replace a built-in of the same name. */
  overrides(): { name: string; path: string }[] {
    return [...this.users]
      .filter(([name]) => this.builtins.has(name))
      .map(([name, path]) => ({ name, path }));
  }

  /** The filter read and checked (a user's samples too); throws ConfigError when its file is wrong. */
  get(name: string): LoadedFilter | undefined {
    return this.read(name, []);
  }

  spec(name: string): FilterSpec | undefined {
    return this.get(name)?.spec;
  }

  /** Every filter, read. */
  all(): LoadedFilter[] {
    return this.names().map((n) => this.get(n)!);
  }

  /** The admin's filters (user and imported), read and checked. */
  userFilters(): LoadedFilter[] {
    return [...this.users.keys()].sort().map((n) => this.get(n)!);
  }

  private read(name: string, chain: readonly string[]): LoadedFilter | undefined {
    return this.readWithHash(name, chain)?.filter;
  }

  /** The filter and the `textHash` of its file's text. */
  private readWithHash(
    name: string,
    chain: readonly string[],
  ): { filter: LoadedFilter; hash: string } | undefined {
    const done = this.loaded.get(name);
    if (done !== undefined) return done;
    const user = this.users.get(name);
    const path = user ?? this.builtins.get(name);
    if (path === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const reason = (err as Error).message;
      throw configError([(t) => t('config.error.cannotRead', { path, reason })], undefined);
    }
    const hash = textHash(text);
    const within = [...chain, name];
    const filter =
      (user === undefined
        ? readPrecompiled(
            name,
            path,
            hash,
            (other) => this.readWithHash(other, within),
            this.precompiledDir,
          )
        : undefined) ?? this.parse(text, path, user === undefined, chain);
    const read = { filter, hash };
    this.loaded.set(name, read);
    return read;
  }

  /** The filter read from its YAML. */
  private parse(text: string, path: string, builtin: boolean, chain: readonly string[]) {
    const { parseFilterFile } = require('./load.js') as typeof LoadModule;
    const options: LoadOptions = {
      origin: builtin ? 'built-in' : 'user',
      // Built-ins' samples are checked by the test suite, not at every start.
      checkSamples: !builtin,
      lazySamples: builtin && this.samplesLater,
      chain,
      include: (other, includeChain) => this.read(other, includeChain),
    };
    return parseFilterFile(text, path, options);
  }
}

const registries = new Map<string | null, FilterRegistry>();

/** The registry for a user directory (null: built-ins only), made once per process. */
export function filterRegistry(userDir: string | null = null): FilterRegistry {
  let registry = registries.get(userDir);
  if (registry === undefined) {
    registry = new FilterRegistry(userDir);
    registries.set(userDir, registry);
  }
  return registry;
}

/**
 * The registry read afresh, as each configuration load (and `sheriff watch`'s reload)
 * does: later `filterRegistry(userDir)` calls return it, so a reload sees new and
 * edited filter files.
 */
export function reloadFilterRegistry(userDir: string | null): FilterRegistry {
  const registry = new FilterRegistry(userDir);
  registries.set(userDir, registry);
  return registry;
}

/** A built-in filter's spec. */
export function findFilter(name: string): FilterSpec | undefined {
  return filterRegistry().spec(name);
}
