/**
 * The built-in filters, by the name a jail's `filter:` uses.
 */
import type { FilterSpec } from './spec.js';
import { sshd } from './sshd.js';

export const BUILTIN_FILTERS: ReadonlyMap<string, FilterSpec> = new Map(
  [sshd].map((f) => [f.name, f]),
);

export function findFilter(name: string): FilterSpec | undefined {
  return BUILTIN_FILTERS.get(name);
}
