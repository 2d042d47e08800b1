/**
 * The records store every consumer reads and writes (incidents, approvals,
 * bans, the report, the analyst, the console), as one asynchronous interface
 * with two implementations: SQLite on a single host or a sensor (the `Store`
 * in index.ts, whose calls complete at once) and PostgreSQL at the fleet's hub
 * (store/pg/), where every call is a round trip. One contract suite runs
 * against both (store/contract.ts).
 *
 * The interface is derived from the SQLite stores' own method signatures, so
 * the two implementations cannot drift apart: a method added to a SQLite store
 * is a compile error in the PostgreSQL one until it is written there too.
 * What only a host's own process needs (the source cursors, the writer's
 * transaction, the notification outbox, the days-long failure search) stays
 * off this interface.
 */
import type { Millis } from '../domain.js';
import type { ActivityQueries } from './activity.js';
import type { AgentStore } from './agent.js';
import type { ApprovalStore } from './approvals.js';
import type { AuditStore } from './audit.js';
import type { BanStore } from './bans.js';
import type { ChatSettingsStore } from './chats.js';
import type { EventStore } from './events.js';
import type { FindingStore } from './findings.js';
import type { IncidentStore } from './incidents.js';
import type { IntelCacheStore } from './intel.js';
import type { ReportStore } from './reports.js';
import type { RetentionOptions, RetentionPolicy, RetentionResult } from './retention.js';
import type { ScanStore } from './scans.js';
import type { StatusStore } from './status.js';

/** T's methods, each returning a promise of what the synchronous one returns. */
export type Async<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export interface RecordStore {
  readonly events: Async<EventStore>;
  readonly findings: Async<FindingStore>;
  readonly status: Async<StatusStore>;
  readonly bans: Async<BanStore>;
  readonly approvals: Async<ApprovalStore>;
  readonly audit: Async<AuditStore>;
  readonly incidents: Async<IncidentStore>;
  readonly reports: Async<ReportStore>;
  readonly intel: Async<IntelCacheStore>;
  readonly activity: Async<ActivityQueries>;
  readonly agent: Async<AgentStore>;
  readonly chats: Async<ChatSettingsStore>;
  readonly scans: Async<ScanStore>;
  /** Retention in bounded chunks. */
  prune(policy: RetentionPolicy, now: Millis, options?: RetentionOptions): Promise<RetentionResult>;
  /** Bytes the store takes on disk. */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}
