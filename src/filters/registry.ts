/**
 * The filters a jail's `filter:` can name: the built-ins (filters/*.yaml in the
 * package) and the admin's (a directory, /etc/sheriff/filters.d by default),
 * where a user file named like a built-in replaces it. Files are read lazily:
 * listing the names reads directories only, and a filter is read and compiled
 * when first asked for, so start-up costs only the filters the jails use.
 */
import { readFileSync } from 'node:fs';
import { configError } from '../config/errors.js';
import { BUILTIN_FILTER_DIR, filterFiles } from './dirs.js';
import { parseFilterFile, readSamples, type LoadedFilter, type LoadOptions } from './load.js';
import { PRECOMPILED_DIR, readPrecompiled } from './precompiled.js';
import type { FilterSpec } from './spec.js';

export { BUILTIN_FILTER_DIR, DEFAULT_USER_FILTER_DIR } from './dirs.js';

export class FilterRegistry {
  private readonly builtins: ReadonlyMap<string, string>;
  private readonly users: ReadonlyMap<string, string>;
  private readonly loaded = new Map<string, LoadedFilter>();

  constructor(
    readonly userDir: string | null = null,
    builtinDir: string = BUILTIN_FILTER_DIR,
    /**
     * Read a built-in's samples only when asked for (a second read of its file): right
     * for running filters; a caller that shows every filter's samples reads each once.
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
    const options: LoadOptions = {
      origin: user === undefined ? 'built-in' : 'user',
      // Built-ins' samples are checked by the test suite, not at every start.
      checkSamples: user !== undefined,
      lazySamples: user === undefined && this.samplesLater,
      chain,
      include: (other, includeChain) => this.read(other, includeChain),
    };
    const filter =
      (options.lazySamples === true
        ? readPrecompiled(
            name,
            path,
            text,
            () => readSamples(text, path, options),
            this.precompiledDir,
          )
        : undefined) ?? parseFilterFile(text, path, options);
    this.loaded.set(name, filter);
    return filter;
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
