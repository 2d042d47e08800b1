/**
 * A sensor: `sheriff watch` with a `fleet:` section. It detects and stores as
 * a single host does; besides, its events and findings go into the fleet
 * outbox in the writer's flush and on to JetStream (publisher.ts), the hub's
 * decisions are followed and applied through this host's responder and
 * guardrails (decision-follower.ts), and a heartbeat tells the hub how it is.
 * NATS being down delays all of this, never detection nor local bans.
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock, Stop } from '../clock.js';
import type { Finding } from '../domain.js';
import type { Logger } from '../log.js';
import type { Database } from '../store/database.js';
import type { EventRecord } from '../store/events.js';
import { FleetOutboxStore } from '../store/fleet-outbox.js';
import {
  DecisionFollower,
  type DecisionEnforcer,
  type DecisionFollowerOptions,
} from './decision-follower.js';
import { FleetOutbox } from './outbox.js';
import { hostSubject, type HostStatus } from './protocol.js';
import { OutboxPublisher } from './publisher.js';
import type { DecisionVerifier } from './signing.js';
import { openDecisions } from './connect.js';

/** How often a sensor tells the hub it is alive. */
const HEARTBEAT_MS = 10_000;

export interface SensorOptions {
  host: string;
  groups: readonly string[];
  /** Resolves once connected (it retries meanwhile). */
  connect: () => Promise<NatsConnection>;
  verifier: DecisionVerifier;
  version: string;
  clock: Clock;
  logger: Logger;
  maxOutboxRows?: number;
}

export class Sensor {
  private rows: FleetOutboxStore | null = null;
  private outboxPart: FleetOutbox | null = null;
  private publisher: OutboxPublisher | null = null;
  private follower: DecisionFollower | null = null;
  private heartbeat: Stop | null = null;
  private retry: Stop | null = null;
  private nc: NatsConnection | null = null;
  private stopped = false;
  private starting: Promise<void> = Promise.resolve();

  constructor(private readonly o: SensorOptions) {}

  /** The outbox on the sensor's store, written with every flush (a WriterPart). */
  outbox(db: Database): FleetOutbox {
    this.rows = new FleetOutboxStore(db);
    this.outboxPart = new FleetOutbox(this.rows, {
      onWritten: () => this.publisher?.wake(),
      ...(this.o.maxOutboxRows === undefined ? {} : { maxRows: this.o.maxOutboxRows }),
    });
    return this.outboxPart;
  }

  /** Hot path: remembered for the next flush. */
  event(record: EventRecord): void {
    this.outboxPart?.event(record);
  }

  finding(finding: Finding): void {
    this.outboxPart?.finding(finding, this.o.clock.now());
  }

  /** Connects in the background: the daemon does not wait for NATS. */
  start(enforcer: DecisionEnforcer): void {
    this.starting = this.run(enforcer).catch((err: unknown) =>
      this.o.logger.error(
        { event: 'fleet_start_failed', err },
        'the sensor could not join the fleet',
      ),
    );
  }

  private async run(enforcer: DecisionEnforcer): Promise<void> {
    const { host, clock, logger } = this.o;
    const nc = await this.o.connect();
    if (this.stopped) {
      await nc.close();
      return;
    }
    this.nc = nc;
    const js = jetstream(nc);
    this.publisher = new OutboxPublisher({ host, js, rows: this.rows!, clock, logger });
    this.publisher.wake();
    this.heartbeat = clock.every(HEARTBEAT_MS, () => this.beat());
    this.beat();
    // The decisions bucket is the hub's to make: until it exists (the hub not
    // started yet), the sensor keeps trying, and publishes meanwhile.
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.follower = await followDecisions(nc, {
          host,
          groups: this.o.groups,
          verifier: this.o.verifier,
          enforcer,
          clock: clock.now,
          logger,
        });
        break;
      } catch (err) {
        if (attempt === 0)
          logger.warn(
            { event: 'fleet_decisions_unavailable', err },
            "the fleet's decisions cannot be read yet; retrying",
          );
        await new Promise<void>((resolve) => {
          const timer = clock.after(Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)), resolve);
          // Stopping ends the wait too.
          this.retry = {
            stop: () => {
              timer.stop();
              resolve();
            },
          };
        });
      }
    }
    if (this.stopped) {
      await this.follower?.stop();
      return;
    }
    logger.info({ event: 'fleet_joined', host }, 'joined the fleet');
  }

  status(): HostStatus {
    const now = this.o.clock.now();
    const oldest = this.rows?.oldest(1)[0];
    const errors = [this.publisher?.lastError].filter((e): e is string => typeof e === 'string');
    if (this.outboxPart !== null && this.outboxPart.dropped > 0)
      errors.push(`${this.outboxPart.dropped} outbox rows dropped (NATS unreachable too long)`);
    if (this.follower !== null && this.follower.rejected > 0)
      errors.push(`${this.follower.rejected} decisions rejected (unsigned or forged)`);
    return {
      v: 1,
      version: this.o.version.slice(0, 64),
      at: now,
      lagMs: oldest === undefined ? 0 : Math.max(0, now - oldest.createdAt),
      outbox: this.rows?.count() ?? 0,
      errors: errors.map((e) => e.slice(0, 500)),
      groups: [...this.o.groups],
    };
  }

  private beat(): void {
    const nc = this.nc;
    if (nc === null || nc.isClosed()) return;
    jetstream(nc)
      .publish(hostSubject(this.o.host, 'status'), JSON.stringify(this.status()))
      .catch(() => {
        // NATS is down: the next beat tries again, and the outbox says what waits.
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.heartbeat?.stop();
    this.retry?.stop();
    await this.follower?.stop();
    await this.publisher?.stop();
    await this.nc?.close();
    // Still connecting (NATS down since start): not waited for; it closes what it gets.
    if (this.nc !== null) await this.starting;
  }
}

/**
 * Reads the fleet's decisions bucket and follows it as `host`, confirming each
 * outcome on the host's own subject; started when it returns.
 */
export async function followDecisions(
  nc: NatsConnection,
  o: Omit<DecisionFollowerOptions, 'kv' | 'confirm'>,
): Promise<DecisionFollower> {
  const js = jetstream(nc);
  const follower = new DecisionFollower({
    ...o,
    kv: await openDecisions(nc),
    confirm: async (c) => {
      await js.publish(hostSubject(o.host, 'confirm'), JSON.stringify(c));
    },
  });
  await follower.start();
  return follower;
}
