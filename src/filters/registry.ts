/**
 * The built-in filters, by the name a jail's `filter:` uses.
 */
import { dovecot } from './dovecot.js';
import { dropbear } from './dropbear.js';
import { nginxBotsearch } from './nginx-botsearch.js';
import { nginxHttpAuth } from './nginx-http-auth.js';
import { pamGeneric } from './pam-generic.js';
import { postfix } from './postfix.js';
import type { FilterSpec } from './spec.js';
import { sshd } from './sshd.js';

export const BUILTIN_FILTERS: ReadonlyMap<string, FilterSpec> = new Map(
  [sshd, dropbear, pamGeneric, postfix, dovecot, nginxHttpAuth, nginxBotsearch].map((f) => [
    f.name,
    f,
  ]),
);

export function findFilter(name: string): FilterSpec | undefined {
  return BUILTIN_FILTERS.get(name);
}
