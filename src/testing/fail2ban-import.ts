/**
 * How faithfully `sheriff import fail2ban` carries Debian's filters over: which
 * filter.d filters import with nothing lost, and how many of fail2ban's
 * annotated test-log lines (`# failJSON:`) the imported filters classify as
 * fail2ban does (same bookkeeping as the built-in filters' conformance).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseFilterFile } from '../filters/load.js';
import { importFilterAlone } from '../import/fail2ban/import.js';
import type { Issue } from '../import/fail2ban/issues.js';
import { samplesFor } from '../import/fail2ban/samples.js';
import { filterYaml } from '../import/fail2ban/write.js';
import { runAnnotations, type Check } from './filter-annotations.js';

export interface FilterConformance {
  name: string;
  /** Whether the file defines failregex at all (common.conf and *-common.conf do not). */
  isFilter: boolean;
  clean: boolean;
  losses: Issue[];
  checks: Check[];
}

export function shippedFilters(confDir: string): string[] {
  return readdirSync(join(confDir, 'filter.d'))
    .filter((f) => f.endsWith('.conf'))
    .map((f) => f.slice(0, -'.conf'.length))
    .sort();
}

export function measureFilter(
  confDir: string,
  logsDir: string | null,
  name: string,
): FilterConformance {
  const r = importFilterAlone(confDir, name);
  const losses = r.issues.filter((i) => i.loss);
  const isFilter = r.hasFailregex;
  let checks: Check[] = [];
  if (r.filter !== null && logsDir !== null && isFile(join(logsDir, name))) {
    const path = join('/nonexistent', `${r.filter.name}.yaml`);
    const loaded = parseFilterFile(filterYaml(r.filter, samplesFor(r.filter)), path, {
      origin: 'user',
      checkSamples: false,
      include: () => undefined,
    });
    checks = runAnnotations(loaded.spec, logsDir, name);
  }
  return { name, isFilter, clean: r.filter !== null && losses.length === 0, losses, checks };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
