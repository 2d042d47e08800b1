/** The `filters:` section of sheriff.yaml, and the check that every jail's filter exists. */
import { z } from 'zod';
import { DEFAULT_USER_FILTER_DIR, reloadFilterRegistry } from './registry.js';

export const filtersConfigSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .default(DEFAULT_USER_FILTER_DIR)
      .describe(
        'your own filters, one <name>.yaml each (format: filters/README.md); a file named like a built-in replaces it',
      ),
  })
  .prefault({});

export type FiltersConfig = z.output<typeof filtersConfigSchema>;

interface JailFilter {
  filter?: string | undefined;
  mode?: string | undefined;
}

/**
 * Every jail's filter (its own name by default) is a built-in or a user filter, and
 * its mode one of the filter's. Reads the filters directory afresh (a reload sees
 * new and edited files) and those filters (a user filter's samples are checked as
 * it is read: a bad file is a ConfigError of its own); a built-in only for a mode.
 */
export function checkJailFilters(
  jails: Readonly<Record<string, JailFilter>>,
  config: FiltersConfig,
  ctx: z.core.$RefinementCtx,
): void {
  const filters = reloadFilterRegistry(config.dir);
  for (const [name, jail] of Object.entries(jails)) {
    const filter = jail.filter ?? name;
    // A built-in is read only to check a mode: the test suite checks its file, and the
    // read is most of a command's configuration load.
    if (jail.mode === undefined && filters.isBuiltin(filter)) continue;
    const spec = filters.spec(filter);
    if (spec === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['jails', name, 'filter'],
        message: 'config.error.unknownFilter',
        input: filter,
        params: { list: filters.names().join(', ') },
      });
    } else if (jail.mode !== undefined && !spec.modes.includes(jail.mode)) {
      ctx.addIssue({
        code: 'custom',
        path: ['jails', name, 'mode'],
        message: 'config.error.unknownMode',
        input: jail.mode,
        params: { filter, list: spec.modes.join(', ') },
      });
    }
  }
}
