/** Builds the firewall backend the configuration (or `chooseFirewall`) named. */
import type { FirewallKind } from './choose-backend.js';
import { DryRunFirewall, type DryRunOptions } from './dry-run.js';
import type { Firewall } from './firewall.js';
import { IptablesFirewall } from './iptables.js';
import { NftablesFirewall } from './nftables.js';
import type { BackendOptions } from './options.js';
import { UfwFirewall } from './ufw.js';

export interface CreateFirewallOptions extends BackendOptions {
  /** iptables: largest number of entries per ipset. */
  maxElem?: number;
  /** dry-run: where the changes it would make are reported (required for dry-run). */
  log?: DryRunOptions['log'];
}

export function createFirewall(kind: FirewallKind, options: CreateFirewallOptions = {}): Firewall {
  switch (kind) {
    case 'nftables':
      return new NftablesFirewall(options);
    case 'iptables':
      return new IptablesFirewall(options);
    case 'ufw':
      return new UfwFirewall(options);
    case 'dry-run': {
      const log = options.log;
      if (log === undefined) throw new Error('createFirewall: dry-run needs a log function');
      return new DryRunFirewall({ log, ...(options.now ? { now: options.now } : {}) });
    }
  }
}

export {
  chooseFirewall,
  hasProgram,
  type FirewallChoice,
  type FirewallKind,
} from './choose-backend.js';
export { DryRunFirewall, type DryRunAction } from './dry-run.js';
export { createRunner, type ExecOptions, type Programs, type Runner } from './exec.js';
export {
  canIsolate,
  FirewallError,
  type ConnectionKiller,
  type Firewall,
  type FirewallEntry,
  type Isolating,
} from './firewall.js';
export { IptablesFirewall } from './iptables.js';
export { NftablesFirewall } from './nftables.js';
export type { BackendOptions } from './options.js';
export { UfwFirewall } from './ufw.js';

/** Whether a firewall can cut established connections (`ss -K`). */
export function canKill(fw: Firewall): fw is Firewall & import('./firewall.js').ConnectionKiller {
  return typeof (fw as { killConnections?: unknown }).killConnections === 'function';
}
