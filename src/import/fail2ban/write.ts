/**
 * The import's files: DIR/sheriff.yaml and DIR/filters.d/<name>.yaml. Nothing is
 * overwritten: an existing sheriff.yaml stops the import before anything is written.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Document } from 'yaml';
import type { ImportResult } from './import.js';
import type { ImportedFilter } from './translate.js';

export class OutputExistsError extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists`);
  }
}

/** A line no imported rule is meant to match: the one sample every filter file needs. */
export const NONE_SAMPLE =
  'Dec  7 10:00:00 host sheriff-import[1]: a line no fail2ban rule matches';

export interface FilterSample {
  line: string;
  result: 'fail' | 'nofail' | 'success' | 'none';
  address?: string;
  rule?: string;
  mode?: string[];
}

/** The filter file's YAML: the imported filter and its samples. */
export function filterYaml(filter: ImportedFilter, samples: readonly FilterSample[]): string {
  const doc = new Document({ ...filter, samples });
  doc.commentBefore =
    ` Imported from fail2ban by \`sheriff import fail2ban\`: ${filter.references[0]}.\n` +
    ' Rules search the whole line without its time, as fail2ban does (matchOn: line).\n' +
    " fail2ban filters have no samples: these lines are generated from each rule's pattern.";
  return doc.toString({ lineWidth: 0 });
}

export function configYaml(result: ImportResult, filtersDir: string): string {
  const doc = new Document({ filters: { dir: filtersDir }, ...result.config });
  doc.commentBefore = ` Imported from fail2ban (${result.dir}) by \`sheriff import fail2ban\`.\n Every jail asks before banning (policy: approve); see response.firewall.`;
  return doc.toString({ lineWidth: 0 });
}

/** Writes the files; returns their paths. */
export function writeImport(result: ImportResult, out: string): string[] {
  const configPath = join(out, 'sheriff.yaml');
  if (existsSync(configPath)) throw new OutputExistsError(configPath);
  const filtersDir = join(out, 'filters.d');
  mkdirSync(filtersDir, { recursive: true });
  const written: string[] = [];
  for (const f of result.filters) {
    const path = join(filtersDir, `${f.name}.yaml`);
    writeFileSync(path, filterYaml(f, result.samples.get(f.name) ?? []));
    written.push(path);
  }
  writeFileSync(configPath, configYaml(result, resolve(filtersDir)));
  return [configPath, ...written];
}
