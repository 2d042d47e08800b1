/**
 * Findings become actions. A jail's policy decides: `notify` alerts only,
 * `approve` asks a human (an approval any channel can decide), `auto` bans at
 * once through the guardrails and the circuit breaker. Approved actions are
 * executed here and nowhere else, so the firewall changes from one place, and a
 * ban is marked applied only after the backend confirmed it.
 */
import { findingReason, lapseReason } from './reasons.js';
import { isInternalFinding, type BanTarget, type Finding, type Millis } from '../domain.js';
import type { Logger } from '../log.js';
import type { StoredApproval, StoredBan } from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import { isEnforced } from '../store/bans.js';
import type { Approvals } from './approvals.js';
import { bantimeFor } from './bantime.js';
import { recidive, type BanPlan, type RecidiveSettings } from './recidive.js';
import { parseCidr } from '../net/cidr.js';
import { canIsolate, type ConnectionKiller, type Firewall } from './firewall/firewall.js';
import type { Guardrails } from './guardrails.js';
import { ResponseTrace, type FindingResponse } from './trace.js';
import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';

export type Policy = 'notify' | 'approve' | 'auto';

export interface JailResponse {
  policy: Policy;
  /** First ban length for this jail. */
  bantime: number;
  /** The jail's findtime: a deny holds at least this long (default: the approval timeout). */
  findtime?: number;
}

export interface ResponseSettings {
  increment: { factor: number; max: number };
  /** Repeat bans across jails make a longer one (recidive.ts); absent or null: off. */
  recidive?: RecidiveSettings | null;
  killConnections: boolean;
  /** Who may still reach the host under isolation, and on which ports. */
  admins: readonly string[];
  managementPorts: readonly number[];
  /** Isolation undoes itself this long after it was applied unless an admin confirms it. */
  isolateRevertAfter: number;
}

/** The host's isolation, as kept in the store's status table. */
export interface IsolationState {
  appliedAt: Millis;
  revertAt: Millis | null;
  by: string;
}

export const ISOLATION_KEY = 'isolation';

/** What the responder tells the admin (every channel words it from i18n). */
export type ResponseAlert =
  | { type: 'approval'; approval: StoredApproval; finding: Finding | null }
  | { type: 'approval-expired'; approval: StoredApproval }
  | { type: 'banned'; ban: StoredBan }
  | { type: 'ban-failed'; target: BanTarget; error: string }
  | { type: 'refused'; target: BanTarget; reason: string }
  | { type: 'unbanned'; target: BanTarget; reason: string }
  | { type: 'not-effective'; ban: StoredBan; failures: number }
  /** enforced: false when a dry-run firewall isolated nothing. */
  | { type: 'isolated'; state: IsolationState; enforced: boolean }
  | { type: 'released'; reason: string };

export interface ResponderOptions {
  store: Pick<RecordStore, 'bans' | 'status' | 'audit'>;
  approvals: Approvals;
  guardrails: Guardrails;
  firewall: Firewall & Partial<ConnectionKiller>;
  jails: ReadonlyMap<string, JailResponse>;
  settings: ResponseSettings;
  clock: () => Millis;
  logger: Logger;
  alert: (a: ResponseAlert) => void;
  /** Where each finding's trace goes (finding → approval → ban); default the global (no-op) one. */
  tracer?: Tracer;
}

/** Failures still arriving this long after a ban was applied mean the ban does not work. */
const NOT_EFFECTIVE_GRACE_MS = 3000;
/** How long an expired or denied request is remembered for its address. */
const LAPSE_MEMORY_MS = 86_400_000;
const MAX_LAPSES = 10_000;
/** Expiries and denials are looked for this far back, for another process's clock (CLI, web). */
const LAPSE_SCAN_SLACK_MS = 60_000;
/** Pending approvals read for alreadyHandled() at most (the store's largest page). */
const MAX_PENDING_READ = 10_000;

/**
 * A ban request that expired or was denied. Detection reports an attack once
 * per episode, so an attacker who keeps failing makes no new finding: the
 * responder remembers the address and asks again on its next failure — at once
 * after an expiry, and only after `holdUntil` after a deny (the admin said no).
 */
interface Lapse {
  approval: StoredApproval;
  jail: string;
  holdUntil: Millis;
}

export function targetOf(f: Pick<Finding, 'ip' | 'scope'>): BanTarget {
  if (f.scope === 'prefix') return { cidr: f.ip, family: f.ip.includes(':') ? 6 : 4 };
  const v6 = f.ip.includes(':');
  return { cidr: `${f.ip}/${v6 ? 128 : 32}`, family: v6 ? 6 : 4 };
}

/** A ban the fleet's hub decided, as this host applies it. */
export interface FleetBan {
  /** The decision's id. */
  id: string;
  target: BanTarget;
  expiresAt: Millis | null;
  reason: string;
}

/** What became of a fleet decision here (the sensor confirms it to the hub). */
export interface FleetOutcome {
  outcome: 'applied' | 'removed' | 'refused' | 'failed' | 'expired';
  /** The guardrail's reason or the firewall's error. */
  reason: string | null;
}

const FLEET_PREFIX = 'fleet:';

/** Who a fleet decision's ban was requested by, as the bans table keeps it. */
export function fleetRequester(decisionId: string): string {
  return `${FLEET_PREFIX}${decisionId}`;
}

export class Responder {
  /** Active, applied bans by CIDR, for the "ban not effective" check on every failure. */
  private applied = new Map<string, StoredBan & { failuresAfter: number; warned: boolean }>();
  private busy: Promise<void> = Promise.resolve();
  /** Findings and failures are answered one at a time, in order (a request reads, then writes). */
  private asking: Promise<void> = Promise.resolve();
  /** Lapsed requests by target CIDR, oldest first; and ids already looked at, with when they closed. */
  private readonly lapses = new Map<string, Lapse>();
  /** The prefix lengths of lapsed IPv6 prefixes (usually just 64), so a failure looks up each once. */
  private lapsedV6Bits: readonly string[] = [];
  private readonly lapseSeen = new Map<string, Millis>();
  private lapseScannedTo: Millis | null = null;
  /** Expiries before this (before the daemon started) were announced by the one before, or are old news. */
  private readonly announceFrom: Millis;
  private readonly trace: ResponseTrace;
  /**
   * What alreadyHandled() answers from: read from the store at the first finding after
   * each tick (which sees what other processes decided or asked), plus what this
   * responder asked for or banned since.
   */
  private handled: Set<string> | null = null;

  constructor(private readonly o: ResponderOptions) {
    this.announceFrom = o.clock();
    this.trace = new ResponseTrace(o.tracer ?? trace.getTracer('sheriff.respond'), o.clock);
  }

  /**
   * A finding from detection. Quick: the answer (a request, a ban) runs in the
   * background, findings in order, the firewall work in order too.
   */
  onFinding(finding: Finding, findingId: number | null): void {
    const span = this.trace.finding(finding, findingId);
    void this.ask(async () => {
      try {
        span.setAttribute('sheriff.response', await this.respond(finding, findingId, span));
      } finally {
        span.end(this.o.clock());
      }
    });
  }

  /** Resolves once every finding and failure seen so far has been answered (requests stored, bans queued). */
  settled(): Promise<void> {
    return this.asking;
  }

  private async respond(
    finding: Finding,
    findingId: number | null,
    span: Span,
  ): Promise<FindingResponse> {
    const jail = this.o.jails.get(finding.jail);
    // Trusted and internal addresses are never banned: not even asked about.
    if (jail === undefined || jail.policy === 'notify' || isInternalFinding(finding.kind))
      return 'no-response';
    span.setAttribute('sheriff.policy', jail.policy);
    const target = targetOf(finding);
    const now = this.o.clock();
    if (await this.alreadyHandled(target.cidr, now)) return 'already-handled';
    const held = this.lapses.get(target.cidr);
    // A deny holds: the same attack is not put to the admin again before its time.
    if (jail.policy === 'approve' && held !== undefined && now < held.holdUntil) return 'held';
    const offence = await this.o.store.bans.offences(target.cidr);
    const plan = await this.plan(
      jail,
      target.cidr,
      offence,
      findingReason(finding.kind, finding.count),
    );
    if (jail.policy === 'approve') {
      const approval = await this.o.approvals.request(
        {
          action: 'ban',
          target,
          durationMs: plan.durationMs,
          reason: plan.reason,
          requestedBy: `jail:${finding.jail}`,
          jail: finding.jail,
          evidence: { findings: findingId === null ? [] : [findingId], events: [] },
        },
        now,
      );
      this.handled?.add(target.cidr);
      this.trace.requested(approval, span);
      await this.noteRecidive(plan, target.cidr, finding.jail, approval.id);
      this.o.alert({ type: 'approval', approval, finding });
      return 'approval-requested';
    }
    const attributes = {
      'sheriff.target': target.cidr,
      ...(plan.durationMs === null ? {} : { 'sheriff.ban.duration_ms': plan.durationMs }),
    };
    void this.enqueue(() =>
      this.trace.action('ban', span, attributes, async (banSpan) => {
        const guard = await this.o.guardrails.check(target, this.o.clock(), { automatic: true });
        if (!guard.ok) {
          banSpan.setAttribute('sheriff.ban.outcome', 'refused');
          return this.refused(target, guard.reason, `jail:${finding.jail}`);
        }
        await this.noteRecidive(plan, target.cidr, finding.jail, null);
        await this.ban(
          target,
          plan.durationMs,
          plan.reason,
          `policy:auto:${finding.jail}`,
          null,
          finding.jail,
          offence,
          banSpan,
        );
      }),
    );
    return 'automatic';
  }

  /**
   * A failure from `ip`: if a request for it lapsed, it keeps failing, so ask
   * again; if it is banned and the ban was applied a while ago, the ban does
   * not work.
   */
  onFailure(ip: string, time: Millis): void {
    if (this.lapses.size > 0) void this.ask(() => this.askAgain(ip));
    // A dry-run firewall blocks nothing by design: failures after its "bans" are expected.
    if (this.applied.size === 0 || this.o.firewall.id === 'dry-run') return;
    const ban = this.applied.get(`${ip}/${ip.includes(':') ? 128 : 32}`);
    if (
      ban === undefined ||
      ban.appliedAt === null ||
      time < ban.appliedAt + NOT_EFFECTIVE_GRACE_MS
    )
      return;
    ban.failuresAfter++;
    if (!ban.warned && ban.failuresAfter >= 2) {
      ban.warned = true;
      this.o.logger.error(
        { event: 'ban_not_effective', cidr: ban.target.cidr, failures: ban.failuresAfter },
        'failures keep arriving from a banned address',
      );
      this.o.alert({ type: 'not-effective', ban, failures: ban.failuresAfter });
    }
  }

  /** Executes approved actions, applies bans a failed backend left pending, removes expired ones. */
  tick(): Promise<void> {
    // Findings seen before the tick are answered first (their requests stored, their bans queued).
    return this.asking.then(() => this.tickStep());
  }

  private tickStep(): Promise<void> {
    return this.enqueue(async () => {
      const now = this.o.clock();
      this.handled = null; // read again: other processes decide and ask too
      await this.o.approvals.expireDue(now);
      await this.noteLapses(now);
      // Only approvals whose signed decision verifies; a forged one is reported, never run.
      for (const a of await this.o.approvals.executable(now)) await this.execute(a);
      for (const b of await this.o.store.bans.pending()) {
        if (b.expiresAt !== null && b.expiresAt <= now)
          await this.o.store.bans.markRemoved(b.id, now, 'expired before it could be applied');
        else await this.apply(b);
      }
      const expired = await this.o.store.bans.expired(now);
      if (expired.length > 0) {
        try {
          await this.o.firewall.unban(expired.map((b) => b.target));
        } catch (err) {
          this.o.logger.error(
            { event: 'unban_failed', err },
            'expired bans could not be removed; retrying',
          );
          return;
        }
        for (const b of expired) {
          await this.o.store.bans.markRemoved(b.id, now, 'expired');
          await this.audit('ban.expire', 'system', b.target.cidr, 'ok', { ban: b.id });
          this.o.alert({ type: 'unbanned', target: b.target, reason: 'expired' });
        }
      }
      await this.revertIsolationIfDue(now);
      await this.refreshApplied(now);
    });
  }

  /** The isolation in force, if any. */
  async isolation(): Promise<IsolationState | null> {
    const entry = await this.o.store.status.get(ISOLATION_KEY);
    return (entry?.value as IsolationState | null | undefined) ?? null;
  }

  private async revertIsolationIfDue(now: Millis): Promise<void> {
    const state = await this.isolation();
    if (state === null || state.revertAt === null || now < state.revertAt) return;
    await this.release('not confirmed in time: isolation reverted by itself', 'system');
  }

  private async isolate(by: string): Promise<void> {
    const fw = this.o.firewall;
    if (!canIsolate(fw))
      throw new Error(`the ${fw.id} firewall cannot isolate the host (use nftables)`);
    const admins = this.o.settings.admins.map((a) => {
      const c = parseCidr(a);
      return { cidr: c.text, family: c.family };
    });
    await fw.isolate(admins, this.o.settings.managementPorts);
    const now = this.o.clock();
    const state: IsolationState = {
      appliedAt: now,
      revertAt: now + this.o.settings.isolateRevertAfter,
      by,
    };
    await this.o.store.status.put(ISOLATION_KEY, state, now);
    await this.audit('host.isolate', by, null, 'ok', {
      revertAt: state.revertAt,
      admins: this.o.settings.admins,
    });
    this.o.logger.warn(
      { event: 'isolated', ...state },
      'the host is isolated: only admin addresses reach the management ports',
    );
    this.o.alert({ type: 'isolated', state, enforced: fw.id !== 'dry-run' });
  }

  private async release(reason: string, by: string): Promise<void> {
    const fw = this.o.firewall;
    if (canIsolate(fw)) await fw.release();
    await this.o.store.status.put(ISOLATION_KEY, null, this.o.clock());
    await this.audit('host.release', by, null, 'ok', { reason });
    this.o.logger.warn({ event: 'released', reason }, 'the host is no longer isolated');
    this.o.alert({ type: 'released', reason });
  }

  /**
   * Makes the firewall hold exactly the store's active bans: re-applies missing ones with their
   * remaining time (a flushed ruleset, a restart), removes ones the store does not know.
   */
  reconcile(): Promise<void> {
    return this.enqueue(async () => {
      const now = this.o.clock();
      await this.o.firewall.setup();
      const held = new Map((await this.o.firewall.list()).map((e) => [e.target.cidr, e]));
      const active = await this.o.store.bans.active(now);
      const missing = active.filter((b) => !held.has(b.target.cidr));
      if (missing.length > 0) {
        await this.o.firewall.ban(
          missing.map((b) => ({ target: b.target, expiresAt: b.expiresAt })),
        );
        this.o.logger.warn(
          { event: 'bans_restored', count: missing.length },
          'bans missing from the firewall were restored',
        );
        await this.audit('firewall.restore', 'system', null, 'ok', {
          bans: missing.map((b) => b.id),
        });
      }
      const known = new Set(active.map((b) => b.target.cidr));
      const stray = [...held.values()]
        .filter((e) => !known.has(e.target.cidr))
        .map((e) => e.target);
      if (stray.length > 0) await this.o.firewall.unban(stray);
      // Every active ban is now held by this backend, whichever held it before (or none did).
      await this.o.store.bans.markHeld(
        active.filter((b) => b.firewall !== this.o.firewall.id).map((b) => b.id),
        this.o.firewall.id,
      );
      await this.refreshApplied(now);
    });
  }

  /** An approved action, traced under its decision (and so its finding). */
  private execute(a: StoredApproval): Promise<void> {
    const attributes = {
      'sheriff.approval.id': a.id,
      ...(a.target === null ? {} : { 'sheriff.target': a.target.cidr }),
    };
    return this.trace.action(a.action, this.trace.decided(a), attributes, (span) =>
      this.executeTraced(a, span),
    );
  }

  private async executeTraced(a: StoredApproval, span: Span): Promise<void> {
    const now = this.o.clock();
    const by = `${a.channel}:${a.decidedBy}`;
    // Before the claim: a refused approval must read 'refused', and only an unclaimed one can.
    if (a.action === 'ban' && a.target !== null) {
      const guard = await this.o.guardrails.check(a.target, now);
      if (!guard.ok) {
        span.setAttribute('sheriff.ban.outcome', 'refused');
        if (await this.o.approvals.refuse(a.id, guard.reason, now))
          await this.refused(a.target, guard.reason, by);
        return;
      }
    }
    // The claim: true exactly once, and only while the approval's MAC still verifies.
    if (!(await this.o.approvals.markExecuted(a.id, now))) return;
    if (a.action === 'ban' && a.target !== null) {
      const offence = await this.o.store.bans.offences(a.target.cidr);
      await this.ban(a.target, a.durationMs, a.reason, by, a.id, a.jail, offence, span);
    } else if (a.action === 'unban' && a.target !== null) {
      await this.unban(a.target, `unbanned by ${by}`, by);
    } else if (a.action === 'isolate') {
      if (this.o.settings.admins.length === 0) {
        await this.o.approvals.refuse(
          a.id,
          'response.admins is empty: isolating would lock everyone out',
          now,
        );
        return;
      }
      await this.isolate(by);
    } else if (a.action === 'release') {
      await this.release(`released by ${by}`, by);
    }
  }

  private async ban(
    target: BanTarget,
    durationMs: number | null,
    reason: string,
    requestedBy: string,
    approvalId: string | null,
    jail: string | null,
    offence: number,
    span: Span,
  ): Promise<void> {
    const now = this.o.clock();
    const ban = await this.o.store.bans.insert({
      target,
      jail,
      reason,
      requestedBy,
      approvalId,
      createdAt: now,
      expiresAt: durationMs === null ? null : now + durationMs,
      offence,
    });
    this.handled?.add(target.cidr);
    span.setAttributes({ 'sheriff.ban.id': ban.id, 'sheriff.firewall': this.o.firewall.id });
    const applied = await this.apply(ban);
    span.setAttribute('sheriff.ban.outcome', applied === null ? 'failed' : 'applied');
    if (applied === null)
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the firewall refused the ban' });
    else span.setAttribute('sheriff.ban.enforced', applied.enforced);
  }

  /** Asks the backend; the ban is active only once it confirmed. Null when it did not. */
  private async apply(ban: StoredBan, failed?: (error: string) => void): Promise<StoredBan | null> {
    try {
      await this.o.firewall.ban([{ target: ban.target, expiresAt: ban.expiresAt }]);
    } catch (err) {
      const error = (err as Error).message;
      failed?.(error);
      this.o.logger.error(
        { event: 'ban_failed', cidr: ban.target.cidr, err },
        'the firewall refused a ban; it stays pending and is retried',
      );
      await this.audit('ban.apply', 'system', ban.target.cidr, 'failed', { ban: ban.id, error });
      this.o.alert({ type: 'ban-failed', target: ban.target, error });
      return null;
    }
    const at = this.o.clock();
    const firewall = this.o.firewall.id;
    await this.o.store.bans.markApplied(ban.id, at, firewall);
    const applied = {
      ...ban,
      appliedAt: at,
      firewall,
      enforced: isEnforced({ appliedAt: at, firewall }),
    };
    this.applied.set(ban.target.cidr, { ...applied, failuresAfter: 0, warned: false });
    await this.audit('ban.apply', ban.requestedBy, ban.target.cidr, 'ok', {
      ban: ban.id,
      expiresAt: ban.expiresAt,
      approval: ban.approvalId,
    });
    // At the hub a ban is a signed decision: blocked only where the hosts confirm it.
    const fleet = firewall === 'fleet';
    this.o.logger.warn(
      {
        event: fleet ? 'decision_published' : 'banned',
        cidr: ban.target.cidr,
        expiresAt: ban.expiresAt,
        by: ban.requestedBy,
        firewall,
        enforced: applied.enforced,
      },
      fleet
        ? 'ban decision published to the fleet; each host confirms it (sheriff hosts)'
        : applied.enforced
          ? 'banned'
          : 'dry-run: recorded as banned, but NOT blocked',
    );
    this.o.alert({ type: 'banned', ban: applied });
    if (this.o.settings.killConnections && this.o.firewall.killConnections) {
      const killed = await this.o.firewall.killConnections([ban.target]).catch(() => 0);
      if (killed > 0)
        this.o.logger.info(
          { event: 'connections_cut', cidr: ban.target.cidr, killed },
          'established connections cut',
        );
    }
    return applied;
  }

  /**
   * A ban the fleet's hub decided (fleet/decision-follower.ts), run in the
   * responder's order through this host's own guardrails. Idempotent: when the
   * decision's ban is already in force it is confirmed again, not added twice.
   */
  enforceDecision(d: FleetBan): Promise<FleetOutcome> {
    let result: FleetOutcome = { outcome: 'failed', reason: 'the responder stopped' };
    return this.enqueue(async () => {
      const now = this.o.clock();
      const by = fleetRequester(d.id);
      if (d.expiresAt !== null && d.expiresAt <= now) {
        result = { outcome: 'expired', reason: null };
        return;
      }
      const active = (await this.o.store.bans.active(now)).find((b) => b.requestedBy === by);
      if (active !== undefined) {
        result = { outcome: 'applied', reason: null };
        return;
      }
      const guard = await this.o.guardrails.check(d.target, now);
      if (!guard.ok) {
        await this.refused(d.target, guard.reason, by);
        result = { outcome: 'refused', reason: guard.reason };
        return;
      }
      const ban =
        (await this.o.store.bans.pending()).find((b) => b.requestedBy === by) ??
        (await this.o.store.bans.insert({
          target: d.target,
          jail: null,
          reason: d.reason,
          requestedBy: by,
          approvalId: null,
          createdAt: now,
          expiresAt: d.expiresAt,
          offence: await this.o.store.bans.offences(d.target.cidr),
        }));
      let error = 'the firewall refused the ban';
      const applied = await this.apply(ban, (e) => (error = e));
      result =
        applied === null
          ? { outcome: 'failed', reason: error }
          : { outcome: 'applied', reason: null };
    }).then(() => result);
  }

  /**
   * Lifts what a fleet decision made: its own ban when the decision is gone, or
   * every ban of the address when the hub decided to unban it.
   */
  liftDecision(id: string, target: BanTarget, everyBan: boolean): Promise<FleetOutcome> {
    let result: FleetOutcome = { outcome: 'failed', reason: 'the responder stopped' };
    return this.enqueue(async () => {
      const now = this.o.clock();
      const by = fleetRequester(id);
      const mine = [
        ...(await this.o.store.bans.active(now)),
        ...(await this.o.store.bans.pending()),
      ].filter((b) => b.target.cidr === target.cidr && (everyBan || b.requestedBy === by));
      if (mine.length === 0) {
        result = { outcome: 'removed', reason: null };
        return;
      }
      try {
        await this.o.firewall.unban([target]);
      } catch (err) {
        result = { outcome: 'failed', reason: (err as Error).message };
        return;
      }
      for (const b of mine) await this.o.store.bans.markRemoved(b.id, now, `fleet decision ${id}`);
      const left = await this.o.store.bans.active(now);
      if (everyBan || left.every((b) => b.target.cidr !== target.cidr))
        this.applied.delete(target.cidr);
      await this.audit('ban.remove', by, target.cidr, 'ok', { bans: mine.map((b) => b.id) });
      this.o.alert({ type: 'unbanned', target, reason: `fleet decision ${id}` });
      result = { outcome: 'removed', reason: null };
    }).then(() => result);
  }

  /** The fleet decisions this host's bans (in force or pending) came from, with their targets. */
  async fleetBans(): Promise<{ id: string; target: BanTarget }[]> {
    const now = this.o.clock();
    return [
      ...(await this.o.store.bans.active(now)),
      ...(await this.o.store.bans.pending()),
    ].flatMap((b) =>
      b.requestedBy.startsWith(FLEET_PREFIX)
        ? [{ id: b.requestedBy.slice(FLEET_PREFIX.length), target: b.target }]
        : [],
    );
  }

  private async unban(target: BanTarget, reason: string, by: string): Promise<void> {
    const now = this.o.clock();
    const bans = (await this.o.store.bans.active(now)).filter((b) => b.target.cidr === target.cidr);
    await this.o.firewall.unban([target]);
    for (const b of bans) await this.o.store.bans.markRemoved(b.id, now, reason);
    this.applied.delete(target.cidr);
    await this.audit('ban.remove', by, target.cidr, 'ok', { bans: bans.map((b) => b.id) });
    this.o.alert({ type: 'unbanned', target, reason });
  }

  private async refused(target: BanTarget, reason: string, by: string): Promise<void> {
    await this.audit('ban.refuse', by, target.cidr, 'refused', { why: reason });
    this.o.logger.warn(
      { event: 'ban_refused', cidr: target.cidr, reason },
      'a ban was refused by the guardrails',
    );
    this.o.alert({ type: 'refused', target, reason });
  }

  /**
   * Finds the approvals that expired or were denied since the last look (by
   * this process or another: the CLI and the web console expire and deny too),
   * announces each expiry, and remembers each lapsed jail ban request.
   */
  private async noteLapses(now: Millis): Promise<void> {
    const from = (this.lapseScannedTo ?? now - LAPSE_MEMORY_MS) - LAPSE_SCAN_SLACK_MS;
    this.lapseScannedTo = now;
    for (const [id, at] of this.lapseSeen) if (at < from) this.lapseSeen.delete(id);
    for (const a of await this.o.approvals.closedSince(from, now)) {
      if (this.lapseSeen.has(a.id)) continue;
      this.lapseSeen.set(a.id, a.decidedAt ?? now);
      if ((a.decidedAt ?? now) >= this.announceFrom) this.trace.decided(a);
      if (a.status === 'expired' && (a.decidedAt ?? now) >= this.announceFrom)
        this.o.alert({ type: 'approval-expired', approval: a });
      const jail = a.jail === null ? undefined : this.o.jails.get(a.jail);
      if (a.action !== 'ban' || a.target === null || jail === undefined) continue;
      if (!a.requestedBy.startsWith('jail:')) continue; // an admin's own request lapses with them
      const hold = a.status === 'denied' ? Math.max(this.o.approvals.ttl, jail.findtime ?? 0) : 0;
      this.lapses.delete(a.target.cidr);
      this.lapses.set(a.target.cidr, {
        approval: a,
        jail: a.jail!,
        holdUntil: (a.decidedAt ?? now) + hold,
      });
      if (this.lapses.size > MAX_LAPSES) this.lapses.delete(this.lapses.keys().next().value!);
    }
    for (const [cidr, l] of this.lapses) {
      if (now - (l.approval.decidedAt ?? now) < LAPSE_MEMORY_MS) break; // oldest first
      this.lapses.delete(cidr);
    }
    const bits = new Set<string>();
    for (const [cidr, l] of this.lapses)
      if (l.approval.target?.family === 6 && !cidr.endsWith('/128'))
        bits.add(cidr.slice(cidr.indexOf('/') + 1));
    this.lapsedV6Bits = [...bits];
  }

  /** `ip` failed again after a request for it (or its prefix) lapsed: a new request, once the hold is over. */
  private async askAgain(ip: string): Promise<void> {
    const v6 = ip.includes(':');
    let cidr = `${ip}/${v6 ? 128 : 32}`;
    let lapse = this.lapses.get(cidr);
    if (lapse === undefined && v6)
      for (const bits of this.lapsedV6Bits) {
        const net = prefixText(ip, bits);
        lapse = net === null ? undefined : this.lapses.get(net);
        if (lapse !== undefined) {
          cidr = net!;
          break;
        }
      }
    if (lapse === undefined) return;
    const now = this.o.clock();
    if (now < lapse.holdUntil) return;
    this.lapses.delete(cidr);
    const jail = this.o.jails.get(lapse.jail);
    if (jail === undefined || jail.policy !== 'approve' || (await this.alreadyHandled(cidr, now)))
      return;
    const prev = lapse.approval;
    const offence = await this.o.store.bans.offences(cidr);
    const plan = await this.plan(
      jail,
      cidr,
      offence,
      lapseReason(prev.id, prev.status === 'denied'),
    );
    const approval = await this.o.approvals.request(
      {
        action: 'ban',
        target: prev.target!,
        durationMs: plan.durationMs,
        reason: plan.reason,
        requestedBy: `jail:${lapse.jail}`,
        jail: lapse.jail,
        evidence: { findings: prev.evidence.findings, events: [] },
      },
      now,
    );
    this.handled?.add(cidr);
    this.trace.requested(approval, { after: prev.id });
    await this.noteRecidive(plan, cidr, lapse.jail, approval.id);
    this.o.alert({ type: 'approval', approval, finding: null });
  }

  /**
   * A jail's ban of `cidr`: its bantime grown by the earlier bans (increment), and
   * a recidive's longer time and reason when the bans of every jail within the
   * recidive window reach its count.
   */
  private async plan(
    jail: JailResponse,
    cidr: string,
    offence: number,
    reason: string,
  ): Promise<BanPlan & { recidive: number | null }> {
    const plan = {
      durationMs: bantimeFor(jail.bantime, offence, this.o.settings.increment),
      reason,
    };
    const settings = this.o.settings.recidive ?? null;
    const now = this.o.clock();
    // recidive() asks for the bans since now - findtime: read that one count first.
    const earlier =
      settings === null ? 0 : await this.o.store.bans.offencesSince(cidr, now - settings.findtime);
    const r = recidive(settings, () => earlier, now, plan);
    return r === null ? { ...plan, recidive: null } : { ...r, recidive: r.bans };
  }

  /** The audit trail says when a ban was made a recidive's, and how long it became. */
  private async noteRecidive(
    plan: BanPlan & { recidive: number | null },
    cidr: string,
    jail: string,
    approval: string | null,
  ): Promise<void> {
    if (plan.recidive === null) return;
    await this.audit('ban.recidive', `jail:${jail}`, cidr, 'ok', {
      bans: plan.recidive,
      findtime: this.o.settings.recidive!.findtime,
      durationMs: plan.durationMs,
      approval,
    });
    this.o.logger.warn(
      { event: 'recidive', cidr, jail, bans: plan.recidive, durationMs: plan.durationMs },
      'a repeat offender: banned longer',
    );
  }

  /** An active or not yet applied ban, or a pending approval, already covers this target. */
  private async alreadyHandled(cidr: string, now: Millis): Promise<boolean> {
    // Findings are answered one at a time (`asking`), so the set read here is never raced.
    this.handled ??= await this.handledTargets(now);
    return this.handled.has(cidr);
  }

  /**
   * The targets of the active and pending bans and the intact pending approvals, read once
   * per tick: a storm of findings must not read (and verify) every pending approval each.
   */
  private async handledTargets(now: Millis): Promise<Set<string>> {
    const targets = new Set<string>();
    for (const b of await this.o.store.bans.active(now)) targets.add(b.target.cidr);
    for (const b of await this.o.store.bans.pending()) targets.add(b.target.cidr);
    for (const a of await this.o.approvals.list({ status: 'pending', limit: MAX_PENDING_READ }))
      if (!a.tampered && a.target !== null) targets.add(a.target.cidr);
    return targets;
  }

  private async refreshApplied(now: Millis): Promise<void> {
    const next = new Map<string, StoredBan & { failuresAfter: number; warned: boolean }>();
    for (const b of await this.o.store.bans.active(now)) {
      const old = this.applied.get(b.target.cidr);
      next.set(
        b.target.cidr,
        old && old.id === b.id ? old : { ...b, failuresAfter: 0, warned: false },
      );
    }
    this.applied = next;
  }

  private async audit(
    action: string,
    actor: string,
    target: string | null,
    outcome: 'ok' | 'refused' | 'failed',
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.o.store.audit.append({
      time: this.o.clock(),
      actor,
      channel: null,
      action,
      target,
      outcome,
      detail,
    });
  }

  /** Answers to findings and failures run one at a time, in order; a failure is logged. */
  private ask(step: () => Promise<void>): Promise<void> {
    const next = this.asking.then(step).catch((err: unknown) => {
      this.o.logger.error({ event: 'response_failed', err }, 'a finding could not be answered');
    });
    this.asking = next;
    return next;
  }

  /** Firewall work runs one step at a time, in order. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.busy.then(step).catch((err: unknown) => {
      this.o.logger.error({ event: 'response_failed', err }, 'a response step failed');
    });
    this.busy = next;
    return next;
  }
}

/** The network of `bits` around `ip`, as CIDR text; null for text that is no address. */
function prefixText(ip: string, bits: string): string | null {
  try {
    return parseCidr(`${ip}/${bits}`).text;
  } catch {
    return null;
  }
}
