/**
 * Which firewall backend to use, and why, in words the daemon logs. Dry-run is the default
 * (a first run must not touch the firewall); `auto` takes nftables where `nft` exists and
 * Sheriff may change the firewall, else iptables + ipset, else dry-run. Every dry-run is `loud`
 * (the daemon logs it as a warning: nothing will be blocked) and says how to block for real.
 *
 * "May change the firewall" is a capability, not uid 0: nft and ipset need CAP_NET_ADMIN, and
 * iptables also CAP_NET_RAW (its set match opens a raw socket); only ufw insists on root. The
 * programs run as Sheriff's children, so a non-root Sheriff needs the capability in its ambient
 * set (systemd's AmbientCapabilities=), which children inherit; an effective-only one (file
 * capabilities on node) would be lost at the first exec.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type FirewallKind = 'nftables' | 'iptables' | 'ufw' | 'dry-run';

const CAP_BITS = { CAP_NET_ADMIN: 12, CAP_NET_RAW: 13 } as const;
export type Capability = keyof typeof CAP_BITS;

/** What the programs Sheriff runs may do. */
export interface Privileges {
  root: boolean;
  /** Capabilities its children (nft, ipset, iptables, ss) hold. */
  capabilities: readonly Capability[];
}

export interface FirewallChoice {
  kind: FirewallKind;
  /** One sentence for the log. */
  reason: string;
  /** True when bans will not reach a firewall though the configuration did not ask for dry-run,
   *  or when the configured backend is missing what it needs: log it as a warning. */
  loud: boolean;
  /** True only for a real backend that has everything it needs: bans will drop packets. */
  enforcing: boolean;
  /** What kept a backend from being used: programs, capabilities (CAP_NET_ADMIN) or "root". */
  missing: string[];
}

export interface ChooseOptions {
  configured?: 'auto' | FirewallKind;
  privileges: Privileges;
  hasProgram: (name: string) => boolean;
}

type RealKind = Exclude<FirewallKind, 'dry-run'>;

const NEEDS: Record<RealKind, { programs: string[]; capabilities: Capability[]; root: boolean }> = {
  nftables: { programs: ['nft'], capabilities: ['CAP_NET_ADMIN'], root: false },
  iptables: {
    programs: ['iptables', 'ip6tables', 'ipset'],
    capabilities: ['CAP_NET_ADMIN', 'CAP_NET_RAW'],
    root: false,
  },
  // ufw refuses to run unless its user is root, and writes its rules under /etc/ufw.
  ufw: { programs: ['ufw'], capabilities: [], root: true },
};

const DRY = 'firewall: DRY-RUN, NOTHING WILL BE BLOCKED';

export function chooseFirewall(o: ChooseOptions): FirewallChoice {
  const configured = o.configured ?? 'dry-run';
  const missing = (kind: RealKind): string[] => {
    const need = NEEDS[kind];
    return [
      ...need.programs.filter((p) => !o.hasProgram(p)),
      ...need.capabilities.filter((c) => !o.privileges.capabilities.includes(c)),
      ...(need.root && !o.privileges.root ? ['root'] : []),
    ];
  };

  if (configured === 'dry-run')
    return {
      kind: 'dry-run',
      reason: `${DRY}: bans are only logged (set response.firewall: auto, or nftables, to block)`,
      loud: true,
      enforcing: false,
      missing: [],
    };

  if (configured !== 'auto') {
    const lacks = missing(configured);
    return lacks.length === 0
      ? {
          kind: configured,
          reason: `firewall: ${configured} (configured)`,
          loud: false,
          enforcing: true,
          missing: [],
        }
      : {
          kind: configured,
          reason: `firewall: ${configured} is configured, but it needs ${lacks.map(needText).join(' and ')}: setting it up will fail and nothing will be blocked`,
          loud: true,
          enforcing: false,
          missing: lacks,
        };
  }

  const nft = missing('nftables');
  if (nft.length === 0)
    return {
      kind: 'nftables',
      reason: 'firewall: nftables (auto: nft found, CAP_NET_ADMIN held)',
      loud: false,
      enforcing: true,
      missing: [],
    };
  const ipt = missing('iptables');
  if (ipt.length === 0)
    return {
      kind: 'iptables',
      reason:
        'firewall: iptables + ipset (auto: nft not found; iptables, ip6tables and ipset found)',
      loud: false,
      enforcing: true,
      missing: [],
    };
  const lacks = [...new Set([...nft, ...ipt])];
  const programsOnly = lacks.every((m) => !m.startsWith('CAP_') && m !== 'root');
  return {
    kind: 'dry-run',
    reason: programsOnly
      ? `${DRY}: no backend found (nft missing; ${ipt.join(', ')} missing): install nftables, or set firewall: ufw`
      : `${DRY}: no backend can be used (nftables needs ${nft.map(needText).join(' and ')}; iptables + ipset needs ${ipt.map(needText).join(' and ')}): run Sheriff as root or with CAP_NET_ADMIN in its ambient capabilities (AmbientCapabilities=CAP_NET_ADMIN, as contrib/sheriff.service does)`,
    loud: true,
    enforcing: false,
    missing: lacks,
  };
}

function needText(m: string): string {
  if (m === 'root') return 'to run as root';
  return m.startsWith('CAP_') ? `the ${m} capability` : `${m} (not found)`;
}

/**
 * The privileges of this process's children: root, or the capabilities in its ambient set
 * (read from `status`, /proc/self/status by default). Without /proc, none are assumed.
 */
export function currentPrivileges(
  status: string = readStatus(),
  uid: number | undefined = process.getuid?.(),
): Privileges {
  const set = (name: string): bigint => {
    const m = new RegExp(`^${name}:\\s*([0-9a-fA-F]+)\\s*$`, 'm').exec(status);
    return m === null ? 0n : BigInt(`0x${m[1]!}`);
  };
  // Root's children get its bounding set back at exec; anyone else's keep only ambient ones.
  const held = uid === 0 ? set('CapEff') : set('CapEff') & set('CapAmb');
  const capabilities = (Object.keys(CAP_BITS) as Capability[]).filter(
    (c) => ((held >> BigInt(CAP_BITS[c])) & 1n) === 1n,
  );
  return { root: uid === 0, capabilities };
}

function readStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
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
