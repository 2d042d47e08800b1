/**
 * What a sensor sends the hub, made durable with its own store: events and
 * findings are collected as the daemon hands them to the StoreWriter and
 * written into the fleet outbox in the writer's flush transaction (a
 * WriterPart), so the outbox holds exactly what the local store holds. The
 * publisher (publisher.ts) drains it to JetStream.
 *
 * Bounded like writer-queue.ts: at most `maxRows` rows wait (NATS down for
 * long); beyond that the oldest rows are dropped and counted — a sensor's own
 * store still has every event, only the hub's copy has a hole.
 */
import type { Finding, Millis } from '../domain.js';
import type { EventRecord } from '../store/events.js';
import { FleetOutboxStore } from '../store/fleet-outbox.js';
import type { WriterPart } from '../store/writer.js';

/** Events per outbox row: one JetStream message stays well under NATS' 1 MB default. */
const MAX_EVENTS_PER_ROW = 500;

export interface FleetOutboxOptions {
  /** Most rows kept while JetStream cannot be reached. Default 20 000 (about 10 M events at most). */
  maxRows?: number;
  /** Called after a flush wrote rows: the publisher wakes up. */
  onWritten?: () => void;
}

export class FleetOutbox implements WriterPart {
  private events: EventRecord[] = [];
  private findings: { finding: Finding; createdAt: Millis }[] = [];
  /** How many of `events`/`findings` the current transaction wrote. */
  private writing: [number, number] = [0, 0];
  private readonly maxRows: number;
  /** Rows dropped by the cap, since start. */
  dropped = 0;

  constructor(
    readonly rows: FleetOutboxStore,
    private readonly options: FleetOutboxOptions = {},
  ) {
    this.maxRows = options.maxRows ?? 20_000;
  }

  /** An event handed to the StoreWriter. Hot path: only remembered. */
  event(record: EventRecord): void {
    this.events.push(record);
  }

  finding(finding: Finding, createdAt: Millis): void {
    this.findings.push({ finding, createdAt });
  }

  get dirty(): boolean {
    return this.events.length > 0 || this.findings.length > 0;
  }

  write(now: Millis): void {
    const events = this.events.length;
    const findings = this.findings.length;
    for (let i = 0; i < events; i += MAX_EVENTS_PER_ROW)
      this.rows.append('events', this.events.slice(i, i + MAX_EVENTS_PER_ROW), now);
    if (findings > 0) this.rows.append('findings', this.findings.slice(0, findings), now);
    this.dropped += this.rows.trim(this.maxRows);
    this.writing = [events, findings];
  }

  written(): void {
    const [events, findings] = this.writing;
    this.events = this.events.slice(events);
    this.findings = this.findings.slice(findings);
    this.writing = [0, 0];
    this.options.onWritten?.();
  }
}
