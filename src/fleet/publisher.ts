/**
 * Drains a sensor's fleet outbox to JetStream, oldest row first and one at a
 * time: a row is deleted only when JetStream acknowledged it, and the next is
 * sent only then, so the stream holds each host's rows in seq order. A resend
 * (after a lost ack, a crash, a reconnect) carries the same Nats-Msg-Id, which
 * JetStream drops within its duplicate window; the hub skips any seq it stored
 * already. At least once from here, exactly once at the hub.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Clock, Stop } from '../clock.js';
import type { Logger } from '../log.js';
import type { FleetOutboxStore } from '../store/fleet-outbox.js';
import { hostSubject, messageId } from './protocol.js';

/** What the publisher needs of the outbox (FleetOutboxStore; the fleet bench keeps one in memory). */
export type OutboxRows = Pick<FleetOutboxStore, 'epoch' | 'oldest' | 'remove' | 'count'>;

export interface PublisherOptions {
  host: string;
  js: JetStreamClient;
  rows: OutboxRows;
  clock: Clock;
  logger: Logger;
  /** Retry delays double from this up to 30 s. Default 500 ms. */
  retryMs?: number;
  /** How long to wait for JetStream's ack. Default 5 s. */
  ackTimeoutMs?: number;
}

const BATCH = 100;
const MAX_RETRY_MS = 30_000;

export class OutboxPublisher {
  private running: Promise<void> | null = null;
  private again = false;
  private retry: Stop | null = null;
  private failures = 0;
  private stopped = false;
  /** Rows JetStream acknowledged, and of those the ones it already had. */
  readonly counts = { published: 0, duplicates: 0, failures: 0 };
  lastError: string | null = null;

  constructor(private readonly o: PublisherOptions) {}

  /** Something was written to the outbox (or NATS is back): drain it. */
  wake(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    if (this.retry !== null) return; // the retry timer will run it
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Waits for the drain in progress; no new one starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.stop();
    this.retry = null;
    await this.running;
  }

  private async drain(): Promise<void> {
    const { js, rows, host } = this.o;
    for (;;) {
      const batch = rows.oldest(BATCH);
      if (batch.length === 0 || this.stopped) return;
      for (const row of batch) {
        if (this.stopped) return;
        const body = `{"v":1,"epoch":"${rows.epoch}","seq":${row.seq},"${row.kind}":${row.payload}}`;
        try {
          const ack = await js.publish(hostSubject(host, row.kind), body, {
            msgID: messageId(host, rows.epoch, row.seq),
            timeout: this.o.ackTimeoutMs ?? 5000,
          });
          this.counts.published++;
          if (ack.duplicate) this.counts.duplicates++;
        } catch (err) {
          this.failed(err);
          return;
        }
        rows.remove(row.seq);
        this.failures = 0;
        this.lastError = null;
      }
    }
  }

  private failed(err: unknown): void {
    this.counts.failures++;
    this.lastError = (err as Error)?.message ?? String(err);
    if (this.failures++ === 0)
      this.o.logger.warn(
        { event: 'fleet_publish_failed', err, outbox: this.o.rows.count() },
        'events cannot be sent to the fleet; they wait in the outbox and are retried',
      );
    const ms = Math.min(
      MAX_RETRY_MS,
      (this.o.retryMs ?? 500) * 2 ** Math.min(this.failures - 1, 16),
    );
    this.retry = this.o.clock.after(ms, () => {
      this.retry = null;
      this.wake();
    });
  }
}
