/**
 * What `sheriff config check` adds for the admin's filters: every file in the
 * filters directory is read and its samples run (not only those a jail uses),
 * its regexes are checked for catastrophic backtracking where recheck is
 * installed, and a file that replaces a built-in is pointed out.
 */
import { configError, type Problem } from '../config/yaml-problems.js';
import { filterRegistry } from '../filters/registry.js';
import { checkFilterRedos } from '../filters/redos.js';
import type { CliContext } from './common.js';

export async function checkUserFilters(dir: string, ctx: CliContext): Promise<void> {
  const { t } = ctx;
  const filters = filterRegistry(dir);
  const user = filters.userFilters();
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  let unchecked = false;
  for (const filter of user) {
    const redos = await checkFilterRedos(filter);
    if (redos === null) unchecked = true;
    else {
      problems.push(...redos.vulnerable);
      warnings.push(...redos.undecided);
    }
  }
  if (problems.length > 0) throw configError(problems, undefined);
  for (const w of warnings) ctx.stderr.write(w(t) + '\n');
  for (const o of filters.overrides()) ctx.stdout.write(t('filters.overrides', o) + '\n');
  if (unchecked && user.length > 0) ctx.stderr.write(t('testFilter.spec.redosUnchecked') + '\n');
}
