/**
 * How faithfully `sheriff import fail2ban` carries Debian's filters over: which
 * filter.d filters import with nothing lost, and how many of fail2ban's
 * annotated test-log lines (`# failJSON:`) the imported filters classify as
 * fail2ban does (same bookkeeping as the built-in filters' conformance).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthEvent } from '../domain.js';
import { compileFilter } from '../filters/engine.js';
import { parseFilterFile } from '../filters/load.js';
import type { FilterSpec } from '../filters/spec.js';
import { importFilterAlone } from '../import/fail2ban/import.js';
import type { Issue } from '../import/fail2ban/issues.js';
import { filterYaml } from '../import/fail2ban/write.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { fail2banRegex } from './fail2ban-dist.js';
import { runAnnotations, type Check } from './filter-annotations.js';
import { fixture } from './paths.js';

export interface FilterConformance {
  name: string;
  /** Whether the file defines failregex at all (common.conf and *-common.conf do not). */
  isFilter: boolean;
  clean: boolean;
  losses: Issue[];
  checks: Check[];
}

const NOTHING: FilterSpec = {
  name: '',
  description: 'no rules',
  programs: null,
  modes: ['normal'],
  defaultMode: 'normal',
  rules: [],
};

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
  if (logsDir !== null && isFile(join(logsDir, name))) {
    // A filter the import could not carry over catches nothing: its lines count as such.
    let spec: FilterSpec = { ...NOTHING, name };
    if (r.filter !== null) {
      const path = join('/nonexistent', `${r.filter.name}.yaml`);
      spec = parseFilterFile(filterYaml(r.filter, r.samples), path, {
        origin: 'user',
        checkSamples: false,
        include: () => undefined,
      }).spec;
    }
    checks = runAnnotations(spec, logsDir, name);
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

/** Each line as the imported filter file classifies it (the engine's own reading, with its time). */
export function classifyWith(
  filterFile: string,
  lines: readonly string[],
  mode?: string,
): (AuthEvent | null)[] {
  const loaded = parseFilterFile(readFileSync(filterFile, 'utf8'), filterFile, {
    origin: 'user',
    checkSamples: false,
    include: () => undefined,
  });
  const times = { zone: new TimeZone('UTC'), reference: () => Date.UTC(2026, 11, 7) };
  const classifier = compileFilter(loaded.spec, mode ?? loaded.spec.defaultMode, { times });
  const parser = new LineParser(times);
  return lines.map((l) => {
    const record = parser.parse(l);
    return record === null ? null : classifier.classify(record, l);
  });
}

/** What fail2ban-regex (the unpacked package's) reports for a log and a filter: one "address<TAB>user" per failure. */
export function fail2banRegexFailures(
  confDir: string,
  log: string,
  filter: string,
): string[] | null {
  const tool = fail2banRegex();
  if (tool === null) return null;
  const out = execFileSync(
    '/usr/bin/python3',
    [tool.script, '-c', confDir, '-o', '<ip>\t<F-USER>', log, filter],
    { env: { ...process.env, PYTHONPATH: tool.pythonPath }, encoding: 'utf8' },
  );
  return out.split('\n').filter((l) => l !== '');
}

/** fail2ban's own FilterReader on [filter, options] pairs (test/fixtures/fail2ban-import/resolve.py), or null without python3. */
export function fail2banResolve(
  confDir: string,
  pairs: readonly [string, Record<string, string>][],
): Record<string, string | null>[] | null {
  const tool = fail2banRegex();
  if (tool === null) return null;
  const out = execFileSync(
    '/usr/bin/python3',
    [fixture('fail2ban-import', 'resolve.py'), confDir],
    {
      env: { ...process.env, PYTHONPATH: tool.pythonPath },
      input: JSON.stringify(pairs),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(out) as Record<string, string | null>[];
}
