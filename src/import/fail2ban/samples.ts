/**
 * Samples for an imported filter file. fail2ban filters carry none; every filter
 * file needs at least one, so each gets a line that no rule matches.
 */
import type { ImportedFilter } from './translate.js';
import { NONE_SAMPLE, type FilterSample } from './write.js';

export function samplesFor(filter: ImportedFilter): FilterSample[] {
  const hit = filter.rules.some((r) => new RegExp(r.pattern).test(NONE_SAMPLE));
  return hit ? [] : [{ line: NONE_SAMPLE, result: 'none' }];
}
