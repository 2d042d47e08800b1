/**
 * The dry-run firewall: what Sheriff uses when it cannot or may not touch a real one (not
 * root, no backend found, or configured so). It validates exactly like the real backends,
 * keeps what it would hold in memory (expiring entries by the clock, as a kernel timeout
 * would), and reports every change through `log`, so the operator sees what would happen.
 */
import type { BanTarget, Millis } from '../../domain.js';
import { FirewallError, type Firewall, type FirewallEntry, type Isolating } from './firewall.js';
import { banTarget, checkEntries, checkTargets } from './targets.js';

const ID = 'dry-run';

export type DryRunAction = 'setup' | 'ban' | 'unban' | 'teardown' | 'isolate' | 'release';

export interface DryRunOptions {
  /** Called after each change with what would have been done (unban: expiresAt null). */
  log: (action: DryRunAction, entries: readonly FirewallEntry[], detail?: string) => void;
  now?: () => Millis;
}

export class DryRunFirewall implements Firewall, Isolating {
  readonly id: Firewall['id'] = 'dry-run';
  private readonly held = new Map<string, FirewallEntry>();
  private isolation: { allow: FirewallEntry[]; ports: number[] } | null = null;
  private readonly log: DryRunOptions['log'];
  private readonly now: () => Millis;

  constructor(options: DryRunOptions) {
    this.log = options.log;
    this.now = options.now ?? Date.now;
  }

  setup(): Promise<void> {
    this.log('setup', []);
    return Promise.resolve();
  }

  ban(entries: readonly FirewallEntry[]): Promise<void> {
    try {
      const checked = checkEntries(ID, entries);
      const done = checked.map((e) => ({ target: banTarget(e.target), expiresAt: e.expiresAt }));
      for (const e of done) this.held.set(e.target.cidr, e);
      if (done.length > 0) this.log('ban', done);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  unban(targets: readonly BanTarget[]): Promise<void> {
    try {
      const checked = checkTargets(ID, targets);
      for (const t of checked) this.held.delete(t.cidr);
      if (checked.length > 0)
        this.log(
          'unban',
          checked.map((t) => ({ target: banTarget(t), expiresAt: null })),
        );
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  list(): Promise<FirewallEntry[]> {
    const now = this.now();
    for (const [k, e] of this.held)
      if (e.expiresAt !== null && e.expiresAt <= now) this.held.delete(k);
    return Promise.resolve(
      [...this.held.values()].map((e) => ({ target: { ...e.target }, expiresAt: e.expiresAt })),
    );
  }

  teardown(): Promise<void> {
    const had = [...this.held.values()];
    this.held.clear();
    this.log('teardown', had);
    return Promise.resolve();
  }

  isolate(allow: readonly BanTarget[], ports: readonly number[]): Promise<void> {
    try {
      const admins = checkTargets(ID, allow).map((t) => ({
        target: banTarget(t),
        expiresAt: null,
      }));
      const p = [...new Set(ports)];
      if (p.some((x) => !Number.isInteger(x) || x < 1 || x > 65535))
        throw new FirewallError(ID, `isolate: ports must be integers 1–65535, got ${p.join(', ')}`);
      if (admins.length === 0 || p.length === 0)
        throw new FirewallError(
          ID,
          'isolate: refusing to cut every management path (give at least one admin address and port)',
        );
      this.isolation = { allow: admins, ports: p };
      this.log('isolate', admins, `ports ${p.join(',')}`);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  release(): Promise<void> {
    const was = this.isolation;
    this.isolation = null;
    this.log('release', was?.allow ?? []);
    return Promise.resolve();
  }

  isolated(): Promise<boolean> {
    return Promise.resolve(this.isolation !== null);
  }
}
