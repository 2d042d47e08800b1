/**
 * Build-time only (not shipped): reads every built-in filter (filters/*.yaml) the
 * way the registry does and stores it as JSON (filters/precompiled.ts), which the
 * registry then reads instead of the YAML while the YAML is unchanged.
 *   node dist/packaging/precompile-filters.js  →  dist/filters/compiled/<name>.json
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_FILTER_DIR, FilterRegistry } from '../filters/registry.js';
import { precompile, PRECOMPILED_DIR } from '../filters/precompiled.js';

/** Writes `dir`/<name>.json for each built-in; returns their names. */
export async function precompileFilters(
  dir: string = PRECOMPILED_DIR,
  builtinDir: string = BUILTIN_FILTER_DIR,
): Promise<string[]> {
  // Read from the YAML only (`dir`, emptied, is where the registry looks for JSON).
  await rm(dir, { recursive: true, force: true });
  const registry = new FilterRegistry(null, builtinDir, false, dir);
  const text = (path: string) => readFileSync(path, 'utf8');
  const written: string[] = [];
  await mkdir(dir, { recursive: true });
  for (const filter of registry.all()) {
    const stored = precompile(filter, text(filter.path), (name) => text(registry.get(name)!.path));
    await writeFile(join(dir, `${filter.spec.name}.json`), JSON.stringify(stored));
    written.push(filter.spec.name);
  }
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const written = await precompileFilters();
  process.stdout.write(`precompiled ${written.length} built-in filters into ${PRECOMPILED_DIR}\n`);
}
