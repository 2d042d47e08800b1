/**
 * The hub's side of the hosts stream: one durable pull consumer reads every
 * host's messages in order, and stores each host's in order, several hosts'
 * at once. Each is checked (the host from its subject, never
 * its body; the body against its schema) before anything is stored; a bad
 * one is counted against its host and terminated, never retried, never a
 * crash. A sensor's outbox row is stored with its seq in one transaction
 * (store/hosts.ts), so a redelivered one is acked without a second copy.
 */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Finding, Millis } from '../domain.js';
import type { Logger } from '../log.js';
import type { Async } from '../store/api.js';
import type { EventRecord } from '../store/events.js';
import type { HostStore } from '../store/hosts.js';
import type { CrossHostDetector, DistributedAttack } from './cross-host.js';
import {
  confirmationSchema,
  eventBatchSchema,
  findingBatchSchema,
  hostStatusSchema,
  HOSTS_STREAM,
  HUB_CONSUMER,
  parseHostSubject,
  type Confirmation,
} from './protocol.js';

export interface HubIngestOptions {
  nc: NatsConnection;
  hosts: Async<HostStore>;
  clock: () => Millis;
  logger: Logger;
  crossHost: CrossHostDetector | null;
  /** Events a sensor sent, just stored (the hub's incidents follow the attacker on every host). */
  events?: (host: string, events: readonly EventRecord[]) => void;
  /** A finding a sensor made, stored under `id`. */
  finding: (f: Finding, id: number, host: string) => void;
  /** An attack spread over hosts, found here. */
  distributed: (attack: DistributedAttack) => void;
  confirmation: (host: string, c: Confirmation) => void;
  /**
   * Messages stored at once, of different hosts (one host's stay in order).
   * Default 8: a few of PostgreSQL's connections, each waiting on its own round trips.
   */
  parallel?: number;
}

/** Redelivery delay after the store failed (the message stays in the stream meanwhile). */
const RETRY_MS = 5000;

export class HubIngest {
  private messages: ConsumerMessages | null = null;
  private done: Promise<void> = Promise.resolve();
  readonly counts = { stored: 0, duplicates: 0, rejected: 0, failed: 0 };

  constructor(private readonly o: HubIngestOptions) {}

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.o.nc);
    const exists = await jsm.consumers.info(HOSTS_STREAM, HUB_CONSUMER).then(
      () => true,
      () => false,
    );
    if (!exists)
      await jsm.consumers.add(HOSTS_STREAM, {
        durable_name: HUB_CONSUMER,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: 1000,
      });
    const consumer = await jetstream(this.o.nc).consumers.get(HOSTS_STREAM, HUB_CONSUMER);
    const messages = await consumer.consume({ max_messages: 500 });
    this.messages = messages;
    this.done = this.run(messages);
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.done;
  }

  /**
   * Each message waits behind the one before it of the same host (its seq
   * must follow the stored one), and beside up to `parallel` others: one at a
   * time, the hub would spend most of its time waiting for the database.
   */
  private async run(messages: ConsumerMessages): Promise<void> {
    const limit = this.o.parallel ?? 8;
    /** Each host's last message in hand. */
    const tails = new Map<string, Promise<void>>();
    const inFlight = new Set<Promise<void>>();
    for await (const m of messages) {
      while (inFlight.size >= limit) await Promise.race(inFlight);
      const key = parseHostSubject(m.subject)?.host ?? '';
      const handled = (tails.get(key) ?? Promise.resolve())
        .then(() => this.handle(m))
        .catch((err: unknown) =>
          // Not acked: JetStream delivers it again.
          this.o.logger.error(
            { event: 'hub_message_failed', subject: m.subject, err },
            'a message from a host could not be handled',
          ),
        );
      tails.set(key, handled);
      inFlight.add(handled);
      void handled.finally(() => {
        inFlight.delete(handled);
        if (tails.get(key) === handled) tails.delete(key);
      });
    }
    await Promise.all(inFlight);
  }

  private async handle(m: JsMsg): Promise<void> {
    const where = parseHostSubject(m.subject);
    if (where === null) {
      void this.reject(m, null, 'not a host subject');
      return;
    }
    const { host, kind } = where;
    let body: unknown;
    try {
      body = m.json();
    } catch {
      await this.reject(m, host, 'not JSON');
      return;
    }
    const now = this.o.clock();
    try {
      if (kind === 'events') {
        const batch = eventBatchSchema.safeParse(body);
        if (!batch.success) return await this.reject(m, host, batch.error.message);
        const { epoch, seq, events } = batch.data;
        const stored = await this.o.hosts.ingest(host, epoch, seq, { events }, now);
        this.count(stored);
        if (stored !== null) this.o.events?.(host, events);
        if (stored !== null && this.o.crossHost !== null)
          for (const e of events) {
            const attack = this.o.crossHost.observe(host, e);
            if (attack !== null) this.o.distributed(attack);
          }
      } else if (kind === 'findings') {
        const batch = findingBatchSchema.safeParse(body);
        if (!batch.success) return await this.reject(m, host, batch.error.message);
        const { epoch, seq, findings } = batch.data;
        const ids = await this.o.hosts.ingest(host, epoch, seq, { findings }, now);
        this.count(ids);
        ids?.forEach((id, i) => this.o.finding(findings[i]!.finding, id, host));
      } else if (kind === 'status') {
        const status = hostStatusSchema.safeParse(body);
        if (!status.success) return await this.reject(m, host, status.error.message);
        await this.o.hosts.status(host, status.data, now);
      } else {
        const c = confirmationSchema.safeParse(body);
        if (!c.success) return await this.reject(m, host, c.error.message);
        // The hub's time, not the sensor's: the tally compares it with when the hub decided.
        await this.o.hosts.confirm({ ...c.data, host, at: now });
        this.o.confirmation(host, c.data);
      }
    } catch (err) {
      this.counts.failed++;
      this.o.logger.error(
        { event: 'hub_store_failed', host, kind, err },
        'a message from a host could not be stored; it is delivered again',
      );
      m.nak(RETRY_MS);
      return;
    }
    m.ack();
  }

  private count(stored: unknown[] | null): void {
    if (stored === null) this.counts.duplicates++;
    else this.counts.stored++;
  }

  private async reject(m: JsMsg, host: string | null, why: string): Promise<void> {
    this.counts.rejected++;
    m.term(why.slice(0, 200));
    this.o.logger.warn(
      { event: 'host_message_rejected', host, subject: m.subject, why: why.slice(0, 500) },
      'a message from a host was rejected',
    );
    if (host !== null)
      await this.o.hosts
        .rejected(host, this.o.clock())
        .catch((err: unknown) =>
          this.o.logger.warn(
            { event: 'hub_store_failed', err },
            'could not count a rejected message',
          ),
        );
  }
}
