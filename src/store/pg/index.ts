/**
 * The records store on PostgreSQL, for the fleet's hub: `openPgStore(url)`
 * connects, brings the schema up to date (migrations.ts) and returns a
 * RecordStore with the SQLite store's semantics (store/contract.ts runs the
 * same suite against both).
 */
import type { Millis } from '../../domain.js';
import { StoreOpenError } from '../errors.js';
import { SchemaTooNewError } from '../migrations.js';
import type { RecordStore } from '../api.js';
import type { RetentionOptions, RetentionPolicy, RetentionResult } from '../retention.js';
import { PgActivityQueries, PgScanStore } from './activity.js';
import { PgAgentStore } from './agent.js';
import { PgApprovalStore, PgAuditStore } from './approvals.js';
import { PgBanStore } from './bans.js';
import { createPool, row } from './db.js';
import { PgEventStore } from './events.js';
import { PgIncidentStore } from './incidents.js';
import { migratePg } from './migrations.js';
import { Partitions } from './partitions.js';
import {
  PgChatSettingsStore,
  PgFindingStore,
  PgIntelCacheStore,
  PgReportStore,
  PgStatusStore,
} from './records.js';
import { prunePgEvents } from './retention.js';
import type pg from 'pg';

export { transaction, type Queryable } from './db.js';
export { insertEventRows } from './events.js';
export { PG_MIGRATIONS, migratePg } from './migrations.js';
export { insertFindingRow } from './records.js';

export interface PgStoreOptions {
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
  /** The password, kept out of the URL the admin writes (else pg's PGPASSWORD, ~/.pgpass). */
  password?: string;
}

export class PgRecordStore implements RecordStore {
  readonly events: PgEventStore;
  readonly findings: PgFindingStore;
  readonly status: PgStatusStore;
  readonly bans: PgBanStore;
  readonly approvals: PgApprovalStore;
  readonly audit: PgAuditStore;
  readonly incidents: PgIncidentStore;
  readonly reports: PgReportStore;
  readonly intel: PgIntelCacheStore;
  readonly activity: PgActivityQueries;
  readonly agent: PgAgentStore;
  readonly chats: PgChatSettingsStore;
  readonly scans: PgScanStore;
  /**
   * The pool and the events' day partitions, for hub tables built beside
   * these on the same database (a sensor's rows stored with its seq in one
   * transaction: insertEventRows, insertFindingRow).
   */
  readonly partitions: Partitions;
  private closed = false;

  constructor(readonly pool: pg.Pool) {
    this.partitions = new Partitions(pool);
    this.events = new PgEventStore(pool, this.partitions);
    this.findings = new PgFindingStore(pool);
    this.status = new PgStatusStore(pool);
    this.bans = new PgBanStore(pool);
    this.approvals = new PgApprovalStore(pool);
    this.audit = new PgAuditStore(pool);
    this.incidents = new PgIncidentStore(pool);
    this.reports = new PgReportStore(pool);
    this.intel = new PgIntelCacheStore(pool);
    this.activity = new PgActivityQueries(pool);
    this.agent = new PgAgentStore(pool);
    this.chats = new PgChatSettingsStore(pool);
    this.scans = new PgScanStore(pool);
  }

  /** Retention by day partition (retention.ts). */
  prune(
    policy: RetentionPolicy,
    now: Millis,
    options?: RetentionOptions,
  ): Promise<RetentionResult> {
    return prunePgEvents(this.pool, this.partitions, policy, now, options);
  }

  /** Bytes the database takes on disk. */
  async sizeBytes(): Promise<number> {
    const r = await row<{ n: number }>(
      this.pool,
      'SELECT pg_database_size(current_database()) AS n',
    );
    return r?.n ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * Connects to `url` (postgres://user@host:port/db), migrates, and returns the
 * store. A database written by a newer Sheriff is refused (SchemaTooNewError).
 */
export async function openPgStore(
  url: string,
  options: PgStoreOptions = {},
): Promise<PgRecordStore> {
  const where = redactUrl(url);
  const pool = createPool(withPassword(url, options.password), options.maxConnections);
  try {
    await migratePg(pool, undefined, `the PostgreSQL store at ${where}`);
  } catch (err) {
    await pool.end().catch(() => undefined);
    const newer = err instanceof SchemaTooNewError;
    const code = (err as { code?: unknown }).code;
    throw new StoreOpenError(
      where,
      newer ? err.message : `cannot open the store at ${where}: ${(err as Error).message}`,
      typeof code === 'string' ? code : null,
      newer ? 'newer' : 'other',
      { cause: err },
    );
  }
  return new PgRecordStore(pool);
}

/**
 * `url` with `password` as its query parameter: pg lets a connection string's
 * (empty) password override one given beside it, and a unix-socket URL
 * (postgresql:///db?host=/run/postgresql) has no user info to put it in.
 */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const u = new URL(url);
  u.searchParams.set('password', password);
  return u.toString();
}

/** The URL to name in messages: never its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return 'the configured PostgreSQL URL (not a valid URL)';
  }
}
