/**
 * The hub's firewall: a ban becomes a signed decision in the KV bucket, an
 * unban deletes it, and the bucket's decisions are what it "holds". So the
 * hub runs the very responder a single host runs — approvals, `auto` jails,
 * guardrails, bantime increments, expiry, reconcile — and only this backend
 * differs. A ban here is published, not yet in force anywhere: the sensors'
 * confirmations say where it holds (hub.ts, the `fleet-ban` alert).
 *
 * One decision per address or prefix, its id derived from the CIDR: banning
 * again replaces it, and each sensor applies it once.
 */
import type { KV } from '@nats-io/kv';
import type { BanTarget, Millis } from '../domain.js';
import type { Firewall, FirewallEntry } from '../respond/firewall/firewall.js';
import { decisionSchema, type Decision, type DecisionScope } from './protocol.js';
import { encodeSignedDecision, type DecisionSigner } from './signing.js';

/** What the hub's store says about a ban it is about to publish. */
export interface DecisionContext {
  scope: DecisionScope;
  reason: string;
  approvalId: string | null;
}

export interface FleetFirewallOptions {
  /** The bucket, once NATS is connected. */
  decisions: () => Promise<KV>;
  signer: DecisionSigner;
  /** From the hub's records store (a round trip on PostgreSQL). */
  describe: (target: BanTarget) => Promise<DecisionContext>;
  clock: () => Millis;
  /** Each decision about to be published (the tally starts, readers learn its scope); awaited. */
  published?: (d: Decision) => Promise<void>;
  /** How long a ban waits for NATS before it fails (and is retried). Default 5 s. */
  timeoutMs?: number;
}

/** The decision id of a ban of `cidr`: a DECISION_ID, the same for the same CIDR. */
export function decisionIdOf(cidr: string): string {
  return `b${Buffer.from(cidr, 'utf8').toString('base64url')}`;
}

export class FleetFirewall implements Firewall {
  readonly id = 'fleet';

  constructor(private readonly o: FleetFirewallOptions) {}

  setup(): Promise<void> {
    return Promise.resolve();
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }

  async ban(entries: readonly FirewallEntry[]): Promise<void> {
    const kv = await this.bucket();
    for (const e of entries) {
      const context = await this.o.describe(e.target);
      const decision: Decision = {
        v: 1,
        id: decisionIdOf(e.target.cidr),
        action: 'ban',
        cidr: e.target.cidr,
        scope: context.scope,
        expiresAt: e.expiresAt,
        reason: context.reason.slice(0, 500),
        approvalId: context.approvalId,
        issuedAt: this.o.clock(),
      };
      // Counted from before the put: a fast sensor's confirmation must find it open.
      await this.o.published?.(decision);
      await kv.put(decision.id, encodeSignedDecision(this.o.signer.sign(decision)));
    }
  }

  async unban(targets: readonly BanTarget[]): Promise<void> {
    const kv = await this.bucket();
    for (const t of targets) await kv.delete(decisionIdOf(t.cidr));
  }

  /** The bans the bucket holds now (unexpired). */
  async list(): Promise<FirewallEntry[]> {
    const kv = await this.bucket();
    const now = this.o.clock();
    const out: FirewallEntry[] = [];
    for await (const key of await kv.keys()) {
      const entry = await kv.get(key);
      if (entry === null || entry.operation !== 'PUT') continue;
      const d = decisionSchema.safeParse((entry.json<{ decision?: unknown }>() ?? {}).decision);
      if (!d.success || d.data.action !== 'ban') continue;
      if (d.data.expiresAt !== null && d.data.expiresAt <= now) continue;
      const family = d.data.cidr.includes(':') ? 6 : 4;
      out.push({ target: { cidr: d.data.cidr, family }, expiresAt: d.data.expiresAt });
    }
    return out;
  }

  private bucket(): Promise<KV> {
    const ms = this.o.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`NATS not reachable within ${ms} ms`)), ms);
    });
    return Promise.race([this.o.decisions(), timeout]).finally(() => clearTimeout(timer));
  }
}
