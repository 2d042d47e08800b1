/**
 * Probes: connections that never tried to log in (port scanners, banner
 * grabbers, clients that fail the key exchange). A probe is a `nofail` line
 * with an address and no user name (the connection never named one) of a rule
 * that names the address itself and either
 * - ends a connection (`ends`: sshd's "Connection closed by A port N", which
 *   follows "kex_exchange_identification: Connection closed by remote host"), or
 * - counts as a failure in the filter's `ddos` mode, fail2ban's mode for
 *   "connections that never authenticate" ("Did not receive identification
 *   string from A", "Bad protocol version identification … from A", …).
 * Rules without the address in their own text (a hostless kex line) are left
 * out, so one connection is one probe: its closing line counts, not its
 * kex line too. In `ddos` mode the same connections are failures and go to the
 * windows like any other.
 */
import type { AuthEvent } from '../domain.js';
import type { FilterSpec } from '../filters/spec.js';

/** The mode in which a filter counts connections that never authenticate. */
export const PROBE_MODE = 'ddos';

/** The ids of the rules whose lines are probes in `mode`. */
export function probeRules(spec: FilterSpec, mode: string): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const r of spec.rules) {
    const own = typeof r.result === 'string' ? r.result : r.result[mode];
    const ddos = typeof r.result === 'string' ? r.result : r.result[PROBE_MODE];
    if (own !== 'nofail' || !r.pattern.includes('{HOST}')) continue;
    if (r.ends === true || ddos === 'fail') ids.add(r.id);
  }
  return ids;
}

/** Whether the event is one connection that ended without trying to log in. */
export function isProbe(event: AuthEvent, rules: ReadonlySet<string>): boolean {
  return (
    event.result === 'nofail' &&
    event.ip !== null &&
    event.user === null &&
    event.users === null &&
    event.rule !== null &&
    rules.has(event.rule)
  );
}
