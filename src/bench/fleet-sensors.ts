/**
 * Simulated sensors for the fleet bench: each one a NATS connection of its
 * own with its own nkey credentials and the permissions `sheriff fleet init`
 * writes, the real OutboxPublisher draining an outbox kept in memory (a real
 * sensor's is a SQLite table: a thousand of those cost 550 MiB and 6 s to
 * open), the real DecisionFollower verifying and following the decisions
 * bucket, and a firewall that only remembers (its confirmations are the
 * real messages). Light enough that a thousand run in one process.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Clock, Stop } from '../clock.js';
import type { BanTarget, Millis } from '../domain.js';
import { connectFleet } from '../fleet/connect.js';
import type { DecisionFollower, DecisionEnforcer } from '../fleet/decision-follower.js';
import { hostSubject, type HostStatus } from '../fleet/protocol.js';
import { OutboxPublisher, type OutboxRows } from '../fleet/publisher.js';
import { followDecisions } from '../fleet/sensor.js';
import type { DecisionVerifier } from '../fleet/signing.js';
import type { Logger } from '../log.js';
import type { FleetOutcome } from '../respond/responder.js';
import type { FleetOutboxKind, FleetOutboxRow } from '../store/fleet-outbox.js';

/** A sensor's outbox in memory: rows in seq order, removed as JetStream acks them. */
export class MemoryOutbox implements OutboxRows {
  readonly epoch = randomBytes(8).toString('hex');
  private rows: FleetOutboxRow[] = [];
  private seq = 0;

  /** `payload` is the JSON array, as FleetOutboxStore keeps it. */
  append(kind: FleetOutboxKind, payload: string, now: Millis): void {
    this.rows.push({ seq: ++this.seq, kind, payload, createdAt: now });
  }

  oldest(limit: number, afterSeq = 0): FleetOutboxRow[] {
    return this.rows.filter((r) => r.seq > afterSeq).slice(0, limit);
  }

  remove(seq: number): void {
    // Acks come oldest first.
    if (this.rows[0]?.seq === seq) this.rows.shift();
    else this.rows = this.rows.filter((r) => r.seq !== seq);
  }

  count(): number {
    return this.rows.length;
  }
}

/** A firewall that holds what the follower asks it to: the bench times NATS and the hub, not nft. */
class RememberingEnforcer implements DecisionEnforcer {
  readonly bans = new Map<string, BanTarget>();
  /** When each decision was applied (ms since the epoch, comparable across processes). */
  readonly appliedAt = new Map<string, number>();

  enforceDecision(d: { id: string; target: BanTarget }): Promise<FleetOutcome> {
    this.bans.set(d.id, d.target);
    this.appliedAt.set(d.id, performance.timeOrigin + performance.now());
    return Promise.resolve({ outcome: 'applied', reason: null });
  }

  liftDecision(id: string): Promise<FleetOutcome> {
    this.bans.delete(id);
    return Promise.resolve({ outcome: 'removed', reason: null });
  }

  fleetBans(): Promise<{ id: string; target: BanTarget }[]> {
    return Promise.resolve([...this.bans].map(([id, target]) => ({ id, target })));
  }
}

export interface SimSensorOptions {
  host: string;
  servers: string[];
  seedFile: string;
  verifier: DecisionVerifier;
  clock: Clock;
  logger: Logger;
}

/** What a real sensor's heartbeat period is (fleet/sensor.ts). */
const HEARTBEAT_MS = 10_000;

export class SimSensor {
  readonly outbox = new MemoryOutbox();
  private readonly enforcer = new RememberingEnforcer();
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private publisher: OutboxPublisher | null = null;
  private follower: DecisionFollower | null = null;
  private heartbeat: Stop | null = null;

  constructor(private readonly o: SimSensorOptions) {}

  /** Connects, says it is alive (the hub learns the host), and follows the decisions. */
  async start(): Promise<void> {
    const { host, clock, logger } = this.o;
    const nc = await connectFleet({
      servers: this.o.servers,
      seedFile: this.o.seedFile,
      host,
      name: `bench-${host}`,
    });
    this.nc = nc;
    const js = jetstream(nc);
    this.js = js;
    this.publisher = new OutboxPublisher({ host, js, rows: this.outbox, clock, logger });
    await this.beat();
    // Spread over the period, as hosts started at different times are.
    const first = clock.after(Math.random() * HEARTBEAT_MS, () => {
      this.heartbeat = clock.every(HEARTBEAT_MS, () => void this.beat().catch(() => undefined));
    });
    this.heartbeat = first;
    this.follower = await followDecisions(nc, {
      host,
      groups: [],
      verifier: this.o.verifier,
      enforcer: this.enforcer,
      clock: clock.now,
      logger,
    });
  }

  /** Drains the outbox to JetStream, as a sensor does after a flush. */
  publish(): void {
    this.publisher?.wake();
  }

  /** Decisions this sensor holds now. */
  get held(): number {
    return this.enforcer.bans.size;
  }

  /** When this sensor applied decision `id` (ms since the epoch), if it did. */
  appliedAt(id: string): number | undefined {
    return this.enforcer.appliedAt.get(id);
  }

  private async beat(): Promise<void> {
    const status: HostStatus = {
      v: 1,
      version: 'bench',
      at: this.o.clock.now(),
      lagMs: 0,
      outbox: this.outbox.count(),
      errors: [],
      groups: [],
    };
    await this.js?.publish(hostSubject(this.o.host, 'status'), JSON.stringify(status));
  }

  async stop(): Promise<void> {
    this.heartbeat?.stop();
    await this.follower?.stop();
    await this.publisher?.stop();
    await this.nc?.close();
  }
}
