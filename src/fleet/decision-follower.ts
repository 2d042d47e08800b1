/**
 * A sensor's side of the fleet's decisions: it reads the KV bucket from the
 * start (every current decision, then each change as it comes), checks each
 * one's signature with the hub's public key and its scope against this host,
 * and has the responder apply it through this host's own guardrails and
 * firewall. Every outcome is confirmed to the hub; what is unsigned, forged or
 * not meant for this host never touches the firewall.
 *
 * On start it converges: bans from decisions that are no longer in the bucket
 * are lifted, bans from decisions it missed are applied (a decision already in
 * force is only confirmed again).
 */
import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger } from '../log.js';
import { parseCidr } from '../net/cidr.js';
import type { FleetOutcome, Responder } from '../respond/responder.js';
import { DECISION_ID, type Confirmation, type Decision } from './protocol.js';
import type { DecisionVerifier } from './signing.js';

/** What the follower needs of the responder. */
export type DecisionEnforcer = Pick<Responder, 'enforceDecision' | 'liftDecision' | 'fleetBans'>;

export interface DecisionFollowerOptions {
  /** This host's name and groups: the scopes it applies. */
  host: string;
  groups: readonly string[];
  kv: KV;
  verifier: DecisionVerifier;
  enforcer: DecisionEnforcer;
  /** Sends a confirmation to the hub (sheriff.host.<host>.confirm). */
  confirm: (c: Confirmation) => Promise<void>;
  clock: () => number;
  logger: Logger;
  /** A value in the bucket that is not a valid decision signed by the hub. */
  onRejected?: (key: string, why: string) => void;
}

export class DecisionFollower {
  private watcher: { stop(): void } | null = null;
  private done: Promise<void> = Promise.resolve();
  /** Decisions rejected since start (unsigned, forged, malformed). */
  rejected = 0;

  constructor(private readonly o: DecisionFollowerOptions) {}

  /** Converges with the bucket, then follows it; resolves once the watch is running. */
  async start(): Promise<void> {
    const present = new Set<string>();
    for await (const key of await this.o.kv.keys()) present.add(key);
    for (const b of await this.o.enforcer.fleetBans())
      if (!present.has(b.id)) await this.lift(b.id, b.target.cidr, false);
    const entries = await this.o.kv.watch();
    this.watcher = entries;
    this.done = (async () => {
      for await (const e of entries) {
        try {
          await this.onEntry(e);
        } catch (err) {
          this.o.logger.error(
            { event: 'decision_failed', key: e.key, err },
            'a fleet decision could not be handled',
          );
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.watcher?.stop();
    await this.done;
  }

  private async onEntry(e: KvEntry): Promise<void> {
    if (e.operation !== 'PUT') {
      const held = (await this.o.enforcer.fleetBans()).find((b) => b.id === e.key);
      if (held !== undefined) await this.lift(e.key, held.target.cidr, false);
      return;
    }
    const checked = this.check(e);
    if (checked === null) return;
    const d = checked;
    if (!this.inScope(d)) {
      // The scope changed away from this host: what the decision made here goes.
      const held = (await this.o.enforcer.fleetBans()).find((b) => b.id === d.id);
      if (held !== undefined) await this.lift(d.id, held.target.cidr, false);
      return;
    }
    if (d.action === 'unban') {
      await this.lift(d.id, d.cidr, true);
      return;
    }
    const target = { cidr: d.cidr, family: d.cidr.includes(':') ? (6 as const) : (4 as const) };
    const result = await this.o.enforcer.enforceDecision({
      id: d.id,
      target,
      expiresAt: d.expiresAt,
      reason: d.reason,
    });
    await this.confirmed(d.id, result);
  }

  /** The decision in `e` when it is signed by the hub, names its key and a canonical target. */
  private check(e: KvEntry): Decision | null {
    let why: string;
    const result = this.o.verifier.verify(parseJson(e.value));
    if (!result.ok) why = `${result.reason}: ${result.detail}`;
    else if (result.decision.id !== e.key)
      why = `signed for decision ${result.decision.id}, stored as ${e.key}`;
    else if (!isCanonical(result.decision.cidr))
      why = `not a canonical address: ${result.decision.cidr}`;
    else return result.decision;
    this.rejected++;
    this.o.logger.error(
      { event: 'decision_rejected', key: e.key, why },
      'a fleet decision was rejected: it is not a valid decision signed by the hub',
    );
    this.o.onRejected?.(e.key, why);
    if (DECISION_ID.test(e.key)) void this.confirmed(e.key, { outcome: 'refused', reason: why });
    return null;
  }

  private inScope(d: Decision): boolean {
    const s = d.scope;
    if (s.kind === 'fleet') return true;
    if (s.kind === 'group') return this.o.groups.includes(s.group);
    return s.host === this.o.host;
  }

  private async lift(id: string, cidr: string, everyBan: boolean): Promise<void> {
    const target = { cidr, family: cidr.includes(':') ? (6 as const) : (4 as const) };
    await this.confirmed(id, await this.o.enforcer.liftDecision(id, target, everyBan));
  }

  private async confirmed(decision: string, r: FleetOutcome): Promise<void> {
    const c: Confirmation = {
      v: 1,
      decision,
      outcome: r.outcome,
      reason: r.reason?.slice(0, 500) ?? null,
      at: this.o.clock(),
    };
    try {
      await this.o.confirm(c);
    } catch (err) {
      this.o.logger.warn(
        { event: 'confirm_failed', decision, err },
        'a confirmation could not be sent',
      );
    }
  }
}

function isCanonical(cidr: string): boolean {
  try {
    return parseCidr(cidr).text === cidr && cidr.includes('/');
  } catch {
    return false;
  }
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
