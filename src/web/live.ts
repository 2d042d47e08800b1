/**
 * The live feed behind `/api/live` (Server-Sent Events). The daemon calls
 * `event`, `finding` and `response` on its hot path, so they only queue: a
 * timer sends the queue as one SSE message per kind a few times a second, and
 * beyond `maxQueued` items per flush the rest are counted as dropped, never
 * buffered without bound (a flood must not grow the process).
 */
import type { ServerResponse } from 'node:http';
import type { Finding } from '../domain.js';
import type { ResponseAlert } from '../respond/responder.js';
import type { EventRecord } from '../store/events.js';
import type { LiveBatch } from './contract.js';

export type LiveItem =
  | { type: 'event'; event: EventRecord }
  | { type: 'finding'; finding: Finding; id: number | null }
  | { type: 'response'; alert: ResponseAlert };

export interface LiveOptions {
  flushEveryMs?: number;
  maxQueued?: number;
  maxClients?: number;
}

export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private queue: LiveItem[] = [];
  private dropped = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly maxQueued: number;
  readonly maxClients: number;

  constructor(o: LiveOptions = {}) {
    this.maxQueued = o.maxQueued ?? 500;
    this.maxClients = o.maxClients ?? 64;
    this.timer = setInterval(() => this.flush(), o.flushEveryMs ?? 200).unref();
    // A comment line keeps proxies from closing an idle stream.
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), 15_000).unref();
  }

  event(event: EventRecord): void {
    this.push({ type: 'event', event });
  }

  finding(finding: Finding, id: number | null): void {
    this.push({ type: 'finding', finding, id });
  }

  response(alert: ResponseAlert): void {
    this.push({ type: 'response', alert });
  }

  /** Adds a client whose headers were already sent; false when there are too many. */
  add(res: ServerResponse): boolean {
    if (this.clients.size >= this.maxClients) return false;
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    res.write('retry: 3000\n\n');
    return true;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.keepAlive);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private push(item: LiveItem): void {
    if (this.clients.size === 0) return;
    if (this.queue.length >= this.maxQueued) this.dropped++;
    else this.queue.push(item);
  }

  private flush(): void {
    if (this.queue.length === 0 && this.dropped === 0) return;
    const items = this.queue;
    const dropped = this.dropped;
    this.queue = [];
    this.dropped = 0;
    const batch: LiveBatch = { items, dropped };
    // One JSON array per flush; JSON never contains a raw newline, so one data: line is enough.
    this.write(`event: batch\ndata: ${JSON.stringify(batch)}\n\n`);
  }

  private write(chunk: string): void {
    for (const c of this.clients) c.write(chunk);
  }
}
