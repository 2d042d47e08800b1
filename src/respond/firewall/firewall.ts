/**
 * The Firewall interface: where bans become packets dropped. Implementations:
 * nftables (Sheriff's own `inet sheriff` table), iptables + ipset, ufw, and
 * dry-run (records what it would do). Every one runs programs with execFile
 * and argument lists, never a shell, and receives only canonical CIDRs that
 * were parsed by net/ip.ts.
 */
import type { BanTarget, Millis } from '../../domain.js';

export interface FirewallEntry {
  target: BanTarget;
  /** When the element expires by itself (the backend's own timeout), or null for permanent. */
  expiresAt: Millis | null;
}

export class FirewallError extends Error {
  constructor(
    readonly backend: string,
    message: string,
    /** The program and arguments that failed (no secrets ever appear in them). */
    readonly command?: readonly string[],
    readonly stderr?: string,
  ) {
    super(`${backend}: ${message}`);
  }
}

/**
 * - `setup()` creates the backend's own table/sets/chain if missing; idempotent; MUST NOT touch
 *   anything it did not create (other tables, other chains' rules).
 * - `ban(entries)` adds all entries in one atomic change where the backend allows; it resolves only
 *   after the backend confirmed (the program exited 0), else rejects with FirewallError and the
 *   caller MUST NOT mark any of them active. Re-adding an existing entry updates its timeout.
 * - `unban(targets)` removes them; removing an absent entry is not an error.
 * - `list()` returns what the backend holds now (for reconciliation with the store).
 * - `teardown()` removes everything Sheriff created.
 * - `now` for timeouts comes from the caller (`expiresAt` is absolute); a backend converts it to
 *   the relative timeout its tool needs using the clock it was constructed with.
 */
export interface Firewall {
  /** 'fleet': the hub's, whose bans are signed decisions the sensors apply (fleet/). */
  readonly id: 'nftables' | 'iptables' | 'ufw' | 'dry-run' | 'fleet';
  setup(): Promise<void>;
  ban(entries: readonly FirewallEntry[]): Promise<void>;
  unban(targets: readonly BanTarget[]): Promise<void>;
  list(): Promise<FirewallEntry[]>;
  teardown(): Promise<void>;
}

/** Optional capability: drop everything but management access (the SOC "isolate host"). */
export interface Isolating {
  /** Allows only `allow` (admin addresses) to reach `ports` (management, e.g. 22); drops the rest. */
  isolate(allow: readonly BanTarget[], ports: readonly number[]): Promise<void>;
  release(): Promise<void>;
  isolated(): Promise<boolean>;
}

export function canIsolate(fw: Firewall): fw is Firewall & Isolating {
  return typeof (fw as Partial<Isolating>).isolate === 'function';
}

/** Optional capability: cut established connections from an address (`ss -K`). */
export interface ConnectionKiller {
  killConnections(targets: readonly BanTarget[]): Promise<number>;
}
