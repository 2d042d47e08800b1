/**
 * nftables backend: Sheriff's own table `inet sheriff`, nothing else. Every change is one
 * `nft -f -` batch (one netlink transaction: all of it or none of it) written from validated
 * canonical CIDRs. It never flushes the ruleset and never names another table.
 *
 * Single addresses live in hash sets (`banned4`, `banned6`: flags timeout) and networks in
 * interval sets (`banned4_net`, `banned6_net`: flags interval, timeout). The split is for
 * nft 1.0.6 (Debian 12): any change to an interval set makes nft load the whole set and check
 * overlaps in user space, which costs over a second at 100,000 elements, and deleting 1,000
 * elements from such a set took longer than two minutes; the same changes to a hash set take
 * milliseconds. It also keeps an address ban and the /64 around it from ever overlapping.
 */
import type { BanTarget, Millis } from '../../domain.js';
import type { Programs, Runner } from './exec.js';
import {
  FirewallError,
  type ConnectionKiller,
  type Firewall,
  type FirewallEntry,
  type Isolating,
} from './firewall.js';
import { killWithSs } from './kill.js';
import { resolveOptions, type BackendOptions } from './options.js';
import {
  banTarget,
  checkEntries,
  checkTargets,
  fromTool,
  NetIndex,
  remainingMs,
  widestOnly,
  type Entry,
  type Target,
} from './targets.js';

const ID = 'nftables';
export const NFT_TABLE = 'sheriff';
export const NFT_ISOLATE_TABLE = 'sheriff_isolate';
export const NFT_SETS = {
  4: { host: 'banned4', net: 'banned4_net', type: 'ipv4_addr', match: 'ip saddr' },
  6: { host: 'banned6', net: 'banned6_net', type: 'ipv6_addr', match: 'ip6 saddr' },
} as const;
/** Above this, nft's kernel side answers "Numerical result out of range". */
export const NFT_MAX_TIMEOUT_MS = 3650 * 86_400_000;
/** Elements per `add element` statement (the batch is still one transaction). */
const PER_STATEMENT = 1000;
/** How often a ban/unban touching networks re-reads the sets when an element expired under it. */
const NET_ATTEMPTS = 3;

const T = `inet ${NFT_TABLE}`;

/** The batch `setup()` sends: creates what is missing and rewrites the chain's rules. */
export function nftSetupScript(): string {
  const lines = [`add table ${T}`];
  for (const f of [4, 6] as const) {
    const s = NFT_SETS[f];
    lines.push(`add set ${T} ${s.host} { type ${s.type}; flags timeout; }`);
    lines.push(`add set ${T} ${s.net} { type ${s.type}; flags interval, timeout; }`);
  }
  lines.push(
    `add chain ${T} input { type filter hook input priority -10; policy accept; }`,
    // Rewritten on every setup, so a hand-edited chain is repaired (the counters restart).
    `flush chain ${T} input`,
  );
  for (const f of [4, 6] as const) {
    const s = NFT_SETS[f];
    lines.push(`add rule ${T} input ${s.match} @${s.host} counter drop`);
    lines.push(`add rule ${T} input ${s.match} @${s.net} counter drop`);
  }
  return lines.join('\n') + '\n';
}

/** nft's time syntax, e.g. 1d2h3m4s500ms (one huge unit overflows nft's parser). */
export function nftDuration(ms: number): string {
  let rest = Math.max(1, Math.round(ms));
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) out += `${n}${unit}`;
  }
  return out;
}

function elementText(t: Target): string {
  return t.host ? t.address : t.cidr;
}

function setOf(t: Target): string {
  return t.host ? NFT_SETS[t.family].host : NFT_SETS[t.family].net;
}

/** `verb element` statements, grouped by set and chunked. */
function statements(verb: 'add' | 'delete', items: { set: string; text: string }[]): string[] {
  const bySet = new Map<string, string[]>();
  for (const i of items) {
    let l = bySet.get(i.set);
    if (l === undefined) bySet.set(i.set, (l = []));
    l.push(i.text);
  }
  const out: string[] = [];
  for (const [set, texts] of bySet)
    for (let k = 0; k < texts.length; k += PER_STATEMENT)
      out.push(`${verb} element ${T} ${set} { ${texts.slice(k, k + PER_STATEMENT).join(', ')} }`);
  return out;
}

/** Removes `targets` whether or not they are still there (adding first makes the delete safe). */
function removal(targets: readonly Target[]): string[] {
  const items = targets.map((t) => ({ set: setOf(t), text: elementText(t) }));
  return [...statements('add', items), ...statements('delete', items)];
}

/**
 * Puts `entries` in with their timeouts: add (so the delete cannot fail), delete (so the new
 * timeout replaces the old one on kernels that keep it), add with the timeout.
 */
function replacement(entries: readonly Entry[], now: Millis): string[] {
  const plain = entries.map((e) => ({ set: setOf(e.target), text: elementText(e.target) }));
  const timed = entries.map((e) => ({
    set: setOf(e.target),
    text:
      e.expiresAt === null
        ? elementText(e.target)
        : `${elementText(e.target)} timeout ${nftDuration(
            Math.min(NFT_MAX_TIMEOUT_MS, remainingMs(e.expiresAt, now)),
          )}`,
  }));
  return [...statements('add', plain), ...statements('delete', plain), ...statements('add', timed)];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseNftJson(stdout: string, what: string): Json[] {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new FirewallError(ID, `nft -j ${what}: output is not JSON`);
  }
  const items = isObj(doc) ? doc.nftables : undefined;
  if (!Array.isArray(items)) throw new FirewallError(ID, `nft -j ${what}: no "nftables" array`);
  return items.filter(isObj);
}

interface RawElem {
  text: string;
  timeout: number | null;
  expires: number | null;
}

/** One element of a set in nft's JSON: "addr", {prefix}, or {elem: {val, timeout, expires}}. */
function readElem(e: unknown): RawElem | null {
  if (typeof e === 'string') return { text: e, timeout: null, expires: null };
  if (!isObj(e)) return null;
  if (isObj(e.prefix)) {
    const { addr, len } = e.prefix;
    return typeof addr === 'string' && typeof len === 'number'
      ? { text: `${addr}/${len}`, timeout: null, expires: null }
      : null;
  }
  if (isObj(e.elem)) {
    const inner = readElem(e.elem.val);
    if (inner === null) return null;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    return { text: inner.text, timeout: num(e.elem.timeout), expires: num(e.elem.expires) };
  }
  return null; // a range or a concatenation: not something Sheriff writes
}

/** The elements of the named sets found in a `nft -j list …` answer. */
export function readSets(items: Json[], names: readonly string[], now: Millis): FirewallEntry[] {
  const out: FirewallEntry[] = [];
  for (const item of items) {
    const set = item.set;
    if (!isObj(set) || typeof set.name !== 'string' || !names.includes(set.name)) continue;
    if (set.table !== undefined && set.table !== NFT_TABLE) continue;
    for (const raw of Array.isArray(set.elem) ? (set.elem as unknown[]) : []) {
      const el = readElem(raw);
      const t = el === null ? null : fromTool(el.text);
      if (el === null || t === null) continue;
      // JSON gives whole seconds left (rounded down): the middle of that second is the estimate.
      const expiresAt = el.timeout === null ? null : now + (el.expires ?? 0) * 1000 + 500;
      out.push({ target: banTarget(t), expiresAt });
    }
  }
  return out;
}

/** The chain `setup()` installs, hook and rules, unchanged. */
function chainIsIntact(items: Json[]): boolean {
  const chain = items.find((i) => isObj(i.chain))?.chain;
  if (!isObj(chain) || chain.hook !== 'input' || chain.prio !== -10 || chain.policy !== 'accept')
    return false;
  const want = [4, 6].flatMap((f) => [NFT_SETS[f as 4 | 6].host, NFT_SETS[f as 4 | 6].net]);
  const rules = items.map((i) => i.rule).filter(isObj);
  if (rules.length !== want.length) return false;
  return rules.every((rule, k) => {
    const expr = Array.isArray(rule.expr) ? (rule.expr as unknown[]).filter(isObj) : [];
    return (
      expr.length === 3 &&
      isObj(expr[0]?.match) &&
      expr[0].match.right === `@${want[k]}` &&
      isObj(expr[1]?.counter) &&
      'drop' in (expr[2] ?? {})
    );
  });
}

export interface NftCounter {
  set: string;
  packets: number;
  bytes: number;
}

export class NftablesFirewall implements Firewall, Isolating, ConnectionKiller {
  readonly id = 'nftables' as const;
  private readonly runner: Runner;
  private readonly programs: Programs;
  private readonly now: () => Millis;

  constructor(options: BackendOptions = {}) {
    const r = resolveOptions(ID, options);
    this.runner = r.runner;
    this.programs = r.programs;
    this.now = r.now;
  }

  /** Sends one batch through `nft -f -`: one transaction. */
  private async batch(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.runner.run(this.programs.nft, ['-f', '-'], { input: lines.join('\n') + '\n' });
  }

  private async json(args: string[]): Promise<Json[]> {
    const r = await this.runner.run(this.programs.nft, ['-j', ...args]);
    return parseNftJson(r.stdout, args.join(' '));
  }

  /**
   * Idempotent. When the chain is there with exactly Sheriff's rules nothing is sent (so the
   * counters keep counting across reconciliations); otherwise the whole setup batch goes, which
   * creates what is missing and rewrites the chain's rules (a flushed ruleset, an edited chain).
   */
  async setup(): Promise<void> {
    const r = await this.runner.run(this.programs.nft, ['-j', 'list', 'chain', T, 'input'], {
      allowExit: [1],
    });
    if (r.code === 0 && chainIsIntact(parseNftJson(r.stdout, 'list chain'))) return;
    await this.runner.run(this.programs.nft, ['-f', '-'], { input: nftSetupScript() });
  }

  /** The networks held now in the interval sets of `families`. */
  private async heldNets(families: ReadonlySet<4 | 6>): Promise<NetIndex> {
    const index = new NetIndex();
    for (const f of families) {
      const name = NFT_SETS[f].net;
      const items = await this.json(['list', 'set', T, name]);
      for (const e of readSets(items, [name], 0)) {
        const t = fromTool(e.target.cidr);
        if (t !== null) index.add(t);
      }
    }
    return index;
  }

  async ban(entries: readonly FirewallEntry[]): Promise<void> {
    const checked = checkEntries(ID, entries); // throws before anything runs
    if (checked.length === 0) return;
    const hosts = checked.filter((e) => e.target.host);
    // Two networks of one request that nest: the wider covers the narrower.
    const nets = widestOnly(checked.filter((e) => !e.target.host));
    if (nets.length === 0) {
      await this.batch(replacement(hosts, this.now()));
      return;
    }
    const families = new Set(nets.map((e) => e.target.family));
    for (let attempt = 1; ; attempt++) {
      // An interval set refuses overlapping elements, so see what networks are held first.
      const held = await this.heldNets(families);
      const add: Entry[] = [];
      const covered: Target[] = [];
      for (const e of nets) {
        if (held.has(e.target)) add.push(e);
        else if (held.widerThan(e.target) !== null)
          continue; // already dropped by a wider network that is banned
        else {
          covered.push(...held.narrowerThan(e.target));
          add.push(e);
        }
      }
      try {
        // nft 1.0.6 checks overlaps against the set as it was before the batch, so narrower
        // networks the new ones replace go in a batch of their own, just before.
        if (covered.length > 0) await this.batch(removal(covered));
        await this.batch(replacement([...hosts, ...add], this.now()));
        return;
      } catch (err) {
        // Most likely an element expired between the listing and the batch: look again.
        if (attempt >= NET_ATTEMPTS) throw err;
      }
    }
  }

  async unban(targets: readonly BanTarget[]): Promise<void> {
    const checked = checkTargets(ID, targets);
    if (checked.length === 0) return;
    const hosts = checked.filter((t) => t.host);
    const nets = checked.filter((t) => !t.host);
    if (nets.length === 0) {
      await this.batch(removal(hosts));
      return;
    }
    const families = new Set(nets.map((t) => t.family));
    for (let attempt = 1; ; attempt++) {
      // Adding an absent network to delete it would fail if it overlaps one that is held.
      const held = await this.heldNets(families);
      try {
        await this.batch(removal([...hosts, ...nets.filter((t) => held.has(t))]));
        return;
      } catch (err) {
        if (attempt >= NET_ATTEMPTS) throw err;
      }
    }
  }

  async list(): Promise<FirewallEntry[]> {
    const names = [4, 6].flatMap((f) => [NFT_SETS[f as 4 | 6].host, NFT_SETS[f as 4 | 6].net]);
    return readSets(await this.json(['list', 'table', T]), names, this.now());
  }

  async teardown(): Promise<void> {
    // Adding first makes the delete succeed when the table is already gone.
    await this.batch([`add table ${T}`, `delete table ${T}`]);
  }

  /** Packets and bytes each drop rule has matched since setup (is the ban biting?). */
  async counters(): Promise<NftCounter[]> {
    const out: NftCounter[] = [];
    for (const item of await this.json(['list', 'chain', T, 'input'])) {
      const rule = item.rule;
      if (!isObj(rule) || !Array.isArray(rule.expr)) continue;
      let set: string | null = null;
      let packets = 0;
      let bytes = 0;
      for (const x of rule.expr as unknown[]) {
        if (!isObj(x)) continue;
        if (isObj(x.match) && typeof x.match.right === 'string' && x.match.right.startsWith('@'))
          set = x.match.right.slice(1);
        if (isObj(x.counter)) {
          packets = Number(x.counter.packets) || 0;
          bytes = Number(x.counter.bytes) || 0;
        }
      }
      if (set !== null) out.push({ set, packets, bytes });
    }
    return out;
  }

  async isolate(allow: readonly BanTarget[], ports: readonly number[]): Promise<void> {
    const admins = widestOnly(checkTargets(ID, allow).map((target) => ({ target }))).map(
      (a) => a.target,
    );
    const p = [...new Set(ports)];
    if (p.some((x) => !Number.isInteger(x) || x < 1 || x > 65535))
      throw new FirewallError(ID, `isolate: ports must be integers 1–65535, got ${p.join(', ')}`);
    if (admins.length === 0 || p.length === 0)
      throw new FirewallError(
        ID,
        'isolate: refusing to cut every management path (give at least one admin address and port)',
      );
    await this.batch(nftIsolateScript(admins, p));
  }

  async release(): Promise<void> {
    await this.batch([
      `add table inet ${NFT_ISOLATE_TABLE}`,
      `delete table inet ${NFT_ISOLATE_TABLE}`,
    ]);
  }

  async isolated(): Promise<boolean> {
    for (const item of await this.json(['list', 'tables'])) {
      const t = item.table;
      if (isObj(t) && t.family === 'inet' && t.name === NFT_ISOLATE_TABLE) return true;
    }
    return false;
  }

  killConnections(targets: readonly BanTarget[]): Promise<number> {
    return killWithSs(ID, this.runner, this.programs.ss, targets);
  }
}

/**
 * The isolation table, replaced as a whole in one batch: its input hook drops every packet but
 * loopback, replies to connections already open, IPv6 neighbour discovery (without which IPv6
 * stops working at all), and the admin addresses on the management ports.
 */
export function nftIsolateScript(admins: readonly Target[], ports: readonly number[]): string[] {
  const I = `inet ${NFT_ISOLATE_TABLE}`;
  const lines = [
    `add table ${I}`,
    `delete table ${I}`,
    `add table ${I}`,
    `add set ${I} admin4 { type ipv4_addr; flags interval; }`,
    `add set ${I} admin6 { type ipv6_addr; flags interval; }`,
  ];
  for (const f of [4, 6] as const) {
    const texts = admins.filter((a) => a.family === f).map(elementText);
    if (texts.length > 0) lines.push(`add element ${I} admin${f} { ${texts.join(', ')} }`);
  }
  const portList = `{ ${ports.join(', ')} }`;
  lines.push(
    `add chain ${I} input { type filter hook input priority -20; policy drop; }`,
    `add rule ${I} input iif lo accept`,
    `add rule ${I} input ct state established,related accept`,
    `add rule ${I} input icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept`,
    `add rule ${I} input ip saddr @admin4 meta l4proto { tcp, udp } th dport ${portList} accept`,
    `add rule ${I} input ip6 saddr @admin6 meta l4proto { tcp, udp } th dport ${portList} accept`,
    `add rule ${I} input counter drop`,
  );
  return lines;
}
