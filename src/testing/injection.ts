/** The injection fixture (test/fixtures/injection/poisoned.log): poisoned lines and their classification. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFilter } from '../filters/engine.js';
import { findFilter } from '../filters/registry.js';
import { LineParser } from '../parse/line.js';
import { TimeZone } from '../parse/zone.js';
import { REPO_ROOT } from './paths.js';

export interface PoisonedLine {
  filter: string;
  ip: string;
  field: 'user' | 'line';
  line: string;
}

/** The injection fixture: each line with what its `# expect:` says. */
export function poisonedLines(): PoisonedLine[] {
  const text = readFileSync(join(REPO_ROOT, 'test/fixtures/injection/poisoned.log'), 'utf8');
  const out: PoisonedLine[] = [];
  let expect: Omit<PoisonedLine, 'line'> | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('# expect: '))
      expect = JSON.parse(line.slice(10)) as Omit<PoisonedLine, 'line'>;
    else if (line !== '' && !line.startsWith('#') && expect !== null) {
      out.push({ ...expect, line });
      expect = null;
    }
  }
  return out;
}

/** Classifies a fixture line with the real parser and filter. */
export function classifyPoisoned(p: PoisonedLine) {
  const parser = new LineParser({
    zone: new TimeZone('UTC'),
    reference: () => Date.UTC(2026, 10, 25, 12),
  });
  const record = parser.parse(p.line);
  if (record === null) throw new Error(`unparsable fixture line: ${p.line}`);
  return compileFilter(findFilter(p.filter)!).classify(record);
}
