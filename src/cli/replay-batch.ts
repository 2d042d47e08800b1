/**
 * Classified events in columns, as replay's worker threads hand them to the
 * detecting thread: numbers in typed arrays (moved, not copied), strings once
 * per batch in a table, the users of a connection as numbers into it. Cloning
 * an object per event would cost the main thread about what classifying it did.
 */
import { grown } from '../slab.js';
import type { AuthEvent, LineResult } from '../domain.js';

const RESULTS: readonly LineResult[] = ['fail', 'success', 'nofail', 'none'];
const ACCEPTED = 1;
const AMBIGUOUS = 2;
const HAS_USERS = 4;
/** String fields per event: rule, host, ip, user (index into `strings`; NULL, or SAME_AS_HOST for ip). */
const FIELDS = 4;
const NULL = -1;
const SAME_AS_HOST = -2;

/** One batch as posted: every typed array's buffer is transferred. */
export interface BatchMessage {
  count: number;
  jail: Uint8Array;
  time: Float64Array;
  /** The replay clock (latest time read) just before the event, NaN when the event itself sets it. */
  clock: Float64Array;
  result: Uint8Array;
  flags: Uint8Array;
  attempts: Int32Array;
  fields: Int32Array;
  /** Event i's users are `userIds[userStart[i]…userStart[i + 1]]` (when it has HAS_USERS). */
  userStart: Int32Array;
  userIds: Int32Array;
  strings: string[];
}

export class BatchWriter {
  private count = 0;
  private jail = new Uint8Array(1024);
  private time = new Float64Array(1024);
  private clock = new Float64Array(1024);
  private result = new Uint8Array(1024);
  private flags = new Uint8Array(1024);
  private attempts = new Int32Array(1024);
  private fields = new Int32Array(1024 * FIELDS);
  private userStart = new Int32Array(1025);
  private userIds = new Int32Array(1024);
  private userCount = 0;
  private strings: string[] = [];
  private ids = new Map<string, number>();
  private stringBytes = 0;

  get size(): number {
    return this.count;
  }

  /** `clock`: the latest time read before this event, when events not sent moved it (else NaN). */
  add(event: AuthEvent, jail: number, clock: number): void {
    if (this.count === this.jail.length) this.grow();
    const i = this.count++;
    this.jail[i] = jail;
    this.time[i] = event.time ?? NaN;
    this.clock[i] = clock;
    this.result[i] = RESULTS.indexOf(event.result);
    this.attempts[i] = event.attempts;
    const f = i * FIELDS;
    this.fields[f] = this.string(event.rule);
    this.fields[f + 1] = this.string(event.host);
    this.fields[f + 2] =
      event.ip !== null && event.ip === event.host ? SAME_AS_HOST : this.string(event.ip);
    this.fields[f + 3] = this.string(event.user);
    const users = event.users;
    if (users !== null) {
      while (this.userCount + users.length > this.userIds.length)
        this.userIds = grown(this.userIds, this.userIds.length * 2);
      for (const u of users) this.userIds[this.userCount++] = this.string(u);
    }
    this.userStart[i + 1] = this.userCount;
    this.flags[i] =
      (event.accepted ? ACCEPTED : 0) |
      (event.ambiguous ? AMBIGUOUS : 0) |
      (users !== null ? HAS_USERS : 0);
  }

  /** The batch so far, the buffers to transfer and about what it holds in bytes; the writer starts afresh. */
  take(): { message: BatchMessage; transfer: ArrayBuffer[]; size: number } {
    const n = this.count;
    const message: BatchMessage = {
      count: n,
      jail: this.jail.slice(0, n),
      time: this.time.slice(0, n),
      clock: this.clock.slice(0, n),
      result: this.result.slice(0, n),
      flags: this.flags.slice(0, n),
      attempts: this.attempts.slice(0, n),
      fields: this.fields.slice(0, n * FIELDS),
      userStart: this.userStart.slice(0, n + 1),
      userIds: this.userIds.slice(0, this.userCount),
      strings: this.strings,
    };
    this.count = 0;
    this.userCount = 0;
    this.strings = [];
    this.ids = new Map();
    const transfer = [
      message.jail,
      message.time,
      message.clock,
      message.result,
      message.flags,
      message.attempts,
      message.fields,
      message.userStart,
      message.userIds,
    ].map((a) => a.buffer as ArrayBuffer);
    // A string: its characters and a header, as V8 holds a one-byte one.
    const size = transfer.reduce((sum, b) => sum + b.byteLength, this.stringBytes);
    this.stringBytes = 0;
    return { message, transfer, size };
  }

  private string(s: string | null): number {
    if (s === null) return NULL;
    let id = this.ids.get(s);
    if (id === undefined) {
      this.stringBytes += s.length + 16;
      id = this.strings.push(s) - 1;
      this.ids.set(s, id);
    }
    return id;
  }

  private grow(): void {
    const n = this.jail.length * 2;
    this.jail = grown(this.jail, n);
    this.time = grown(this.time, n);
    this.clock = grown(this.clock, n);
    this.result = grown(this.result, n);
    this.flags = grown(this.flags, n);
    this.attempts = grown(this.attempts, n);
    this.fields = grown(this.fields, n * FIELDS);
    this.userStart = grown(this.userStart, n + 1);
  }
}

/** Event `i` of a batch, for the jails' filter names (`filters[jail]`). */
export function readEvent(b: BatchMessage, i: number, filters: readonly string[]): AuthEvent {
  const f = i * FIELDS;
  const str = (k: number) => (k === NULL ? null : b.strings[k]!);
  const t = b.time[i]!;
  const flags = b.flags[i]!;
  const host = str(b.fields[f + 1]!);
  let users: string[] | null = null;
  if ((flags & HAS_USERS) !== 0) {
    users = [];
    for (let u = b.userStart[i]!; u < b.userStart[i + 1]!; u++)
      users.push(b.strings[b.userIds[u]!]!);
  }
  const ip = b.fields[f + 2]!;
  const event: AuthEvent = {
    time: Number.isNaN(t) ? null : t,
    filter: filters[b.jail[i]!]!,
    rule: str(b.fields[f]!),
    result: RESULTS[b.result[i]!]!,
    host,
    ip: ip === SAME_AS_HOST ? host : str(ip),
    user: str(b.fields[f + 3]!),
    users,
    attempts: b.attempts[i]!,
    accepted: (flags & ACCEPTED) !== 0,
  };
  if ((flags & AMBIGUOUS) !== 0) event.ambiguous = true;
  return event;
}
