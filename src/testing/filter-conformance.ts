/**
 * A filter against the fail2ban annotated logs its file names (`fail2ban.logs`),
 * with the differences it lists: what the test suite checks, and the table
 * README shows (`node dist/testing/filter-conformance.js` prints it).
 */
import { pathToFileURL } from 'node:url';
import type { LoadedFilter } from '../filters/load.js';
import { filterRegistry } from '../filters/registry.js';
import { runAnnotations, type Check } from './filter-annotations.js';
import { fixture } from './paths.js';

export interface Conformance {
  checks: Check[];
  /** Checks where Sheriff and fail2ban disagree. */
  wrong: Check[];
  /** Disagreements the file does not list. */
  unexplained: Check[];
  /** Listed differences that no longer occur. */
  stale: string[];
}

export const checkKey = (c: Check) => `${c.file}:${c.line}:${c.combo}`;

export function conformance(filter: LoadedFilter): Conformance {
  const f2b = filter.fail2ban;
  if (f2b === null) return { checks: [], wrong: [], unexplained: [], stale: [] };
  const checks = f2b.logs.flatMap((log) =>
    runAnnotations(filter.spec, fixture('fail2ban', 'logs'), log),
  );
  const wrong = checks.filter((c) => !c.ok);
  const keys = new Set(wrong.map(checkKey));
  return {
    checks,
    wrong,
    unexplained: wrong.filter((c) => !(checkKey(c) in f2b.differences)),
    stale: Object.keys(f2b.differences).filter((k) => !keys.has(k)),
  };
}

/** The README table: per filter, its samples and its agreement with fail2ban's annotations. */
export function conformanceTable(filters: readonly LoadedFilter[]): string {
  const rows = [
    '| filter | samples | fail2ban test logs | annotated checks | agree | listed differences |',
    '| --- | ---: | --- | ---: | ---: | ---: |',
  ];
  let total = 0;
  let agree = 0;
  for (const f of filters) {
    const c = conformance(f);
    const ok = c.checks.length - c.wrong.length;
    total += c.checks.length;
    agree += ok;
    const logs = f.fail2ban?.logs.join(', ') ?? '—';
    const share = c.checks.length === 0 ? '—' : `${percent(ok, c.checks.length)} (${ok})`;
    rows.push(
      `| ${f.spec.name} | ${f.samples.length} | ${logs} | ${c.checks.length || '—'} | ${share} | ${c.wrong.length} |`,
    );
  }
  rows.push(`| **all** | | | ${total} | ${percent(agree, total)} (${agree}) | ${total - agree} |`);
  return rows.join('\n');
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.stdout.write(conformanceTable(filterRegistry().all()) + '\n');
