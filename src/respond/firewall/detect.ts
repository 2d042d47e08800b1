/**
 * Which firewall backend to use, and why, in words the daemon logs. Dry-run is the default
 * (a first run must not touch the firewall); `auto` takes nftables where `nft` exists and
 * Sheriff is root, else iptables + ipset, else dry-run. Every dry-run is `loud` (the daemon
 * logs it as a warning: nothing will be blocked) and says how to block for real.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type FirewallKind = 'nftables' | 'iptables' | 'ufw' | 'dry-run';

export interface FirewallChoice {
  kind: FirewallKind;
  /** One sentence for the log. */
  reason: string;
  /** True when bans will not reach a firewall though the configuration did not ask for dry-run,
   *  or when the configured backend is missing what it needs: log it as a warning. */
  loud: boolean;
}

export interface ChooseOptions {
  configured?: 'auto' | FirewallKind;
  isRoot: boolean;
  hasProgram: (name: string) => boolean;
}

const NEEDS: Record<Exclude<FirewallKind, 'dry-run'>, string[]> = {
  nftables: ['nft'],
  iptables: ['iptables', 'ip6tables', 'ipset'],
  ufw: ['ufw'],
};

export function chooseFirewall(o: ChooseOptions): FirewallChoice {
  const configured = o.configured ?? 'dry-run';
  const missing = (kind: Exclude<FirewallKind, 'dry-run'>) =>
    NEEDS[kind].filter((p) => !o.hasProgram(p));

  if (configured === 'dry-run')
    return {
      kind: 'dry-run',
      reason:
        'firewall: DRY-RUN, NOTHING WILL BE BLOCKED: bans are only logged (set response.firewall: auto, or nftables, to block)',
      loud: true,
    };

  if (configured !== 'auto') {
    const problems = missing(configured).map((p) => `${p} was not found`);
    if (!o.isRoot) problems.push('Sheriff is not running as root');
    return problems.length === 0
      ? { kind: configured, reason: `firewall: ${configured} (configured)`, loud: false }
      : {
          kind: configured,
          reason: `firewall: ${configured} is configured, but ${problems.join(' and ')}: setting it up will fail and nothing will be blocked`,
          loud: true,
        };
  }

  if (!o.isRoot)
    return {
      kind: 'dry-run',
      reason:
        'firewall: DRY-RUN, NOTHING WILL BE BLOCKED: Sheriff is not running as root, so it cannot change the firewall (bans are only logged)',
      loud: true,
    };
  if (missing('nftables').length === 0)
    return { kind: 'nftables', reason: 'firewall: nftables (auto: nft found)', loud: false };
  const ipt = missing('iptables');
  if (ipt.length === 0)
    return {
      kind: 'iptables',
      reason:
        'firewall: iptables + ipset (auto: nft not found; iptables, ip6tables and ipset found)',
      loud: false,
    };
  return {
    kind: 'dry-run',
    reason: `firewall: DRY-RUN, NOTHING WILL BE BLOCKED: no backend found (nft missing; ${ipt.join(', ')} missing): install nftables, or set firewall: ufw`,
    loud: true,
  };
}

/** Default `hasProgram`: an executable of that name in PATH or the sbin directories. */
export function hasProgram(name: string, path: string = process.env.PATH ?? ''): boolean {
  if (name.includes('/')) return executable(name);
  const dirs = new Set([...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const d of dirs) if (d !== '' && executable(join(d, name))) return true;
  return false;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
