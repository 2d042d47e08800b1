/**
 * Firewall batching: the time to put 100,000 addresses into Sheriff's nftables set in one
 * `ban()` call (one `nft -f -` transaction), against one `nft add element` process per address,
 * the way fail2ban's nftables action bans; and the same for ipset (`ipset restore` against one
 * `ipset add` per address). The one-by-one side runs 1,000 calls in a shell loop inside the
 * namespace and is extrapolated linearly to 100,000 (each call is an independent process, so
 * the cost per call does not depend on how many came before it, to first order).
 *
 * Everything runs in a fresh network namespace created here and deleted in a `finally`; the
 * addresses are from 198.18.0.0/15 (RFC 2544, the benchmarking range) and no packet is sent.
 * Needs root; without it (or without nft/ipset) the report says why and measures nothing.
 *
 * `node dist/bench/nft-bench.js [--count N] [--one-by-one N]` runs it alone.
 */
import { argv as processArgv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BanTarget } from '../domain.js';
import { hasProgram } from '../respond/firewall/choose-backend.js';
import type { Firewall, FirewallEntry } from '../respond/firewall/firewall.js';
import { IptablesFirewall } from '../respond/firewall/iptables.js';
import { Netns } from '../testing/netns.js';
import { NftablesFirewall } from '../respond/firewall/nftables.js';

export const FIREWALL_BENCH_DEFAULTS = { count: 100_000, oneByOne: 1000 };
const BAR_NFT_SECONDS = 2;

export interface BackendBench {
  backend: 'nftables' | 'iptables+ipset';
  /** Why nothing was measured, or null. */
  skipped: string | null;
  count: number;
  /** Sheriff: one ban() call with all of them (seconds). */
  batchSeconds: number | null;
  /** Sheriff: ban() again with new timeouts for all of them (each replaced). */
  rebanSeconds: number | null;
  /** Sheriff: list() with all of them held. */
  listSeconds: number | null;
  /** Sheriff: one unban() call with all of them. */
  unbanSeconds: number | null;
  /** One program per address: the measured calls and their time. */
  oneByOne: {
    calls: number;
    seconds: number;
    perCallMs: number;
    extrapolatedSeconds: number;
  } | null;
  speedup: number | null;
}

export interface FirewallBenchReport {
  date: string;
  count: number;
  oneByOneCalls: number;
  results: BackendBench[];
  bar: { text: string; pass: boolean | null; value: string };
}

/** The n-th address of 198.18.0.0/15. */
function benchAddress(i: number): string {
  const v = (198 << 24) + (18 << 16) + i;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const r = await f();
  return [Number(process.hrtime.bigint() - start) / 1e9, r];
}

function empty(backend: BackendBench['backend'], count: number, skipped: string): BackendBench {
  return {
    backend,
    skipped,
    count,
    batchSeconds: null,
    rebanSeconds: null,
    listSeconds: null,
    unbanSeconds: null,
    oneByOne: null,
    speedup: null,
  };
}

async function benchBackend(
  backend: BackendBench['backend'],
  count: number,
  calls: number,
  progress: (s: string) => void,
): Promise<BackendBench> {
  const needs = backend === 'nftables' ? ['nft'] : ['iptables', 'ip6tables', 'ipset'];
  const missing = needs.filter((p) => !hasProgram(p));
  if (missing.length > 0) return empty(backend, count, `${missing.join(', ')} not installed`);
  if (process.getuid?.() !== 0) return empty(backend, count, 'needs root (network namespaces)');
  const ns = await Netns.create(backend === 'nftables' ? 'bench-nft' : 'bench-ipset');
  try {
    const fw: Firewall =
      backend === 'nftables'
        ? new NftablesFirewall({ exec: { netns: ns.name } })
        : new IptablesFirewall({ exec: { netns: ns.name } });
    await fw.setup();
    const targets: BanTarget[] = [];
    for (let i = 0; i < count; i++) targets.push({ cidr: `${benchAddress(i)}/32`, family: 4 });
    const now = Date.now();
    const entries = (hours: number): FirewallEntry[] =>
      targets.map((target) => ({ target, expiresAt: now + hours * 3_600_000 }));

    progress(`  ${backend}: ban() of ${count.toLocaleString('en-US')} addresses in one call…`);
    const [batchSeconds] = await timed(() => fw.ban(entries(1)));
    const [listSeconds, held] = await timed(() => fw.list());
    if (held.length !== count)
      throw new Error(`${backend}: ${held.length} listed after banning ${count}`);
    const [rebanSeconds] = await timed(() => fw.ban(entries(2)));
    const [unbanSeconds] = await timed(() => fw.unban(targets));

    // One process per address, as fail2ban's actions run them, in a loop inside the namespace
    // (so `ip netns exec` is paid once, not per call). Fresh addresses, into the emptied set.
    progress(`  ${backend}: ${calls.toLocaleString('en-US')} one-by-one calls…`);
    const input =
      Array.from({ length: calls }, (_, i) => benchAddress(count + i)).join('\n') + '\n';
    const loop =
      backend === 'nftables'
        ? 'while read a; do nft add element inet sheriff banned4 "{ $a timeout 3600s }" || exit 1; done'
        : 'while read a; do ipset add sheriff4 "$a" timeout 3600 || exit 1; done';
    const [seconds] = await timed(() => ns.must(['sh', '-c', loop], input));
    const got = (await fw.list()).length;
    if (got !== calls) throw new Error(`${backend}: ${got} listed after ${calls} one-by-one adds`);
    const extrapolatedSeconds = (seconds * count) / calls;
    await fw.teardown();
    return {
      backend,
      skipped: null,
      count,
      batchSeconds,
      rebanSeconds,
      listSeconds,
      unbanSeconds,
      oneByOne: { calls, seconds, perCallMs: (seconds * 1000) / calls, extrapolatedSeconds },
      speedup: extrapolatedSeconds / batchSeconds,
    };
  } finally {
    await ns.delete();
  }
}

export interface FirewallBenchOptions {
  count?: number;
  oneByOne?: number;
  log: (s?: string) => void;
  progress?: (s: string) => void;
}

export async function runFirewallBench(o: FirewallBenchOptions): Promise<FirewallBenchReport> {
  const count = o.count ?? FIREWALL_BENCH_DEFAULTS.count;
  const calls = o.oneByOne ?? FIREWALL_BENCH_DEFAULTS.oneByOne;
  if (!Number.isInteger(count) || count < 1 || count > 131_072 - calls)
    throw new Error(`--count must be 1–${131_072 - calls} (the addresses come from 198.18.0.0/15)`);
  const progress = o.progress ?? (() => {});
  const results: BackendBench[] = [];
  progress('firewall benchmark (inside a fresh network namespace per backend)…');
  for (const backend of ['nftables', 'iptables+ipset'] as const) {
    try {
      results.push(await benchBackend(backend, count, calls, progress));
    } catch (err) {
      results.push(empty(backend, count, `failed: ${(err as Error).message}`));
    }
  }

  const log = o.log;
  const n = count.toLocaleString('en-US');
  const s = (v: number | null) => (v === null ? '-' : v.toFixed(3));
  log(`Firewall: ${n} addresses, Sheriff's one call vs one program per address (fail2ban's way)`);
  const rows = [
    [
      'backend',
      'ban s',
      're-ban s',
      'list s',
      'unban s',
      'one-by-one ms/call',
      `one-by-one ${n} s*`,
      'speed-up',
    ],
  ];
  for (const r of results) {
    if (r.skipped !== null) {
      rows.push([r.backend, ...Array<string>(6).fill('-'), `not measured: ${r.skipped}`]);
      continue;
    }
    rows.push([
      r.backend,
      s(r.batchSeconds),
      s(r.rebanSeconds),
      s(r.listSeconds),
      s(r.unbanSeconds),
      r.oneByOne!.perCallMs.toFixed(2),
      r.oneByOne!.extrapolatedSeconds.toFixed(1),
      `${r.speedup!.toFixed(0)}×`,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const [i, row] of rows.entries()) {
    log(
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    );
    if (i === 0) log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  log(
    `* extrapolated from ${calls.toLocaleString('en-US')} one-by-one calls (run in a shell loop inside the namespace), × ${(count / calls).toLocaleString('en-US')}.`,
  );
  log(
    "Sheriff's ban() is one `nft -f -` transaction / one `ipset -exist restore`; re-ban replaces every timeout; all timings include one `ip netns exec`.",
  );
  const nft = results.find((r) => r.backend === 'nftables');
  const v = nft?.batchSeconds ?? null;
  const bar = {
    text: `nftables: ${n} addresses in one ban() < ${BAR_NFT_SECONDS} s`,
    pass: v === null ? null : v < BAR_NFT_SECONDS,
    value: v === null ? (nft?.skipped ?? 'not measured') : `${v.toFixed(3)} s`,
  };
  log(`  ${bar.pass === null ? 'N/A ' : bar.pass ? 'PASS' : 'MISS'}  ${bar.text}  ${bar.value}`);
  return { date: new Date().toISOString(), count, oneByOneCalls: calls, results, bar };
}

if (processArgv[1] !== undefined && fileURLToPath(import.meta.url) === processArgv[1]) {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: String(FIREWALL_BENCH_DEFAULTS.count) },
      'one-by-one': { type: 'string', default: String(FIREWALL_BENCH_DEFAULTS.oneByOne) },
    },
  });
  await runFirewallBench({
    count: Number(values.count),
    oneByOne: Number(values['one-by-one']),
    log: (line = '') => process.stdout.write(line + '\n'),
    progress: (line) => process.stderr.write(line + '\n'),
  });
}
