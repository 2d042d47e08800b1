/**
 * ufw backend: one `ufw prepend deny from <addr> comment sheriff` per ban (prepend puts it
 * above the host's allow rules; `insert 1` fails when ufw holds no rule of that IP version
 * yet), `ufw delete deny from <addr>` per unban, listing by parsing `ufw status`. ufw has no
 * batches (each command rewrites and reloads its rules) and no timeouts: `list()` reports
 * `expiresAt: null` and the caller's reconciliation removes expired bans.
 *
 * ufw deletes a rule by its spec, comment or not, so Sheriff deletes only rules that
 * `ufw status` shows with its `# sheriff` comment: an admin's own `deny from` stays.
 */
import type { BanTarget } from '../../domain.js';
import type { Programs, Runner } from './exec.js';
import {
  FirewallError,
  type ConnectionKiller,
  type Firewall,
  type FirewallEntry,
} from './firewall.js';
import { killWithSs } from './kill.js';
import { resolveOptions, type BackendOptions } from './options.js';
import {
  banTarget,
  checkEntries,
  checkTarget,
  checkTargets,
  fromTool,
  type Target,
} from './targets.js';

const ID = 'ufw';
export const UFW_COMMENT = 'sheriff';

// "Anywhere                   DENY        203.0.113.5                # sheriff"
// "Anywhere (v6)              DENY IN     2001:db8::/64              # sheriff"
const RULE = /^Anywhere(?: \(v6\))?\s+DENY(?: IN)?\s+(\S+)\s+# (.*)$/;

/** Sheriff's rules in `ufw status` output. */
export function readUfwStatus(text: string): BanTarget[] {
  const out: BanTarget[] = [];
  for (const line of text.split('\n')) {
    const m = RULE.exec(line.trimEnd());
    if (m === null || m[2] !== UFW_COMMENT) continue;
    const t = fromTool(m[1]!);
    if (t !== null) out.push(banTarget(t));
  }
  return out;
}

/** How ufw shows and takes a target: a single address without its /32 or /128. */
function ufwAddress(t: Target): string {
  return t.host ? t.address : t.cidr;
}

export class UfwFirewall implements Firewall, ConnectionKiller {
  readonly id = 'ufw' as const;
  private readonly runner: Runner;
  private readonly programs: Programs;

  constructor(options: BackendOptions = {}) {
    const r = resolveOptions(ID, options);
    this.runner = r.runner;
    this.programs = r.programs;
  }

  private async status(): Promise<string> {
    const r = await this.runner.run(this.programs.ufw, ['status']);
    return r.stdout;
  }

  async setup(): Promise<void> {
    // Nothing to create; but rules added to an inactive ufw drop nothing, so say so now.
    const text = await this.status();
    if (!/^Status: active$/m.test(text))
      throw new FirewallError(
        ID,
        'ufw is not active, so its rules would drop nothing: enable it (ufw enable) or set firewall: nftables',
        [this.programs.ufw, 'status'],
        text,
      );
  }

  async ban(entries: readonly FirewallEntry[]): Promise<void> {
    const checked = checkEntries(ID, entries); // all validated before the first command
    // Not atomic: ufw has no batch. A failure leaves the earlier ones in, which list() reports.
    for (const e of checked)
      await this.runner.run(this.programs.ufw, [
        'prepend',
        'deny',
        'from',
        ufwAddress(e.target),
        'comment',
        UFW_COMMENT,
      ]);
  }

  async unban(targets: readonly BanTarget[]): Promise<void> {
    const checked = checkTargets(ID, targets);
    if (checked.length === 0) return;
    const ours = new Set((await this.list()).map((e) => e.target.cidr));
    for (const t of checked) {
      if (!ours.has(t.cidr)) continue;
      await this.runner.run(this.programs.ufw, ['delete', 'deny', 'from', ufwAddress(t)]);
    }
  }

  async list(): Promise<FirewallEntry[]> {
    return readUfwStatus(await this.status()).map((target) => ({ target, expiresAt: null }));
  }

  async teardown(): Promise<void> {
    for (const e of await this.list())
      await this.runner.run(this.programs.ufw, [
        'delete',
        'deny',
        'from',
        ufwAddress(checkTarget(ID, e.target)),
      ]);
  }

  killConnections(targets: readonly BanTarget[]): Promise<number> {
    return killWithSs(ID, this.runner, this.programs.ss, targets);
  }
}
