/**
 * iptables + ipset backend: two ipsets (`sheriff4`, `sheriff6`: hash:net with per-entry
 * timeouts, `timeout 0` = permanent) and one DROP rule per family at the top of INPUT,
 * inserted only when `-C` says it is missing. A ban or unban of any size is one
 * `ipset -exist restore` reading stdin (re-adding updates the timeout, deleting an absent
 * entry is no error); the listing is `ipset save <set>`. Teardown removes Sheriff's two
 * rules and two sets, nothing else.
 */
import type { BanTarget, Millis } from '../../domain.js';
import type { Programs, Runner } from './exec.js';
import {
  FirewallError,
  type ConnectionKiller,
  type Firewall,
  type FirewallEntry,
} from './firewall.js';
import { killWithSs } from './kill.js';
import { resolveOptions, type BackendOptions } from './options.js';
import { banTarget, checkEntries, checkTargets, fromTool, remainingMs } from './targets.js';

const ID = 'iptables';
export const IPSET_NAMES = { 4: 'sheriff4', 6: 'sheriff6' } as const;
/** The kernel clamps ipset timeouts to this many seconds (about 24.8 days). */
export const IPSET_MAX_TIMEOUT_S = 2_147_483;
const DEFAULT_MAX_ELEM = 1_048_576;
const RULE_COMMENT = 'sheriff';

export interface IptablesOptions extends BackendOptions {
  /** Largest number of entries per set (ipset's default, 65,536, is too small for a botnet). */
  maxElem?: number;
}

/** The rule spec after `-C/-I/-D INPUT`. */
export function iptablesRule(family: 4 | 6): string[] {
  return [
    '-m',
    'set',
    '--match-set',
    IPSET_NAMES[family],
    'src',
    '-m',
    'comment',
    '--comment',
    RULE_COMMENT,
    '-j',
    'DROP',
  ];
}

/** An entry of `ipset save`: `add sheriff4 203.0.113.5 timeout 29` (/32 and /128 printed bare). */
export function readIpsetSave(text: string, now: Millis): FirewallEntry[] {
  const out: FirewallEntry[] = [];
  const names: string[] = [IPSET_NAMES[4], IPSET_NAMES[6]];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'add' || words[1] === undefined || !names.includes(words[1])) continue;
    const t = fromTool(words[2] ?? '');
    if (t === null) continue;
    const at = words.indexOf('timeout', 3);
    const seconds = at === -1 ? NaN : Number(words[at + 1]);
    // ipset prints whole seconds left, rounded down (0 only for permanent entries).
    const expiresAt =
      at === -1 || seconds === 0 || !Number.isFinite(seconds) ? null : now + seconds * 1000 + 500;
    out.push({ target: banTarget(t), expiresAt });
  }
  return out;
}

export class IptablesFirewall implements Firewall, ConnectionKiller {
  readonly id = 'iptables' as const;
  private readonly runner: Runner;
  private readonly programs: Programs;
  private readonly now: () => Millis;
  private readonly maxElem: number;

  constructor(options: IptablesOptions = {}) {
    const r = resolveOptions(ID, options);
    this.runner = r.runner;
    this.programs = r.programs;
    this.now = r.now;
    this.maxElem = options.maxElem ?? DEFAULT_MAX_ELEM;
    if (!Number.isInteger(this.maxElem) || this.maxElem < 1)
      throw new FirewallError(ID, `maxElem must be a positive integer, got ${this.maxElem}`);
  }

  private ipt(family: 4 | 6): string {
    return family === 4 ? this.programs.iptables : this.programs.ip6tables;
  }

  private async restore(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.runner.run(this.programs.ipset, ['-exist', 'restore'], {
      input: lines.join('\n') + '\n',
    });
  }

  private async existingSets(): Promise<Set<string>> {
    const r = await this.runner.run(this.programs.ipset, ['list', '-n']);
    return new Set(r.stdout.split('\n').map((l) => l.trim()));
  }

  async setup(): Promise<void> {
    // Sets first: a rule cannot name a set that does not exist. -exist: no error when it does.
    await this.restore(
      ([4, 6] as const).map(
        (f) =>
          `create ${IPSET_NAMES[f]} hash:net family ${f === 4 ? 'inet' : 'inet6'} hashsize 1024 maxelem ${this.maxElem} timeout 0`,
      ),
    );
    for (const f of [4, 6] as const) {
      const ipt = this.ipt(f);
      const check = await this.runner.run(ipt, ['-w', '-C', 'INPUT', ...iptablesRule(f)], {
        allowExit: [1],
      });
      if (check.code !== 0)
        await this.runner.run(ipt, ['-w', '-I', 'INPUT', '1', ...iptablesRule(f)]);
    }
  }

  async ban(entries: readonly FirewallEntry[]): Promise<void> {
    const checked = checkEntries(ID, entries);
    if (checked.length === 0) return;
    const now = this.now();
    await this.restore(
      checked.map((e) => {
        const seconds =
          e.expiresAt === null
            ? 0
            : Math.min(
                IPSET_MAX_TIMEOUT_S,
                Math.max(1, Math.round(remainingMs(e.expiresAt, now) / 1000)),
              );
        return `add ${IPSET_NAMES[e.target.family]} ${e.target.cidr} timeout ${seconds}`;
      }),
    );
  }

  async unban(targets: readonly BanTarget[]): Promise<void> {
    const checked = checkTargets(ID, targets);
    await this.restore(checked.map((t) => `del ${IPSET_NAMES[t.family]} ${t.cidr}`));
  }

  async list(): Promise<FirewallEntry[]> {
    const now = this.now();
    const out: FirewallEntry[] = [];
    for (const f of [4, 6] as const) {
      const r = await this.runner.run(this.programs.ipset, ['save', IPSET_NAMES[f]]);
      out.push(...readIpsetSave(r.stdout, now));
    }
    return out;
  }

  async teardown(): Promise<void> {
    for (const f of [4, 6] as const) {
      // Delete every copy of Sheriff's rule (a hand-run setup may have added two).
      for (let i = 0; i < 16; i++) {
        const r = await this.runner.run(this.ipt(f), ['-w', '-D', 'INPUT', ...iptablesRule(f)], {
          allowExit: [1, 2],
        });
        if (r.code !== 0) break;
      }
    }
    const sets = await this.existingSets();
    for (const f of [4, 6] as const)
      if (sets.has(IPSET_NAMES[f]))
        await this.runner.run(this.programs.ipset, ['destroy', IPSET_NAMES[f]]);
  }

  killConnections(targets: readonly BanTarget[]): Promise<number> {
    return killWithSs(ID, this.runner, this.programs.ss, targets);
  }
}
