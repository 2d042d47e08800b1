/**
 * What `sheriff config check` adds for the admin's filters: every file in the
 * filters directory is read and its samples run (not only those a jail uses),
 * its regexes are checked for catastrophic backtracking where recheck is
 * installed, and a file that replaces a built-in is pointed out. The daemon's
 * start and reload check the regexes of the user and imported filters its jails
 * use; it keeps the verdicts beside the store, so a regex is checked once.
 */
import { dirname, join } from 'node:path';
import type { SheriffConfig } from '../app/config.js';
import { storePath } from '../config/paths.js';
import { configError, type Problem } from '../config/errors.js';
import type { Translate } from '../i18n/index.js';
import type { LoadedFilter } from '../filters/load.js';
import { filterRegistry } from '../filters/registry.js';
import { checkFilterRedos, RedosVerdictFile } from '../filters/redos.js';
import type { CliContext } from './common.js';

/** The verdicts file beside the store (`regex-checks.json`); only the daemon adds to it. */
function verdictsFor(config: Pick<SheriffConfig, 'store'>, writable: boolean): RedosVerdictFile {
  const path = join(dirname(storePath(config.store)), 'regex-checks.json');
  return new RedosVerdictFile(path, writable);
}

interface Checked {
  problems: Problem[];
  warnings: Problem[];
  /** recheck is not installed: nothing could be checked. */
  unchecked: boolean;
}

async function checkFilters(filters: LoadedFilter[], verdicts: RedosVerdictFile): Promise<Checked> {
  const checked: Checked = { problems: [], warnings: [], unchecked: false };
  for (const filter of filters) {
    const redos = await checkFilterRedos(filter, undefined, verdicts);
    if (redos === null) checked.unchecked = true;
    else {
      checked.problems.push(...redos.vulnerable);
      checked.warnings.push(...redos.undecided);
    }
  }
  return checked;
}

export async function checkUserFilters(
  config: Pick<SheriffConfig, 'filters' | 'store'>,
  ctx: CliContext,
): Promise<void> {
  const { t } = ctx;
  const filters = filterRegistry(config.filters.dir);
  const user = filters.userFilters();
  const { problems, warnings, unchecked } = await checkFilters(user, verdictsFor(config, false));
  if (problems.length > 0) throw configError(problems, undefined);
  for (const w of warnings) ctx.stderr.write(w(t) + '\n');
  for (const o of filters.overrides()) ctx.stdout.write(t('filters.overrides', o) + '\n');
  if (unchecked && user.length > 0) ctx.stderr.write(t('testFilter.spec.redosUnchecked') + '\n');
}

/**
 * At the daemon's start and reload: the user and imported filters of the enabled jails.
 * A regex that backtracks catastrophically refuses the configuration (exit status 2 at
 * start; a reload keeps the running one); the warnings are returned for the log.
 */
export async function checkJailFilterRegexes(
  config: Pick<SheriffConfig, 'filters' | 'store' | 'jails'>,
  t: Translate,
): Promise<string[]> {
  const filters = filterRegistry(config.filters.dir);
  const used = new Set(
    Object.entries(config.jails)
      .filter(([, jail]) => jail.enabled)
      .map(([name, jail]) => jail.filter ?? name),
  );
  const theirs = [...used]
    .map((name) => filters.get(name))
    .filter((f): f is LoadedFilter => f !== undefined && f.origin !== 'built-in');
  if (theirs.length === 0) return [];
  const { problems, warnings, unchecked } = await checkFilters(theirs, verdictsFor(config, true));
  if (problems.length > 0) throw configError(problems, undefined);
  return [
    ...warnings.map((w) => w(t)),
    ...(unchecked ? [t('testFilter.spec.redosUnchecked')] : []),
  ];
}
