/**
 * Cutting established connections: `ss -K` asks the kernel (SOCK_DESTROY, CONFIG_INET_DIAG_DESTROY)
 * to abort every TCP socket whose remote end is in one of the targets; ss prints the sockets it
 * closed, one a line, which is the count. A ban alone stops new packets, but an attacker's shell
 * that is already open keeps its socket until it times out.
 */
import type { BanTarget } from '../../domain.js';
import type { Runner } from './exec.js';
import { checkTargets } from './targets.js';

/** Targets per `ss` call (its filter is argv, so keep the command line short). */
const PER_CALL = 100;

export async function killWithSs(
  backend: string,
  runner: Runner,
  ss: string,
  targets: readonly BanTarget[],
): Promise<number> {
  const checked = checkTargets(backend, targets);
  let killed = 0;
  for (let i = 0; i < checked.length; i += PER_CALL) {
    // ss's filter: dst 203.0.113.5/32 or dst 2001:db8::/64 … (an IPv4 target also matches
    // ::ffff:203.0.113.5 on dual-stack sockets).
    const filter = checked
      .slice(i, i + PER_CALL)
      .flatMap((t, k) => (k === 0 ? ['dst', t.cidr] : ['or', 'dst', t.cidr]));
    const r = await runner.run(ss, ['-K', '-H', '-n', '-t', ...filter], { timeoutMs: 30_000 });
    for (const line of r.stdout.split('\n')) if (line.trim() !== '') killed++;
  }
  return killed;
}
