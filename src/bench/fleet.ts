/**
 * `npm run bench -- --fleet`: the fleet at 50 and 1,000 hosts, on this
 * machine, with real servers — a nats-server with the accounts and per-host
 * permissions `sheriff fleet init` writes (one nkey user per simulated
 * sensor), a throwaway PostgreSQL holding the hub's records, the hub in a
 * process of its own (fleet-hub.ts) and the sensors in this one, each with its
 * own connection (fleet-sensors.ts).
 *
 * Measured: how many events a second the hub stores into PostgreSQL (the
 * sensors first publish a backlog into JetStream, then the hub drains it),
 * how long from an approved ban (the hub's firewall publishing the signed
 * decision) until every host has confirmed it (p50/p95), and the hub's
 * memory. Beside it, CrowdSec's polling model for the same question.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../clock.js';
import { newNkeyUser, writePrivateFile } from '../fleet/credentials.js';
import { decisionIdOf } from '../fleet/fleet-firewall.js';
import { accountsConfig } from '../fleet/nats-config.js';
import { generateDecisionKeyPair, parseDecisionVerifyKey } from '../fleet/signing.js';
import { createLogger } from '../log.js';
import { startNatsServer } from '../testing/nats-server.js';
import { startPostgres, type Postgres } from '../testing/postgres.js';
import { waitFor } from '../testing/wait.js';
import type { HubCommand, HubProcessConfig, HubReply } from './fleet-hub.js';
import { SimSensor } from './fleet-sensors.js';
import { median, percentile } from './latency.js';
import { table } from './table.js';
import { atLeast, atMost, type PartOptions, type TargetRow } from './targets.js';

/** The bars. */
export const FLEET_BARS = { eventsPerSecond: 50_000, p95Ms: { 50: 1000, 1000: 2000 } } as const;

/** CrowdSec's bouncers poll the local API every 10 s by default. */
export const CROWDSEC_POLL_MS = 10_000;

/**
 * CrowdSec's polling model (not a run): each of `hosts` bouncers polls at a
 * phase uniform in [0, period), so "every host blocks" takes the maximum of
 * `hosts` uniforms, whose quantile q is period · q^(1/hosts).
 */
export function pollingModelQuantile(
  hosts: number,
  q: number,
  periodMs = CROWDSEC_POLL_MS,
): number {
  if (!Number.isInteger(hosts) || hosts < 1)
    throw new RangeError(`hosts must be ≥ 1, not ${hosts}`);
  if (!(q > 0 && q < 1)) throw new RangeError(`q must be in (0, 1), not ${q}`);
  return periodMs * q ** (1 / hosts);
}

export interface FleetSize {
  hosts: number;
  /** Events per outbox row (one JetStream message): what a busy sensor flushes at once. */
  rowEvents: number;
  /** Events in the backlog the hub drains. */
  events: number;
  /** Approvals timed, one after the other. */
  approvals: number;
}

/**
 * 50 hosts send rows of 500 events (a row's cap: a host seeing 2,500/s, its
 * writer flushing every 200 ms); 1,000 hosts rows of 50 (250/s each). Fewer
 * events a row means more messages, each a transaction at the hub.
 */
export function fleetSizes(quick: boolean): FleetSize[] {
  return quick
    ? [{ hosts: 50, rowEvents: 500, events: 100_000, approvals: 20 }]
    : [
        { hosts: 50, rowEvents: 500, events: 500_000, approvals: 20 },
        { hosts: 1000, rowEvents: 50, events: 500_000, approvals: 20 },
      ];
}

interface FleetResult {
  size: FleetSize;
  connectMs: number;
  publishMs: number;
  ingestMs: number;
  /** Every approval's time to the last host's confirmation; null when one did not complete. */
  confirmMs: (number | null)[];
  /** Every approval's time until the last sensor applied it (the fan-out half of the above). */
  appliedMs: number[];
  hubRssMiB: number;
  hubPeakMiB: number;
}

const IPS = Array.from({ length: 256 }, (_, i) => `203.0.113.${i}`);
const USERS = ['root', 'admin', 'oracle', 'test', 'ubuntu', 'git', 'postgres', 'pi'];

/** How far apart a sensor's rows are: a busy sensor's writer flushes every 200 ms. */
const FLUSH_MS = 200;

/** One outbox row's payload: `n` failed logins as a sensor stores them, in the flush before `at`. */
function eventsPayload(host: string, n: number, at: number, salt: number): string {
  const events = Array.from({ length: n }, (_, i) => {
    const ip = IPS[(salt * 31 + i * 7) % IPS.length]!;
    const user = USERS[(salt + i) % USERS.length]!;
    const port = 30_000 + ((salt * 131 + i) % 30_000);
    return {
      time: at - FLUSH_MS + Math.floor((i * FLUSH_MS) / n),
      jail: 'sshd',
      filter: 'sshd',
      rule: 'invalid-user',
      result: 'fail',
      ip,
      host,
      user,
      attempts: 1,
      source: '/var/log/auth.log',
      line: `2026-12-07T09:00:00.000000+00:00 ${host} sshd-session[${1000 + i}]: Invalid user ${user} from ${ip} port ${port}`,
    };
  });
  return JSON.stringify(events);
}

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, fn: (t: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += width)
    await Promise.all(items.slice(i, i + width).map(fn));
}

class HubProcess {
  private readonly replies: HubReply[] = [];
  private waiter: (() => void) | null = null;
  private exited = false;
  private stopping = false;
  private stderr = '';

  constructor(private readonly child: ChildProcess) {
    child.on('message', (r: HubReply) => {
      this.replies.push(r);
      this.waiter?.();
    });
    child.stderr?.on('data', (b: Buffer) => (this.stderr = (this.stderr + String(b)).slice(-4000)));
    child.once('exit', () => {
      this.exited = true;
      this.waiter?.();
    });
  }

  static start(root: string, cfg: HubProcessConfig): HubProcess {
    const child = fork(join(root, 'dist/bench/fleet-hub.js'), [JSON.stringify(cfg)], {
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    return new HubProcess(child);
  }

  /** The next reply of `type`. */
  async next<T extends HubReply['type']>(type: T): Promise<Extract<HubReply, { type: T }>> {
    for (;;) {
      const i = this.replies.findIndex((r) => r.type === type || r.type === 'error');
      if (i >= 0) {
        const r = this.replies.splice(i, 1)[0]!;
        if (r.type === 'error') throw new Error(`the bench hub: ${r.message}`);
        return r as Extract<HubReply, { type: T }>;
      }
      if (this.exited) throw new Error(`the bench hub exited:\n${this.stderr}`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = null;
    }
  }

  send(c: HubCommand): void {
    if (c.cmd === 'stop') this.stopping = true;
    this.child.send(c);
  }

  /** After `stop`, waits a while for the hub to exit (a profile is written at exit); then kills it. */
  async end(): Promise<void> {
    if (!this.exited) {
      const killer = setTimeout(() => this.child.kill('SIGKILL'), this.stopping ? 10_000 : 0);
      await new Promise<void>((resolve) =>
        this.exited ? resolve() : this.child.once('exit', () => resolve()),
      );
      clearTimeout(killer);
    }
  }
}

async function measure(size: FleetSize, pg: Postgres, o: PartOptions): Promise<FleetResult> {
  const progress = o.progress ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'sheriff-fleet-bench-'));
  const logger = createLogger({ level: 'error', format: 'json' });
  const hub = newNkeyUser();
  const hubSeed = join(dir, 'hub.seed');
  writePrivateFile(hubSeed, hub.seed);
  const keys = generateDecisionKeyPair();
  const signingKeyFile = join(dir, 'signing.pem');
  writePrivateFile(signingKeyFile, keys.privatePem);
  const verifier = parseDecisionVerifyKey(keys.publicPem, 'bench');
  const hosts = Array.from({ length: size.hosts }, (_, i) => {
    const user = newNkeyUser();
    const name = `h${String(i + 1).padStart(4, '0')}`;
    const seedFile = join(dir, `${name}.seed`);
    writePrivateFile(seedFile, user.seed);
    return { name, nkey: user.nkey, seedFile };
  });
  const nats = await startNatsServer({
    // A thousand nkey handshakes on a busy machine outlast the default 2 s (a real fleet's
    // hosts do not all connect in the same second).
    config: `authorization { timeout: 30 }\n${accountsConfig({ hub: hub.nkey, hosts })}`,
  });
  let hubProcess: HubProcess | null = null;
  const sensors: SimSensor[] = [];
  try {
    hubProcess = HubProcess.start(o.root, {
      servers: nats.urls,
      seedFile: hubSeed,
      signingKeyFile,
      database: await pg.createDatabase(),
    });
    await hubProcess.next('ready');

    progress(`  fleet ${size.hosts}: connecting ${size.hosts} sensors`);
    let t = performance.now();
    for (const h of hosts)
      sensors.push(
        new SimSensor({
          host: h.name,
          servers: nats.urls,
          seedFile: h.seedFile,
          verifier,
          clock: systemClock,
          logger,
        }),
      );
    await inBatches(sensors, 50, (s) => s.start());
    const connectMs = performance.now() - t;

    const rows = Math.ceil(size.events / size.rowEvents);
    progress(`  fleet ${size.hosts}: ${rows} rows of ${size.rowEvents} events into JetStream`);
    // Each host's rows follow each other, a flush apart, ending now: the hosts' rows interleave.
    const perHost = Math.ceil(rows / sensors.length);
    const start = Date.now() - perHost * FLUSH_MS;
    for (let r = 0; r < rows; r++) {
      const i = r % sensors.length;
      const at = start + Math.floor(r / sensors.length) * FLUSH_MS;
      sensors[i]!.outbox.append('events', eventsPayload(hosts[i]!.name, size.rowEvents, at, r), at);
    }
    t = performance.now();
    for (const s of sensors) s.publish();
    await waitFor('the sensors to publish their outboxes', () =>
      sensors.every((s) => s.outbox.count() === 0),
    );
    const publishMs = performance.now() - t;

    progress(`  fleet ${size.hosts}: the hub drains ${size.events.toLocaleString('en-US')} events`);
    hubProcess.send({ cmd: 'ingest', messages: rows });
    const ingested = await hubProcess.next('ingested');

    progress(`  fleet ${size.hosts}: ${size.approvals} approvals`);
    const confirmMs: (number | null)[] = [];
    const appliedMs: number[] = [];
    for (let i = 1; i <= size.approvals; i++) {
      hubProcess.send({
        cmd: 'ban',
        cidr: `198.51.100.${i}/32`,
        hosts: size.hosts,
        timeoutMs: 30_000,
      });
      const r = await hubProcess.next('confirmed');
      confirmMs.push(r.ms);
      const id = decisionIdOf(r.cidr);
      const last = Math.max(...sensors.map((s) => s.appliedAt(id) ?? Infinity));
      appliedMs.push(last - r.publishedAt);
      if (r.ms === null)
        progress(`  fleet ${size.hosts}: approval ${i} confirmed by ${r.applied} of ${r.of} hosts`);
    }
    const held = sensors.reduce((n, s) => n + s.held, 0);
    if (held !== size.hosts * size.approvals)
      throw new Error(`the sensors hold ${held} bans, not ${size.hosts * size.approvals}`);

    hubProcess.send({ cmd: 'stop' });
    const memory = await hubProcess.next('memory');
    return {
      size,
      connectMs,
      publishMs,
      ingestMs: ingested.ms,
      confirmMs,
      appliedMs,
      hubRssMiB: memory.rssMiB,
      hubPeakMiB: memory.peakMiB,
    };
  } finally {
    await hubProcess?.end();
    await inBatches(sensors, 100, (s) => s.stop().catch(() => undefined));
    await nats.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const perSecond = (n: number, ms: number) => (n * 1000) / ms;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const sec = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

export async function runFleet(o: PartOptions): Promise<TargetRow[]> {
  const { log } = o;
  log(
    'Fleet: simulated sensors (one NATS connection and nkey user each, the real publisher and decision follower) → nats-server → the hub (ingest, signed decisions, confirmation tally) → PostgreSQL.',
  );
  const pg = await startPostgres();
  const results: FleetResult[] = [];
  try {
    for (const size of fleetSizes(o.quick)) results.push(await measure(size, pg, o));
  } finally {
    await pg.stop();
  }
  const rows: TargetRow[] = [];
  const lines: string[][] = [
    [
      'hosts',
      'connect',
      'sensors → JetStream',
      'hub → PostgreSQL',
      'all applied p50',
      'p95',
      'confirmed p50',
      'p95',
      'CrowdSec model p50',
      'p95',
      'hub RSS (peak)',
    ],
  ];
  for (const r of results) {
    const { hosts, events } = r.size;
    const done = r.confirmMs.filter((m): m is number => m !== null);
    const incomplete = r.confirmMs.length - done.length;
    const p50 = incomplete > 0 || done.length === 0 ? null : median(done);
    const p95 = incomplete > 0 || done.length === 0 ? null : percentile(done, 95);
    const model50 = pollingModelQuantile(hosts, 0.5);
    const model95 = pollingModelQuantile(hosts, 0.95);
    const ingest = perSecond(events, r.ingestMs);
    lines.push([
      String(hosts),
      sec(r.connectMs),
      `${fmt(perSecond(events, r.publishMs))} ev/s`,
      `${fmt(ingest)} ev/s`,
      sec(median(r.appliedMs)),
      sec(percentile(r.appliedMs, 95)),
      p50 === null ? '-' : sec(p50),
      p95 === null ? `${incomplete} incomplete` : sec(p95),
      sec(model50),
      sec(model95),
      `${r.hubRssMiB.toFixed(0)} (${r.hubPeakMiB.toFixed(0)}) MiB`,
    ]);
    rows.push({
      target: `fleet of ${hosts}: events/s the hub stores into PostgreSQL (rows of ${r.size.rowEvents})`,
      bar: `≥ ${fmt(FLEET_BARS.eventsPerSecond)}/s`,
      measured: `${fmt(ingest)}/s`,
      verdict: atLeast(ingest, FLEET_BARS.eventsPerSecond),
    });
    const bar = FLEET_BARS.p95Ms[hosts as 50 | 1000] as number | undefined;
    rows.push({
      target: `fleet of ${hosts}: approval → every host confirmed, p95 of ${r.confirmMs.length} (CrowdSec's 10 s polling, modelled: ${sec(model95)})`,
      bar: bar === undefined ? '' : `≤ ${sec(bar)}`,
      measured: p95 === null ? `${incomplete} incomplete` : `${sec(p95)} (p50 ${sec(p50!)})`,
      verdict: bar === undefined ? 'n/a' : p95 === null ? 'MISS' : atMost(p95, bar),
    });
    rows.push({
      target: `fleet of ${hosts}: the hub's peak resident memory`,
      bar: '',
      measured: `${r.hubPeakMiB.toFixed(0)} MiB`,
      verdict: 'n/a',
    });
  }
  await writeFile(join(o.outDir, 'fleet.json'), JSON.stringify(results, null, 2) + '\n');
  log(table(lines));
  log(
    "connect: all sensors connected and following the decisions; sensors → JetStream: the backlog published with acks; hub → PostgreSQL: the hub draining it; all applied: from the hub publishing the signed decision until the last sensor verified and applied it (every sensor of this process verifying on one core); confirmed: from the hub publishing the signed decision to the last host's confirmation stored and counted. CrowdSec: a model, not a run — each bouncer polls every 10 s at its own phase, so every host has blocked after the maximum of N uniform phases (p = 10 s · q^(1/N)).",
  );
  return rows;
}
