/**
 * Turns findings and events into incidents (domain.ts has the lifecycle).
 * Findings open or join an incident at once; events only update incidents that
 * exist (or open one for a poisoned user name), and are folded in memory and
 * written by `tick()`, which also resolves quiet incidents and re-triages the
 * ones that changed. The daemon calls `tick()` every few seconds, after the
 * events were written, so triage reads them from the store. Writes that read
 * first (which incident an attacker has) run one at a time, in order, so two
 * findings never open two incidents for one attacker.
 */
import type {
  AuthEvent,
  Enrichment,
  Finding,
  Incident,
  IncidentKind,
  Millis,
  TriageResult,
  Verdict,
} from '../domain.js';
import type { Logger } from '../log.js';
import { parseCidr, type Cidr } from '../net/cidr.js';
import { maskWords, parseIp } from '../net/ip.js';
import type { IncidentActivity, NewTimelineEntry } from '../store/index.js';
import type { RecordStore } from '../store/api.js';
import { buildTriageInput } from './input.js';
import { COMPROMISE_WINDOW_MS, isPoisonedUser, triage } from './triage.js';

export interface IncidentPolicy {
  /** Quiet this long: resolved. */
  resolveAfter: Millis;
  /** Activity this soon after resolution reopens the incident; later, a new one starts. */
  reopenWithin: Millis;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  resolveAfter: 24 * 3_600_000,
  reopenWithin: 7 * 86_400_000,
};

export interface IncidentManagerOptions {
  store: Pick<RecordStore, 'incidents' | 'activity' | 'events' | 'scans'>;
  /** What intel knows about an address. MUST NOT reject (see IntelProvider). */
  enrich: (ip: string) => Promise<Enrichment>;
  /** Whether an address is internal (trusted networks). */
  isInternal: (ip: string) => boolean;
  clock: () => Millis;
  policy?: IncidentPolicy;
  logger?: Logger;
  /** The rules' verdict on an incident changed (first triage included). */
  onTriaged?: (incident: Incident, previous: Verdict | null) => void;
}

interface Pending {
  first: Millis;
  last: Millis;
  jails: Set<string>;
  users: Set<string>;
  members: Set<string>;
}

const MAX_PENDING_USERS = 32;
/** A scanner gets an incident of its own from this many connections that never tried to log in… */
export const SCAN_INCIDENT_MIN = 10;
/** …within this span (the stored ten-minute sums, store/scans.ts). */
export const SCAN_INCIDENT_WINDOW_MS = 3_600_000;
/** Scanner incidents opened per tick at most: a scan storm is not a storm of news. */
const MAX_SCAN_INCIDENTS_PER_TICK = 20;

export class IncidentManager {
  private readonly policy: IncidentPolicy;
  /** Active (open or triaged) incidents by attacker. */
  private readonly active = new Map<string, number>();
  /** Active prefix incidents, to find the ones an IPv6 address belongs to. */
  private readonly prefixes = new Map<number, Cidr>();
  private readonly pending = new Map<number, Pending>();
  private readonly dirty = new Set<number>();
  private ticking: Promise<void> | null = null;
  /** The active incidents are read in before anything else runs. */
  private loaded = false;
  private queue: Promise<unknown>;
  /** Queued writes not done yet: while there are any, events wait their turn behind them. */
  private queued = 0;

  constructor(private readonly o: IncidentManagerOptions) {
    this.policy = o.policy ?? DEFAULT_INCIDENT_POLICY;
    this.queue = this.load();
  }

  private async load(): Promise<void> {
    for (const i of await this.o.store.incidents.list({ state: 'active', limit: 10_000 })) {
      this.track(i);
      this.dirty.add(i.id);
    }
    this.loaded = true;
  }

  /** Resolves once the active incidents are read in and every change asked for so far is written. */
  settled(): Promise<void> {
    return this.queue.then(
      () => undefined,
      () => undefined,
    );
  }

  /** Runs `step` after the ones before it (a failed one does not stop the next). */
  private serial<T>(step: () => Promise<T>): Promise<T> {
    this.queued++;
    const run = () => step().finally(() => this.queued--);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A finding from detection: opens, reopens or joins the attacker's incident. */
  onFinding(f: Finding, findingId: number | null): Promise<Incident> {
    return this.serial(() => this.addFinding(f, findingId));
  }

  private async addFinding(f: Finding, findingId: number | null): Promise<Incident> {
    const now = this.o.clock();
    const evidence: NewTimelineEntry = {
      time: now,
      kind: 'finding',
      actor: 'detect',
      refId: findingId,
      detail: { kind: f.kind, jail: f.jail, count: f.count, first: f.first, last: f.last },
    };
    const { incident, created } = await this.incidentFor(
      f.ip,
      f.scope,
      f.kind,
      f.jail,
      f.first,
      f.last,
      f.users,
      evidence,
      now,
    );
    if (!created) await this.o.store.incidents.addTimeline(incident.id, evidence);
    const updated = await this.o.store.incidents.addActivity(
      incident.id,
      { first: f.first, last: f.last, kinds: [f.kind], jails: [f.jail], users: f.users },
      now,
    );
    this.dirty.add(updated.id);
    return updated;
  }

  /**
   * One classified line: a failure, a login, or a scanner's connection (a `nofail`
   * probe, detect/probes.ts). Cheap: a map lookup for addresses with no incident.
   */
  onEvent(e: AuthEvent, jail: string): void {
    if (e.ip === null || e.result === 'none') return;
    const time = e.time ?? this.o.clock();
    // Behind a finding still opening its incident, an event waits for it (as it did when
    // that was synchronous); otherwise it is folded at once, or dropped, without a write.
    const waits = !this.loaded || this.queued > 0;
    const ids = waits ? [] : this.incidentsOf(e.ip);
    if (ids.length > 0) return this.fold(ids, e, e.ip, jail, time);
    // A scanner's incident comes from its stored sums (openScanners), not from one line.
    if (e.result === 'nofail' && !waits) return;
    if (waits || (e.user !== null && isPoisonedUser(e.user) && !this.o.isInternal(e.ip)))
      void this.serial(() => this.addEvent(e, e.ip!, jail, time)).catch((err: unknown) =>
        this.o.logger?.warn(
          { event: 'incident_update_failed', err },
          'an event could not be added to its incident',
        ),
      );
  }

  /** onEvent for an address with no incident known yet: a poisoned user name opens one. */
  private async addEvent(e: AuthEvent, ip: string, jail: string, time: Millis): Promise<void> {
    const ids = this.incidentsOf(ip);
    if (ids.length === 0) {
      if (e.result === 'nofail') return;
      if (e.user === null || !isPoisonedUser(e.user) || this.o.isInternal(ip)) return;
      const opened = await this.incidentFor(
        ip,
        'address',
        'poisoned-username',
        jail,
        time,
        time,
        [e.user],
        null,
        this.o.clock(),
      );
      ids.push(opened.incident.id);
    }
    this.fold(ids, e, ip, jail, time);
  }

  /** Folds an event into the pending activity of its incidents (written by the next tick). */
  private fold(ids: readonly number[], e: AuthEvent, ip: string, jail: string, time: Millis): void {
    for (const id of ids) {
      let p = this.pending.get(id);
      if (p === undefined) {
        p = {
          first: time,
          last: time,
          jails: new Set(),
          users: new Set(),
          members: new Set(),
        };
        this.pending.set(id, p);
      }
      p.first = Math.min(p.first, time);
      p.last = Math.max(p.last, time);
      p.jails.add(jail);
      if (e.user !== null && p.users.size < MAX_PENDING_USERS) p.users.add(e.user);
      if (this.prefixes.has(id)) p.members.add(ip);
    }
  }

  /** Records an action (approval, ban, refusal) on the incidents of `ip` (an address or CIDR). */
  onAction(ip: string, entry: NewTimelineEntry): Promise<void> {
    return this.serial(async () => {
      const bare =
        ip.endsWith('/32') || ip.endsWith('/128') ? ip.slice(0, ip.lastIndexOf('/')) : ip;
      const id = this.active.get(bare) ?? this.active.get(ip);
      if (id !== undefined) await this.o.store.incidents.addTimeline(id, entry);
    });
  }

  /** Writes folded events, resolves quiet incidents, re-triages changed ones. One at a time. */
  tick(): Promise<void> {
    this.ticking ??= this.runTick().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  /** Re-triages one incident now (an admin asked, or enrichment changed). */
  async retriage(id: number): Promise<Incident | null> {
    // find, not get: triage reads the events, never the timeline (long on a busy incident).
    let incident: Incident | null = await this.o.store.incidents.find(id);
    if (incident === null) return null;
    if (incident.scope === 'prefix') incident = await this.refreshMembers(incident);
    const enrichment = await this.o.enrich(incident.attacker);
    await this.o.store.incidents.setEnrichment(id, enrichment);
    const addresses = incident.scope === 'prefix' ? incident.members : [incident.attacker];
    const counts = await this.o.store.activity.countsFor(
      addresses,
      incident.firstSeen - COMPROMISE_WINDOW_MS,
      incident.lastSeen + 1,
    );
    await this.o.store.incidents.setCounts(id, counts.failures, counts.successes);
    const fresh = { ...incident, ...counts, enrichment };
    const result = triage(await buildTriageInput(this.o.store, fresh));
    if (incident.rules !== null && sameTriage(incident.rules, result)) return fresh;
    const now = this.o.clock();
    await this.o.store.incidents.setTriage(id, 'rules', result, { actor: 'rules', at: now });
    const after = await this.o.store.incidents.find(id);
    if (after !== null && incident.rules?.verdict !== result.verdict) {
      this.o.onTriaged?.(after, incident.rules?.verdict ?? null);
    }
    return after;
  }

  /** A prefix finding names no addresses: they are read back from the events in its span. */
  private async refreshMembers(incident: Incident): Promise<Incident> {
    const net = parseCidr(incident.attacker);
    const like = await this.o.store.activity.addressesLike(
      `${incident.attacker.slice(0, incident.attacker.indexOf(':') + 1)}%`,
      incident.firstSeen - COMPROMISE_WINDOW_MS,
      incident.lastSeen + 1,
    );
    const members = like
      .filter((ip) => {
        const p = parseIp(ip);
        return (
          p !== null && p.family === net.family && sameWords(maskWords(p, net.bits), net.words)
        );
      })
      .filter((ip) => !incident.members.includes(ip));
    if (members.length === 0) return incident;
    return this.o.store.incidents.addActivity(
      incident.id,
      { first: incident.firstSeen, last: incident.lastSeen, members },
      this.o.clock(),
    );
  }

  private async runTick(): Promise<void> {
    await this.serial(async () => {
      const now = this.o.clock();
      await this.openScanners(now);
      await this.flushPending(now);
      for (const i of await this.o.store.incidents.quiet(now - this.policy.resolveAfter)) {
        if (await this.o.store.incidents.resolve(i.id, now, 'rules', 'quiet')) this.untrack(i);
        this.dirty.delete(i.id);
      }
    });
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      // Between incidents, let waiting log lines through: detection must not queue behind triage.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await this.retriage(id);
      } catch (err) {
        this.dirty.add(id);
        this.o.logger?.warn(
          { event: 'triage_failed', incident: id, err },
          'an incident could not be triaged',
        );
      }
    }
  }

  /** Addresses that scanned enough in the last SCAN_INCIDENT_WINDOW_MS get an incident (never a ban). */
  private async openScanners(now: Millis): Promise<void> {
    let opened = 0;
    const busy = await this.o.store.scans.busy(
      now - SCAN_INCIDENT_WINDOW_MS,
      now + 1,
      SCAN_INCIDENT_MIN,
      100,
    );
    for (const s of busy) {
      if (opened >= MAX_SCAN_INCIDENTS_PER_TICK) break;
      if (this.incidentsOf(s.ip).length > 0 || this.o.isInternal(s.ip)) continue;
      const { incident } = await this.incidentFor(
        s.ip,
        'address',
        'scan',
        s.jails[0] ?? '',
        s.first,
        s.last,
        [],
        null,
        now,
      );
      const updated = await this.o.store.incidents.addActivity(
        incident.id,
        { first: s.first, last: s.last, kinds: ['scan'], jails: s.jails },
        now,
      );
      this.dirty.add(updated.id);
      opened++;
    }
  }

  private async flushPending(now: Millis): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    for (const [id, p] of batch) {
      const activity: IncidentActivity = {
        first: p.first,
        last: p.last,
        jails: [...p.jails],
        users: [...p.users],
        members: [...p.members],
      };
      try {
        await this.o.store.incidents.addActivity(id, activity, now);
        this.dirty.add(id);
      } catch (err) {
        this.o.logger?.warn(
          { event: 'incident_update_failed', incident: id, err },
          'an incident could not be updated',
        );
      }
    }
  }

  /** The attacker's live incident: joined, reopened (resolved recently) or opened. */
  private async incidentFor(
    attacker: string,
    scope: 'address' | 'prefix',
    kind: IncidentKind,
    jail: string,
    first: Millis,
    last: Millis,
    users: readonly string[],
    evidence: NewTimelineEntry | null,
    now: Millis,
  ): Promise<{ incident: Incident; created: boolean }> {
    const store = this.o.store.incidents;
    const id = this.active.get(attacker);
    if (id !== undefined) {
      const live = await store.find(id);
      if (live !== null && live.state !== 'resolved') return { incident: live, created: false };
    }
    const latest = await store.latest(attacker);
    if (
      latest !== null &&
      latest.state === 'resolved' &&
      latest.resolvedAt !== null &&
      now - latest.resolvedAt <= this.policy.reopenWithin
    ) {
      const reopened = await store.reopen(latest.id, now, { kind });
      this.track(reopened);
      return { incident: reopened, created: false };
    }
    if (latest !== null && latest.state !== 'resolved') {
      this.track(latest);
      return { incident: latest, created: false };
    }
    const opened = await store.open(
      { attacker, scope, kind, jail, first, last, users },
      now,
      evidence,
    );
    this.track(opened);
    this.o.logger?.info(
      { event: 'incident_opened', incident: opened.id, attacker, kind },
      `incident #${opened.id} opened`,
    );
    return { incident: opened, created: true };
  }

  private incidentsOf(ip: string): number[] {
    const ids: number[] = [];
    const own = this.active.get(ip);
    if (own !== undefined) ids.push(own);
    if (this.prefixes.size > 0 && ip.includes(':')) {
      const parsed = parseIp(ip);
      if (parsed !== null)
        for (const [id, net] of this.prefixes)
          if (net.family === parsed.family && sameWords(maskWords(parsed, net.bits), net.words))
            ids.push(id);
    }
    return ids;
  }

  private track(i: Incident): void {
    this.active.set(i.attacker, i.id);
    if (i.scope === 'prefix') this.prefixes.set(i.id, parseCidr(i.attacker));
  }

  private untrack(i: Incident): void {
    if (this.active.get(i.attacker) === i.id) this.active.delete(i.attacker);
    this.prefixes.delete(i.id);
    this.pending.delete(i.id);
  }
}

function sameWords(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

function sameTriage(a: TriageResult, b: TriageResult): boolean {
  return (
    a.verdict === b.verdict &&
    a.severity === b.severity &&
    a.confidence === b.confidence &&
    a.reasons.join() === b.reasons.join() &&
    a.evidence.join() === b.evidence.join()
  );
}
