/**
 * The durable store: one SQLite file in WAL mode. The daemon writes through a
 * StoreWriter; the CLI opens the same file read-only to query and show status.
 */
import { statSync } from 'node:fs';
import type { Millis } from '../domain.js';
import type { Async, RecordStore } from './api.js';
import { ActivityQueries } from './activity.js';
import { AgentStore } from './agent.js';
import { ApprovalStore } from './approvals.js';
import { AuditStore } from './audit.js';
import { BanStore } from './bans.js';
import { ChatSettingsStore } from './chats.js';
import { openDatabase, type Database, type OpenOptions } from './database.js';
import { EventStore } from './events.js';
import { FailureHistoryStore, OffThreadFailureHistory } from './failure-history.js';
import { FindingStore } from './findings.js';
import { IncidentStore } from './incidents.js';
import { IntelCacheStore } from './intel.js';
import { OutboxStore } from './outbox.js';
import { PositionStore } from './positions.js';
import { ReportStore } from './reports.js';
import {
  pruneEvents,
  pruneEventsSync,
  type RetentionOptions,
  type RetentionPolicy,
  type RetentionResult,
} from './retention.js';
import { StatusStore } from './status.js';
import { ScanStore } from './scans.js';

export * from './activity.js';
export * from './agent.js';
export type { Async, RecordStore } from './api.js';
export * from './approvals.js';
export * from './audit.js';
export * from './bans.js';
export * from './chats.js';
export * from './daemon-lock.js';
export { openDatabase, type Database, type OpenOptions } from './database.js';
export * from './errors.js';
export * from './events.js';
export * from './findings.js';
export * from './incidents.js';
export * from './intel.js';
export {
  MIGRATIONS,
  SCHEMA_VERSION,
  SchemaTooNewError,
  migrate,
  type Migration,
} from './migrations.js';
export * from './outbox.js';
export * from './positions.js';
export * from './reports.js';
export * from './retention.js';
export * from './scans.js';
export * from './status.js';
export * from './writer.js';

export class Store {
  readonly events: EventStore;
  /** Days of failures per address, for the long-horizon detector (searched off the event loop). */
  readonly failureHistory: OffThreadFailureHistory;
  readonly findings: FindingStore;
  readonly positions: PositionStore;
  readonly status: StatusStore;
  readonly bans: BanStore;
  readonly approvals: ApprovalStore;
  readonly audit: AuditStore;
  readonly incidents: IncidentStore;
  readonly reports: ReportStore;
  readonly intel: IntelCacheStore;
  readonly activity: ActivityQueries;
  readonly agent: AgentStore;
  readonly outbox: OutboxStore;
  readonly chats: ChatSettingsStore;
  /** Connections that never tried to log in, summed per address and ten minutes. */
  readonly scans: ScanStore;
  /** The same stores behind the records interface every consumer takes (see api.ts). */
  readonly records: RecordStore;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly db: Database,
    readonly readonly: boolean,
  ) {
    this.events = new EventStore(db);
    this.failureHistory = new OffThreadFailureHistory(
      new FailureHistoryStore(db),
      db.memory ? null : db.name,
    );
    this.findings = new FindingStore(db);
    this.positions = new PositionStore(db);
    this.status = new StatusStore(db);
    this.bans = new BanStore(db);
    this.audit = new AuditStore(db);
    this.approvals = new ApprovalStore(db, this.audit);
    this.incidents = new IncidentStore(db);
    this.reports = new ReportStore(db);
    this.intel = new IntelCacheStore(db);
    this.activity = new ActivityQueries(db);
    this.agent = new AgentStore(db);
    this.outbox = new OutboxStore(db);
    this.chats = new ChatSettingsStore(db);
    this.scans = new ScanStore(db);
    this.records = sqliteRecords(this);
  }

  /** Opens (creating and migrating when writable) the store at `path`. See openDatabase for errors. */
  static open(path: string, options: OpenOptions = {}): Store {
    return new Store(path, openDatabase(path, options), options.readonly ?? false);
  }

  /** Bytes on disk: the database file plus its write-ahead log. */
  sizeBytes(): number {
    if (this.db.memory) {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const size = this.db.pragma('page_size', { simple: true }) as number;
      return pages * size;
    }
    return fileSize(this.db.name) + fileSize(`${this.db.name}-wal`);
  }

  /** Retention in bounded chunks, yielding between them (the daemon). */
  prune(
    policy: RetentionPolicy,
    now: Millis,
    options?: RetentionOptions,
  ): Promise<RetentionResult> {
    return pruneEvents(this.db, policy, now, options);
  }

  pruneSync(policy: RetentionPolicy, now: Millis, options?: RetentionOptions): RetentionResult {
    return pruneEventsSync(this.db, policy, now, options);
  }

  /** Closes the database. Close the StoreWriter first, or its queue is not written. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failureHistory.close();
    if (!this.readonly && this.db.open) {
      try {
        this.db.pragma('optimize');
      } catch {
        // Best effort: a full or read-only disk must not stop a clean shutdown.
      }
    }
    if (this.db.open) this.db.close();
  }
}

export function openStore(path: string, options: OpenOptions = {}): Store {
  return Store.open(path, options);
}

/**
 * The SQLite stores as a RecordStore: each call runs at once and returns a
 * settled promise (a throw becomes a rejection, as it would from PostgreSQL).
 */
function sqliteRecords(store: Store): RecordStore {
  return {
    events: asyncOf(store.events),
    findings: asyncOf(store.findings),
    status: asyncOf(store.status),
    bans: asyncOf(store.bans),
    approvals: asyncOf(store.approvals),
    audit: asyncOf(store.audit),
    incidents: asyncOf(store.incidents),
    reports: asyncOf(store.reports),
    intel: asyncOf(store.intel),
    activity: asyncOf(store.activity),
    agent: asyncOf(store.agent),
    chats: asyncOf(store.chats),
    scans: asyncOf(store.scans),
    prune: (policy, now, options) => store.prune(policy, now, options),
    sizeBytes: () => settled(() => store.sizeBytes()),
    close: () => settled(() => store.close()),
  };
}

/** `target`'s public methods, each returning a promise of its result (a throw, a rejection). */
export function asyncOf<T extends object>(target: T): Async<T> {
  const out: Record<string, unknown> = {};
  const proto = Object.getPrototypeOf(target) as object;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const fn: unknown = Reflect.get(target, name);
    if (name === 'constructor' || typeof fn !== 'function') continue;
    out[name] = (...args: unknown[]) =>
      settled(() => (fn as (...a: unknown[]) => unknown).apply(target, args));
  }
  return Object.freeze(out) as Async<T>;
}

/** `run()`'s result as a settled promise; a throw becomes a rejection. */
function settled<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
