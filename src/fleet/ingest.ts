/**
 * The hub's side of the hosts stream: one durable pull consumer reads every
 * host's messages in order, and stores each host's in order, many hosts' in
 * one transaction and a few transactions at once. Each is checked (the host
 * from its subject, never its body; the body against its schema) before
 * anything is stored; a bad one is counted against its host and terminated,
 * never retried, never a crash. A sensor's outbox row is stored with its seq
 * in one transaction (store/hosts.ts), so a redelivered one is acked without
 * a second copy.
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
import { setTimeout as sleep } from 'node:timers/promises';
import type { Finding, Millis } from '../domain.js';
import type { Logger } from '../log.js';
import type { Async } from '../store/api.js';
import type { EventRecord } from '../store/events.js';
import {
  InvalidRowError,
  type HostStore,
  type IngestResult,
  type IngestRow,
} from '../store/hosts.js';
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
   * Batches stored at once, each of other hosts' messages (one host's stay
   * in order). Default 4: a few of PostgreSQL's connections, one waiting on
   * its round trips while another's rows are written.
   */
  parallel?: number;
  /** Wait before a row the store failed on is tried again (default 5 s; tests shorten it). */
  retryMs?: number;
}

/** Messages, and bytes of them, stored in one transaction at most (a few thousand events). */
const MAX_BATCH = 500;
const MAX_BATCH_BYTES = 2 * 2 ** 20;

/**
 * Messages the hub asks JetStream for at once: with batches of at most
 * MAX_BATCH_BYTES, the hub reads its socket often enough that nats-server
 * never has 64 MiB pending for it. Past that the server drops what it was
 * sending, JetStream redelivers it after newer rows of the same hosts, and
 * those older rows would look stored before (note7's "hang": in the 50-host
 * bench, 514 of 1,000 rows taken for duplicates with one 250k-event batch).
 */
const PULL_MESSAGES = 200;

/** Wait before a row the store failed on is tried again. */
const RETRY_MS = 5000;

/**
 * Failures of one row, each with other rows stored since the one before,
 * after which it is taken for a row the store will never take (and
 * terminated): holding it longer would hold its host's every later row.
 */
const GIVE_UP_AFTER = 3;

/** A message read from the stream, waiting to be stored. */
interface Waiting {
  m: JsMsg;
  /** Its host and kind, from its subject (null for none: such a message is rejected). */
  where: ReturnType<typeof parseHostSubject>;
  /** Its host, or '' for none. */
  host: string;
}

/** An outbox row (events or findings) of a message, checked. */
interface Pending {
  m: JsMsg;
  row: IngestRow;
}

export class HubIngest {
  private messages: ConsumerMessages | null = null;
  private done: Promise<void> = Promise.resolve();
  /** Read, not yet being stored: their hosts' earlier messages are. */
  private readonly waiting: Waiting[] = [];
  /** Hosts with messages being stored. */
  private readonly busy = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Batches the store took: a failing row beside stored ones is its own failure. */
  private storedBatches = 0;
  private readonly stopping = new AbortController();
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
    const messages = await consumer.consume({ max_messages: PULL_MESSAGES });
    this.messages = messages;
    this.done = this.run(messages);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.messages?.close();
    await this.done;
  }

  /**
   * Reads every message as it comes and stores what waits in batches: what
   * is read while the store is busy is stored together in the next
   * transaction, so an idle hub stores a message at once and a busy one in
   * few transactions. Each host's messages wait behind its earlier ones (its
   * seq must follow the stored one); other hosts' go beside them.
   */
  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      const where = parseHostSubject(m.subject);
      this.waiting.push({ m, where, host: where?.host ?? '' });
      this.pump();
    }
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    // Stopped: JetStream delivers what was not stored to the next start.
    for (const w of this.waiting.splice(0)) w.m.nak();
  }

  /** Starts batches while fewer than `parallel` are being stored. */
  private pump(): void {
    const limit = this.o.parallel ?? 4;
    while (this.inFlight.size < limit && !this.stopping.signal.aborted) {
      const batch = this.take();
      if (batch.length === 0) return;
      const hosts = new Set(batch.map((w) => w.host));
      for (const h of hosts) this.busy.add(h);
      const stored: Promise<void> = this.handle(batch)
        .catch((err: unknown) =>
          // Not acked: JetStream delivers them again.
          this.o.logger.error(
            { event: 'hub_message_failed', messages: batch.length, err },
            'messages from hosts could not be handled',
          ),
        )
        .finally(() => {
          for (const h of hosts) this.busy.delete(h);
          this.inFlight.delete(stored);
          this.pump();
        });
      this.inFlight.add(stored);
    }
  }

  /** The waiting messages of hosts not being stored, oldest first, up to MAX_BATCH(_BYTES). */
  private take(): Waiting[] {
    const taken: Waiting[] = [];
    let bytes = 0;
    let kept = 0;
    for (const w of this.waiting) {
      const full = taken.length >= MAX_BATCH || bytes >= MAX_BATCH_BYTES;
      if (!full && !this.busy.has(w.host)) {
        taken.push(w);
        bytes += w.m.data.length;
      } else this.waiting[kept++] = w;
    }
    this.waiting.length = kept;
    return taken;
  }

  /** Checks each message, stores the outbox rows in one go, then the statuses and confirmations. */
  private async handle(batch: readonly Waiting[]): Promise<void> {
    const rows: Pending[] = [];
    const others: { m: JsMsg; host: string; kind: 'status' | 'confirm'; body: unknown }[] = [];
    for (const { m, where } of batch) {
      if (where === null) {
        void this.reject(m, null, 'not a host subject');
        continue;
      }
      const { host, kind } = where;
      let body: unknown;
      try {
        body = m.json();
      } catch {
        await this.reject(m, host, 'not JSON');
        continue;
      }
      if (kind === 'events') {
        const b = eventBatchSchema.safeParse(body);
        if (!b.success) await this.reject(m, host, b.error.message);
        else {
          const { epoch, seq, events } = b.data;
          rows.push({ m, row: { host, epoch, seq, batch: { events } } });
        }
      } else if (kind === 'findings') {
        const b = findingBatchSchema.safeParse(body);
        if (!b.success) await this.reject(m, host, b.error.message);
        else {
          const { epoch, seq, findings } = b.data;
          rows.push({ m, row: { host, epoch, seq, batch: { findings } } });
        }
      } else others.push({ m, host, kind, body });
    }
    if (rows.length > 0) await this.store(rows);
    // Each its own upsert, at once: a thousand hosts confirm a ban within a second.
    await Promise.all(others.map((o) => this.handleOther(o.m, o.host, o.kind, o.body)));
  }

  /**
   * Stores the rows in one transaction. When the store fails, the rows are
   * tried again one at a time, in order, each until it is stored (its host's
   * later rows wait behind it: stored first, they would make it look stored
   * before), until the hub stops, or until it is the one row that keeps
   * failing while others are stored.
   */
  private async store(rows: readonly Pending[]): Promise<void> {
    try {
      const results = await this.o.hosts.ingestMany(
        rows.map((r) => r.row),
        this.o.clock(),
      );
      this.storedBatches++;
      results.forEach((r, i) => this.stored(rows[i]!, r));
      return;
    } catch (err) {
      this.failed(rows, err);
    }
    // In order, one at a time: a host's rows stay in order, and the store is
    // not flooded with what just failed.
    for (const r of rows) await this.storeAlone(r);
  }

  private async storeAlone(r: Pending): Promise<void> {
    /** Failures with other rows stored since the one before. */
    let strikes = 0;
    let stored = this.storedBatches;
    for (;;) {
      if (!(await this.pause())) {
        r.m.nak();
        return;
      }
      try {
        const [result] = await this.o.hosts.ingestMany([r.row], this.o.clock());
        this.storedBatches++;
        this.stored(r, result!);
        return;
      } catch (err) {
        this.failed([r], err);
        if (this.storedBatches > stored) strikes++;
        stored = this.storedBatches;
        if (strikes >= GIVE_UP_AFTER) {
          await this.reject(r.m, r.row.host, `the store refuses it: ${String(err)}`);
          return;
        }
      }
    }
  }

  /** Waits before trying the store again; false when the hub stops meanwhile. */
  private async pause(): Promise<boolean> {
    try {
      await sleep(this.o.retryMs ?? RETRY_MS, undefined, { signal: this.stopping.signal });
      return true;
    } catch {
      return false;
    }
  }

  private failed(rows: readonly Pending[], err: unknown): void {
    this.counts.failed++;
    this.o.logger.error(
      { event: 'hub_store_failed', hosts: [...new Set(rows.map((r) => r.row.host))].length, err },
      'messages from hosts could not be stored; they are stored again shortly',
    );
  }

  /** A row's message once the store answered for it. */
  private stored({ m, row }: Pending, result: IngestResult): void {
    if (result instanceof InvalidRowError) {
      void this.reject(m, row.host, result.message);
      return;
    }
    m.ack();
    if (result === null) {
      this.counts.duplicates++;
      return;
    }
    this.counts.stored++;
    const { events, findings } = row.batch;
    if (events !== undefined) {
      this.o.events?.(row.host, events);
      if (this.o.crossHost !== null)
        for (const e of events) {
          const attack = this.o.crossHost.observe(row.host, e);
          if (attack !== null) this.o.distributed(attack);
        }
    }
    findings?.forEach((f, i) => this.o.finding(f.finding, result[i]!, row.host));
  }

  private async handleOther(
    m: JsMsg,
    host: string,
    kind: 'status' | 'confirm',
    body: unknown,
  ): Promise<void> {
    const now = this.o.clock();
    try {
      if (kind === 'status') {
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
