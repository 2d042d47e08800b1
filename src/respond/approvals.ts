/**
 * Human approval of actions. Anyone may `request` an action (a jail, an admin,
 * the analyst agent); only a human, through the CLI, Telegram or the web UI,
 * may `decide` — and every channel calls the same `decide`, so the rules hold
 * everywhere:
 *
 * - the decider must be authorised on that channel (an injected `authorize`);
 * - the id must exist, be pending and not expired (an expired one is marked so);
 * - the stored row must carry a valid MAC over ALL of it: what is shown to the
 *   admin (action, target, duration, reason, jail, evidence, who asked, when)
 *   and the decision (verdict, who, when, channel, execution). Every state
 *   change re-signs the row, so a row changed in the database (a status set to
 *   'approved' with SQL, an edited reason) never verifies: it is never
 *   executed, shown only as tampered, and reported once (audit
 *   'approval.tampered', a log error);
 * - the first decision wins, atomically (`UPDATE … WHERE mac = <the verified
 *   one>`), across processes: a replayed or second decision is refused with
 *   who decided first and when;
 * - every outcome, refusals included, is written to the audit log with why.
 *
 * The agent gets an `ApprovalRequester` (see `requesterOf`), which has no
 * `decide`; and 'agent' is not a `HumanChannel`, so `decide` cannot be called
 * on its behalf without a type error (and is refused at run time too).
 *
 * MAC input (UTF-8), HMAC-SHA256 with the key from respond/secret.ts, hex:
 *
 *   JSON.stringify(["sheriff-approval-v2", id, action, cidr, family, durationMs, reason,
 *     requestedBy, jail, evidence.findings, evidence.events, createdAt, expiresAt,
 *     status, decidedAt, decidedBy, channel, executedAt])
 *
 * with absent values null. JSON makes the encoding unambiguous. Rows from
 * before (schema < 4, "v1": only id, action, cidr, durationMs, expiresAt and
 * requestedBy were covered) are upgraded by `upgradeLegacy`.
 */
import { randomBytes } from 'node:crypto';
import type { ActionKind, ActionRequest, Millis } from '../domain.js';
import {
  HUMAN_CHANNELS,
  checkBanTarget,
  type ApprovalQuery,
  type AuditEntry,
  type HumanChannel,
  type StoredApproval,
} from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import { storePath } from '../config/paths.js';
import type { ResponseConfig } from './config.js';
import type { Logger } from '../log.js';
import { LEGACY_MAC_PREFIX, type ApprovalChange } from '../store/approvals.js';
import { loadSecret, type SecretKey } from './secret.js';

export type { ApprovalStatus, HumanChannel, StoredApproval } from '../store/index.js';

/** A stored approval as every channel shows it: `tampered` ones must not be shown as they read. */
export type ApprovalView = StoredApproval & { tampered: boolean };

export const DEFAULT_APPROVAL_TTL_MS = 15 * 60_000;
export const APPROVAL_ID_LENGTH = 12;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_PATTERN = /^[A-Za-z0-9]{1,16}$/;
const MAC_LABEL = 'sheriff-approval-v2';
const LEGACY_MAC_LABEL = 'sheriff-approval-v1';
const ACTIONS: ReadonlySet<string> = new Set<ActionKind>(['ban', 'unban', 'isolate', 'release']);

/** A stored approval still waiting for a decision. */
export type PendingApproval = StoredApproval & { status: 'pending' };

export type Decision = 'approve' | 'deny';

/** A human deciding: the channel they came through and who they are there. */
export interface Decider {
  channel: HumanChannel;
  /** A Unix user name (cli), a Telegram user id (telegram), a web account (web). */
  identity: string;
}

/** Whether `identity` may decide on `channel`. Must not throw; a throw counts as "no". */
export type Authorizer = (channel: HumanChannel, identity: string) => boolean;

export type DecideRefusal =
  | 'not-human' // the channel is not a human channel
  | 'unauthorised'
  | 'unknown' // no such id
  | 'already-decided' // approved, denied, expired or refused before
  | 'expired'
  | 'tampered'; // the stored row's MAC does not verify

export type DecideResult =
  | { ok: true; decision: Decision; approval: StoredApproval }
  | { ok: false; code: DecideRefusal; reason: string; approval: StoredApproval | null };

export interface AuthorizerConfig {
  /** Unix user names allowed on the CLI besides root. */
  cliUsers?: readonly string[];
  /** Telegram user ids allowed to decide. */
  telegramUsers?: readonly string[];
  /** Web UI accounts allowed to decide. */
  webUsers?: readonly string[];
}

/**
 * The usual authoriser: on the CLI root and `cliUsers`; on Telegram and the
 * web only the listed identities (none by default). The CLI must pass the
 * Unix user it runs as (os.userInfo().username), never a name from arguments.
 */
export function authorizer(config: AuthorizerConfig = {}): Authorizer {
  const cli = new Set(['root', ...(config.cliUsers ?? [])]);
  const telegram = new Set(config.telegramUsers ?? []);
  const web = new Set(config.webUsers ?? []);
  return (channel, identity) => {
    if (channel === 'cli') return cli.has(identity);
    if (channel === 'telegram') return telegram.has(identity);
    if (channel === 'web') return web.has(identity);
    return false;
  };
}

/**
 * The Approvals of a configuration, alike in every process (daemon, web console,
 * CLI): the store's key, the approval timeout, and who may decide on each
 * channel (response.approvers.cli, notify.telegram.users, web.user). Each caller
 * names its own channel when it decides, so nobody decides through another one.
 */
export interface ApprovalsConfig {
  /** The key lies beside the store's file. */
  store: { path?: string | undefined };
  response: Pick<ResponseConfig, 'approvers' | 'approvalTimeout'>;
  notify: { telegram?: { users: readonly string[] } | undefined };
  web: { user: string };
}

export function configuredApprovals(
  store: Backing,
  config: ApprovalsConfig,
  opts: { key?: SecretKey; logger?: Logger } = {},
): Approvals {
  return new Approvals(store, {
    key: opts.key ?? loadSecret({ storePath: storePath(config.store) }),
    authorize: authorizer({
      cliUsers: config.response.approvers.cli,
      telegramUsers: config.notify.telegram?.users ?? [],
      webUsers: [config.web.user],
    }),
    ttlMs: config.response.approvalTimeout,
    ...(opts.logger === undefined ? {} : { logger: opts.logger }),
  });
}

export interface ApprovalsOptions {
  key: SecretKey;
  authorize: Authorizer;
  /** How long a request waits for a decision. Default 15 minutes. */
  ttlMs?: number;
  /** Test hook: the id generator. Default 12 random characters of [A-Za-z0-9]. */
  newId?: () => string;
  /** Where a tampered approval is reported as an error (besides the audit log). */
  logger?: Logger;
}

/** What the agent (and anything else that may only ask) gets. */
export interface ApprovalRequester {
  request(action: ActionRequest, now: Millis): Promise<PendingApproval>;
}

/** A view of `approvals` that can only request: hand this, not Approvals, to the agent. */
export function requesterOf(approvals: Approvals): ApprovalRequester {
  return Object.freeze({ request: (a: ActionRequest, now: Millis) => approvals.request(a, now) });
}

/** A new approval id: 12 characters of [A-Za-z0-9] (≈71 bits), uniform. */
export function newApprovalId(length = APPROVAL_ID_LENGTH): string {
  let id = '';
  while (id.length < length) {
    for (const b of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
      if (b < 248) id += ID_ALPHABET[b % 62];
      if (id.length === length) break;
    }
  }
  return id;
}

/** The exact text the MAC covers: the whole row, the decision included. */
export function macInput(a: Omit<StoredApproval, 'mac'>): string {
  return JSON.stringify([
    MAC_LABEL,
    a.id,
    a.action,
    a.target?.cidr ?? null,
    a.target?.family ?? null,
    a.durationMs,
    a.reason,
    a.requestedBy,
    a.jail,
    a.evidence.findings,
    a.evidence.events,
    a.createdAt,
    a.expiresAt,
    a.status,
    a.decidedAt,
    a.decidedBy,
    a.channel,
    a.executedAt,
  ]);
}

/** What a row's MAC covered before schema 4 (no reason, no decision): only for the upgrade. */
function legacyMacInput(a: StoredApproval): string {
  return JSON.stringify([
    LEGACY_MAC_LABEL,
    a.id,
    a.action,
    a.target?.cidr ?? null,
    a.durationMs,
    a.expiresAt,
    a.requestedBy,
  ]);
}

type Backing = Pick<RecordStore, 'approvals' | 'audit'>;

/** Which pending approvals an "approve all" covers. */
export interface PendingFilter {
  jail?: string;
  /** Only those asked for at or before this time (what the admin had been shown). */
  createdUpTo?: Millis;
  /** Only these ids (what a page showed). */
  ids?: readonly string[];
}

export class Approvals {
  private readonly key: SecretKey;
  private readonly authorize: Authorizer;
  private readonly ttlMs: number;
  private readonly newId: () => string;
  private readonly logger: Logger | null;

  constructor(
    private readonly store: Backing,
    options: ApprovalsOptions,
  ) {
    this.key = options.key;
    this.authorize = options.authorize;
    this.ttlMs = options.ttlMs ?? DEFAULT_APPROVAL_TTL_MS;
    if (!(Number.isSafeInteger(this.ttlMs) && this.ttlMs > 0)) {
      throw new RangeError(`approval ttl must be a positive whole number of ms, not ${this.ttlMs}`);
    }
    this.newId = options.newId ?? (() => newApprovalId());
    this.logger = options.logger ?? null;
  }

  /** How long a request waits for a decision. */
  get ttl(): number {
    return this.ttlMs;
  }

  /**
   * Stores a request for a human decision, expiring `ttlMs` after `now`, and
   * audits it. Throws a TypeError for a malformed request.
   */
  async request(action: ActionRequest, now: Millis): Promise<PendingApproval> {
    checkRequest(action);
    const createdAt = Math.floor(now);
    const expiresAt = createdAt + this.ttlMs;
    const id = await this.unusedId();
    const row: Omit<StoredApproval, 'mac'> = {
      id,
      action: action.action,
      target: action.target === null ? null : { ...action.target },
      durationMs: action.durationMs,
      reason: action.reason,
      requestedBy: action.requestedBy,
      jail: action.jail,
      evidence: {
        findings: [...action.evidence.findings],
        events: [...action.evidence.events],
      },
      createdAt,
      expiresAt,
      status: 'pending',
      decidedAt: null,
      decidedBy: null,
      channel: null,
      executedAt: null,
    };
    // The row and its audit entry are written together (one transaction in the store).
    await this.store.approvals.insert(
      { ...row, mac: this.key.mac(macInput(row)) },
      {
        time: createdAt,
        actor: action.requestedBy,
        channel: null,
        action: 'approval.request',
        target: row.target?.cidr ?? null,
        outcome: 'ok',
        detail: {
          approval: id,
          action: row.action,
          durationMs: row.durationMs,
          jail: row.jail,
          reason: row.reason,
          evidence: row.evidence,
          expiresAt,
        },
      },
    );
    const stored = await this.store.approvals.get(id);
    if (stored === null) throw new Error(`approval ${id} vanished as it was stored`);
    return stored as PendingApproval;
  }

  /**
   * THE decision, for every channel. Approving returns the stored (verified)
   * approval: execute exactly that, after `markExecuted` claims it.
   */
  async decide(id: string, decision: Decision, who: Decider, now: Millis): Promise<DecideResult> {
    const at = Math.floor(now);
    const verb = decision === 'approve' ? 'approve' : 'deny';
    const shownId = typeof id === 'string' ? id.slice(0, 64) : String(id);
    // The row is read and verified, then changed only if it still carries the verified
    // MAC (the store's compare-and-set): the first decision wins, even across processes.
    const refuse = async (
      code: DecideRefusal,
      reason: string,
      approval: StoredApproval | null,
    ): Promise<DecideResult> => {
      await this.audit({
        time: at,
        actor: String(who.identity),
        channel: String(who.channel),
        action: `approval.${verb}`,
        target: approval === null || code === 'tampered' ? null : (approval.target?.cidr ?? null),
        outcome: 'refused',
        detail: { approval: shownId, code, why: reason },
      });
      return { ok: false, code, reason, approval };
    };

    if (!HUMAN_CHANNELS.has(who.channel)) {
      return refuse(
        'not-human',
        `"${String(who.channel)}" is not a human channel: only cli, telegram or web can decide`,
        null,
      );
    }
    if (typeof who.identity !== 'string' || who.identity === '' || !this.allowed(who)) {
      return refuse(
        'unauthorised',
        `${String(who.identity)} is not allowed to decide approvals on ${who.channel}`,
        null,
      );
    }
    const row =
      typeof id === 'string' && ID_PATTERN.test(id) ? await this.store.approvals.get(id) : null;
    if (row === null) return refuse('unknown', `no approval with id "${shownId}"`, null);
    // Before anything the row says (its status included) is believed.
    if (!(await this.check(row, at))) {
      return refuse(
        'tampered',
        `approval ${row.id} does not match its MAC: it was changed in the database ` +
          '(or the secret key changed); refusing it',
        null,
      );
    }
    if (row.status !== 'pending') return refuse('already-decided', alreadyDecided(row), row);
    if (at >= row.expiresAt) {
      const expired = await this.transition(row, { status: 'expired', decidedAt: at });
      return refuse(
        'expired',
        `approval ${row.id} expired at ${iso(row.expiresAt)}`,
        expired ?? (await this.store.approvals.get(row.id)),
      );
    }
    const decided = await this.transition(
      row,
      {
        status: decision === 'approve' ? 'approved' : 'denied',
        decidedAt: at,
        decidedBy: who.identity,
        channel: who.channel,
      },
      {
        time: at,
        actor: who.identity,
        channel: who.channel,
        action: `approval.${verb}`,
        target: row.target?.cidr ?? null,
        outcome: 'ok',
        detail: {
          approval: row.id,
          action: row.action,
          durationMs: row.durationMs,
          requestedBy: row.requestedBy,
        },
      },
    );
    if (decided === null) {
      const now = await this.store.approvals.get(row.id);
      return refuse(
        'already-decided',
        now === null ? 'approval vanished' : alreadyDecided(now),
        now,
      );
    }
    return { ok: true, decision, approval: decided };
  }

  /**
   * "Approve all": `decide` for each of `ids`, one at a time, so each is
   * checked, decided and audited on its own, exactly as if pressed one by one.
   */
  async decideAll(
    ids: readonly string[],
    decision: Decision,
    who: Decider,
    now: Millis,
  ): Promise<DecideResult[]> {
    const results: DecideResult[] = [];
    for (const id of ids) results.push(await this.decide(id, decision, who, now));
    return results;
  }

  /** Whether the stored row still carries its MAC (nothing in it was changed). */
  verify(approval: StoredApproval): boolean {
    return this.key.verify(macInput(approval), approval.mac);
  }

  /** The stored row, flagged when it does not match its MAC. */
  async get(id: string): Promise<ApprovalView | null> {
    const row = ID_PATTERN.test(id) ? await this.store.approvals.get(id) : null;
    return row === null ? null : this.view(row);
  }

  /** Newest first, each flagged when it does not match its MAC. */
  async list(q: ApprovalQuery = {}): Promise<ApprovalView[]> {
    return (await this.store.approvals.list(q)).map((row) => this.view(row));
  }

  /** The pending approvals `filter` selects (intact and tampered), oldest first. */
  async pending(filter: PendingFilter = {}): Promise<ApprovalView[]> {
    const ids = filter.ids === undefined ? null : new Set(filter.ids);
    return (await this.list({ status: 'pending', limit: 10_000 }))
      .filter(
        (a) =>
          (filter.jail === undefined || a.jail === filter.jail) &&
          (filter.createdUpTo === undefined || a.createdAt <= filter.createdUpTo) &&
          (ids === null || ids.has(a.id)),
      )
      .reverse();
  }

  /** Approved actions not yet executed whose MAC verifies (tampered ones are reported, never returned). */
  async executable(now: Millis): Promise<StoredApproval[]> {
    const approved = (
      await this.store.approvals.list({ status: 'approved', limit: 10_000 })
    ).filter((a) => a.executedAt === null);
    return this.intact(approved, now);
  }

  /** Approvals that expired or were denied at or after `since` (intact ones only), oldest first. */
  async closedSince(since: Millis, now: Millis): Promise<StoredApproval[]> {
    return this.intact(await this.store.approvals.closedSince(since), now);
  }

  /** Marks every pending approval whose time ran out as expired, audits each; returns them. */
  async expireDue(now: Millis): Promise<StoredApproval[]> {
    const at = Math.floor(now);
    const expired: StoredApproval[] = [];
    for (const a of await this.intact(await this.store.approvals.due(at), at)) {
      const closed = await this.transition(
        a,
        { status: 'expired', decidedAt: at },
        {
          time: at,
          actor: 'system',
          channel: null,
          action: 'approval.expire',
          target: a.target?.cidr ?? null,
          outcome: 'ok',
          detail: { approval: a.id, expiresAt: a.expiresAt },
        },
      );
      if (closed !== null) expired.push(closed);
    }
    return expired;
  }

  /**
   * Claims an approved action for execution: true exactly once per approval,
   * and only while its MAC verifies. Call it BEFORE running the action, so
   * two executors never both run it; audit the firewall's result separately.
   */
  async markExecuted(id: string, now: Millis): Promise<boolean> {
    const at = Math.floor(now);
    const row = ID_PATTERN.test(id) ? await this.store.approvals.get(id) : null;
    const intact = row !== null && (await this.check(row, at));
    const refuse = async (why: string): Promise<false> => {
      await this.audit({
        time: at,
        actor: 'system',
        channel: null,
        action: 'approval.execute',
        target: intact ? (row.target?.cidr ?? null) : null,
        outcome: 'refused',
        detail: { approval: id.slice(0, 64), why },
      });
      return false;
    };
    if (row === null) return refuse('no such approval');
    if (!intact) return refuse('the approval does not match its MAC');
    if (row.status !== 'approved') return refuse(`the approval is ${row.status}, not approved`);
    if (row.executedAt !== null) return refuse(`already executed at ${iso(row.executedAt)}`);
    const claimed = await this.transition(
      row,
      { executedAt: at },
      {
        time: at,
        actor: 'system',
        channel: null,
        action: 'approval.execute',
        target: row.target?.cidr ?? null,
        outcome: 'ok',
        detail: { approval: row.id, action: row.action, approvedBy: row.decidedBy },
      },
    );
    return claimed === null ? refuse('already executed') : true;
  }

  /**
   * An approved (not yet executed) or pending action that must not run after
   * all — a guardrail refused it. Marks it 'refused' and audits `why`.
   */
  async refuse(id: string, why: string, now: Millis): Promise<boolean> {
    const at = Math.floor(now);
    const row = ID_PATTERN.test(id) ? await this.store.approvals.get(id) : null;
    if (row === null || !(await this.check(row, at))) return false;
    const open = row.status === 'pending' || (row.status === 'approved' && row.executedAt === null);
    if (!open) return false;
    // A pending one was closed by nobody; an approved one keeps who approved it.
    const changed = await this.transition(
      row,
      row.status === 'pending' ? { status: 'refused', decidedAt: at } : { status: 'refused' },
      {
        time: at,
        actor: 'system',
        channel: null,
        action: 'approval.refuse',
        target: row.target?.cidr ?? null,
        outcome: 'refused',
        detail: { approval: row.id, why },
      },
    );
    return changed !== null;
  }

  /**
   * Rows signed before the MAC covered decisions (schema 4 marked them "v1:")
   * get a MAC of the new kind only where the old one verifies: a pending one
   * stays pending; one approved but never executed is expired (its decision
   * was never signed, so it must be asked again); the rest is history, signed
   * as it is. A row whose old MAC fails stays unsigned: it shows as tampered.
   * Each change is audited. Runs wherever the key is loaded; returns how many.
   */
  async upgradeLegacy(now: Millis): Promise<number> {
    const at = Math.floor(now);
    let n = 0;
    for (const row of await this.store.approvals.legacy()) {
      const old = row.mac.slice(LEGACY_MAC_PREFIX.length);
      if (!this.key.verify(legacyMacInput(row), old)) continue;
      const stale =
        (row.status === 'pending' && at >= row.expiresAt) ||
        (row.status === 'approved' && row.executedAt === null);
      const audit: AuditEntry = {
        time: at,
        actor: 'system',
        channel: null,
        action: 'approval.upgrade',
        target: row.target?.cidr ?? null,
        outcome: 'ok',
        detail: {
          approval: row.id,
          was: row.status,
          now: stale ? 'expired' : row.status,
          ...(stale
            ? {
                why:
                  row.status === 'pending'
                    ? 'expired while Sheriff was being upgraded'
                    : 'approved before the upgrade but never carried out: ask again',
              }
            : {}),
        },
      };
      const upgraded = stale
        ? (await this.transition(
            row,
            { status: 'expired', decidedAt: at, decidedBy: null, channel: null },
            audit,
          )) !== null
        : await this.store.approvals.resign(row.id, row.mac, this.key.mac(macInput(row)), audit);
      if (upgraded) n++;
    }
    return n;
  }

  /**
   * Whether the row matches its MAC. The first time one does not, it is
   * reported: audit 'approval.tampered' and a log error. Nothing it says is
   * repeated in the report, since any of it may be the forgery.
   */
  private async check(row: StoredApproval, at: Millis): Promise<boolean> {
    if (this.verify(row)) return true;
    const first = await this.store.approvals.markTampered(row.id, at, {
      time: Math.floor(at),
      actor: 'system',
      channel: null,
      action: 'approval.tampered',
      target: null,
      outcome: 'refused',
      detail: {
        approval: row.id,
        why: 'tampered approval: the row does not match its MAC (changed in the database, or the secret key changed); it will never be carried out',
      },
    });
    if (first) {
      this.logger?.error(
        { event: 'approval_tampered', approval: row.id },
        'tampered approval: a row in the approvals table does not match its MAC; it will never be carried out',
      );
    }
    return false;
  }

  /** The rows whose MAC verifies, in order; the others are reported (check). */
  private async intact(rows: readonly StoredApproval[], at: Millis): Promise<StoredApproval[]> {
    const out: StoredApproval[] = [];
    for (const row of rows) if (await this.check(row, at)) out.push(row);
    return out;
  }

  /** Pure, so a read-only listing can flag tampering; reporting it is for the paths that act (check). */
  private view(row: StoredApproval): ApprovalView {
    return { ...row, tampered: !this.verify(row) };
  }

  /** Moves a verified row to its next state, signed; null when the row changed meanwhile. */
  /** `audit`, when given, is written with the change (and only if the row changed). */
  private async transition(
    row: StoredApproval,
    change: Partial<Omit<ApprovalChange, 'mac'>>,
    audit?: AuditEntry,
  ): Promise<StoredApproval | null> {
    const next: StoredApproval = { ...row, ...change };
    next.mac = this.key.mac(macInput(next));
    return (await this.store.approvals.change(row.id, row.mac, next, audit)) ? next : null;
  }

  /** A fresh id; a collision (≈2^-71 per pair) just draws again (the insert refuses a duplicate). */
  private async unusedId(): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = this.newId();
      if (!ID_PATTERN.test(id)) throw new TypeError(`invalid approval id "${id}"`);
      if ((await this.store.approvals.get(id)) === null) return id;
    }
    throw new Error('could not draw an unused approval id');
  }

  private allowed(who: Decider): boolean {
    try {
      return this.authorize(who.channel, who.identity) === true;
    } catch {
      return false;
    }
  }

  private async audit(entry: AuditEntry): Promise<void> {
    await this.store.audit.append(entry);
  }
}

function alreadyDecided(a: StoredApproval): string {
  const when = a.decidedAt === null ? '' : ` at ${iso(a.decidedAt)}`;
  switch (a.status) {
    case 'approved':
    case 'denied':
      return `approval ${a.id} was already ${a.status} by ${a.decidedBy ?? 'someone'}${a.channel === null ? '' : ` (${a.channel})`}${when}`;
    case 'expired':
      return `approval ${a.id} already expired${when}`;
    case 'refused':
      return `approval ${a.id} was already refused${when}`;
    default:
      return `approval ${a.id} is ${String(a.status)}`;
  }
}

function iso(t: Millis): string {
  return new Date(t).toISOString();
}

function checkRequest(a: ActionRequest): void {
  const bad = (what: string) => new TypeError(`invalid action request: ${what}`);
  if (!ACTIONS.has(a.action)) throw bad(`action ${String(a.action)}`);
  if (a.action === 'ban' || a.action === 'unban') {
    if (a.target === null || typeof a.target !== 'object') throw bad(`${a.action} needs a target`);
    checkBanTarget(a.target);
  } else if (a.target !== null) {
    throw bad(`${a.action} takes no target`);
  }
  if (a.durationMs !== null && !(Number.isSafeInteger(a.durationMs) && a.durationMs > 0)) {
    throw bad(`durationMs ${String(a.durationMs)}`);
  }
  if (typeof a.reason !== 'string') throw bad('reason is not a string');
  if (typeof a.requestedBy !== 'string' || a.requestedBy === '') throw bad('requestedBy is empty');
  if (a.jail !== null && typeof a.jail !== 'string') throw bad('jail is not a string or null');
  const ids = (v: unknown) => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x));
  if (!ids(a.evidence?.findings) || !ids(a.evidence?.events)) {
    throw bad('evidence must list finding and event ids');
  }
}
