/**
 * The fleet bench's hub, in a process of its own so that its memory is its
 * own: the hub's parts of `sheriff hub` (fleet/ingest.ts HubIngest reading the
 * hosts' stream into the hosts store, fleet/fleet-firewall.ts publishing
 * signed decisions, fleet/hub.ts BanTally counting confirmations), without
 * the daemon around them. fleet.ts starts it with node's IPC channel and
 * drives it with the messages below.
 */
import { performance } from 'node:perf_hooks';
import type { KV } from '@nats-io/kv';
import { openHubDatabase } from '../app/hub-database.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { connectFleet, ensureStreams } from '../fleet/connect.js';
import { CrossHostDetector, DEFAULT_CROSS_HOST } from '../fleet/cross-host.js';
import { FleetFirewall } from '../fleet/fleet-firewall.js';
import { BanTally } from '../fleet/hub.js';
import { HubIngest } from '../fleet/ingest.js';
import { loadDecisionSigningKey } from '../fleet/signing.js';
import { createLogger } from '../log.js';
import type { FleetBanAlert } from '../notify/notifier.js';

export interface HubProcessConfig {
  servers: string[];
  seedFile: string;
  signingKeyFile: string;
  /** The hub's PostgreSQL database (URL). */
  database: string;
}

/** From fleet.ts to the hub. */
export type HubCommand =
  /** Reads the stream until `messages` event batches are stored. */
  | { cmd: 'ingest'; messages: number }
  | { cmd: 'ban'; cidr: string; hosts: number; timeoutMs: number }
  | { cmd: 'stop' };

/** From the hub to fleet.ts. */
export type HubReply =
  | { type: 'ready' }
  | { type: 'ingested'; messages: number; ms: number; rssMiB: number }
  | {
      type: 'confirmed';
      cidr: string;
      /** When the decision was published (ms since the epoch, comparable across processes). */
      publishedAt: number;
      ms: number | null;
      applied: number;
      of: number;
    }
  | { type: 'memory'; rssMiB: number; peakMiB: number }
  | { type: 'error'; message: string };

const send = (r: HubReply) => process.send!(r);

const mib = (bytes: number) => bytes / 2 ** 20;

async function main(cfg: HubProcessConfig): Promise<void> {
  const logger = createLogger({ level: 'warn', format: 'json' });
  const clock: Clock = systemClock;
  const nc = await connectFleet({
    servers: cfg.servers,
    seedFile: cfg.seedFile,
    name: 'bench-hub',
  });
  const { decisions } = await ensureStreams(nc);
  // As `sheriff hub` opens `hub.database`.
  const db = (await openHubDatabase({ database: cfg.database }))!;

  /** Each cidr's wait for "every host confirmed". */
  const waiting = new Map<string, (a: FleetBanAlert) => void>();
  const tally = new BanTally({
    hosts: db.hosts,
    clock,
    logger,
    alert: (a) => {
      if (a.type === 'fleet-ban') waiting.get(a.target.cidr)?.(a);
    },
    // Only a complete count is told within the bench's time.
    settleMs: 10 * 60_000,
  });
  const firewall = new FleetFirewall({
    decisions: () => Promise.resolve<KV>(decisions),
    signer: loadDecisionSigningKey(cfg.signingKeyFile),
    clock: clock.now,
    describe: () =>
      Promise.resolve({ scope: { kind: 'fleet' }, reason: 'fleet bench', approvalId: null }),
    published: (d) => Promise.resolve(tally.published(d)),
  });
  const ingest = new HubIngest({
    nc,
    hosts: db.hosts,
    clock: clock.now,
    logger,
    crossHost: new CrossHostDetector(DEFAULT_CROSS_HOST),
    finding: () => undefined,
    distributed: () => undefined,
    confirmation: (_host, c) => void tally.confirmed(c),
  });

  process.on('message', (m: HubCommand) => {
    void (async () => {
      try {
        if (m.cmd === 'ingest') {
          const started = performance.now();
          await ingest.start();
          // Polled: a 5 ms step is noise against a drain of seconds.
          await new Promise<void>((resolve) => {
            const poll = setInterval(() => {
              if (ingest.counts.stored < m.messages) return;
              clearInterval(poll);
              resolve();
            }, 5);
          });
          send({
            type: 'ingested',
            messages: ingest.counts.stored,
            ms: performance.now() - started,
            rssMiB: mib(process.memoryUsage().rss),
          });
        } else if (m.cmd === 'ban') {
          const t0 = performance.now();
          const told = new Promise<FleetBanAlert | null>((resolve) => {
            const timer = setTimeout(() => resolve(null), m.timeoutMs);
            waiting.set(m.cidr, (a) => {
              clearTimeout(timer);
              resolve(a);
            });
          });
          await firewall.ban([
            { target: { cidr: m.cidr, family: 4 }, expiresAt: clock.now() + 3_600_000 },
          ]);
          const a = await told;
          waiting.delete(m.cidr);
          const complete = a !== null && a.applied === m.hosts;
          send({
            type: 'confirmed',
            cidr: m.cidr,
            publishedAt: performance.timeOrigin + t0,
            ms: complete ? performance.now() - t0 : null,
            applied: a?.applied ?? 0,
            of: a?.of ?? 0,
          });
        } else {
          send({
            type: 'memory',
            rssMiB: mib(process.memoryUsage().rss),
            peakMiB: process.resourceUsage().maxRSS / 1024,
          });
          await ingest.stop();
          await nc.close();
          await db.records.close();
          process.exit(0);
        }
      } catch (err) {
        send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
  send({ type: 'ready' });
}

main(JSON.parse(process.argv[2]!) as HubProcessConfig).catch((err: unknown) => {
  process.stderr.write(`fleet bench hub: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
