/**
 * What crosses NATS between sensors and the hub: the subjects, the decisions
 * KV bucket and the message shapes, each checked on arrival (a message is
 * untrusted until its schema passes; a decision until its signature does).
 *
 * A host's name is a single NATS subject token, so the subject a sensor may
 * publish on (`sheriff.host.<name>.>`, enforced by the NATS server's
 * permissions) is what names the sender: the hub takes the host from the
 * subject, never from the message body.
 */
import { z } from 'zod';
import { FINDING_KINDS } from '../domain.js';
import { HOST_NAME, isHostName } from './host-name.js';

/** The stream that keeps every host's messages until the hub has them. */
export const HOSTS_STREAM = 'SHERIFF_HOSTS';
export const HOSTS_SUBJECTS = 'sheriff.host.>';
/** The hub's durable consumer on HOSTS_STREAM. */
export const HUB_CONSUMER = 'hub';

export type HostMessageKind = 'events' | 'findings' | 'confirm' | 'status';

export function hostSubject(host: string, kind: HostMessageKind): string {
  if (!isHostName(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
  return `sheriff.host.${host}.${kind}`;
}

/** The host and kind a subject names, or null when it is not a host subject. */
export function parseHostSubject(subject: string): { host: string; kind: HostMessageKind } | null {
  const m = /^sheriff\.host\.([^.]+)\.(events|findings|confirm|status)$/.exec(subject);
  if (m === null || !isHostName(m[1]!)) return null;
  return { host: m[1]!, kind: m[2] as HostMessageKind };
}

/** Per-host inbox prefix, so a host's request replies reach only that host. */
export function hostInboxPrefix(host: string): string {
  return `_INBOX_${host}`;
}

/** The KV bucket of ban decisions: the hub writes, sensors only read. */
export const DECISIONS_BUCKET = 'sheriff_decisions';

/** A decision's id, also its KV key. */
export const DECISION_ID = /^[A-Za-z0-9_-]{8,64}$/;

export const decisionScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fleet') }),
  z.object({ kind: z.literal('group'), group: z.string().regex(HOST_NAME) }),
  z.object({ kind: z.literal('host'), host: z.string().regex(HOST_NAME) }),
]);
export type DecisionScope = z.infer<typeof decisionScopeSchema>;

/** A ban or its lifting, for the hosts in its scope. */
export const decisionSchema = z.strictObject({
  v: z.literal(1),
  id: z.string().regex(DECISION_ID),
  action: z.enum(['ban', 'unban']),
  /** Canonical address or prefix (net/): the sensor checks it again before use. */
  cidr: z.string().min(1).max(64),
  scope: decisionScopeSchema,
  /** Epoch ms when the ban ends, or null for no end. */
  expiresAt: z.number().int().nullable(),
  /** Why, for the admin and the audit: the approval or jail it came from. */
  reason: z.string().max(500),
  approvalId: z.string().max(64).nullable(),
  issuedAt: z.number().int(),
});
export type Decision = z.infer<typeof decisionSchema>;

/** What a sensor says it did with a decision. */
export const confirmationSchema = z.strictObject({
  v: z.literal(1),
  decision: z.string().regex(DECISION_ID),
  outcome: z.enum(['applied', 'removed', 'refused', 'failed', 'expired']),
  /** Why it was refused or failed (a guardrail, the firewall's error), as data. */
  reason: z.string().max(500).nullable(),
  at: z.number().int(),
});
export type Confirmation = z.infer<typeof confirmationSchema>;

/** A sensor's heartbeat. */
export const hostStatusSchema = z.strictObject({
  v: z.literal(1),
  version: z.string().max(64),
  at: z.number().int(),
  /** How far behind its logs the sensor is, in ms. */
  lagMs: z.number().int().nonnegative(),
  /** Outbox rows not yet acknowledged by JetStream. */
  outbox: z.number().int().nonnegative(),
  errors: z.array(z.string().max(500)).max(20),
  groups: z.array(z.string().regex(HOST_NAME)).max(20),
});
export type HostStatus = z.infer<typeof hostStatusSchema>;

/** One classified log line as a sensor stored it (store/events.ts EventRecord). */
export const eventRecordSchema = z.strictObject({
  time: z.number().int(),
  jail: z.string().min(1).max(64),
  filter: z.string().min(1).max(64),
  rule: z.string().max(200).nullable(),
  result: z.enum(['fail', 'success', 'nofail']),
  ip: z.string().max(64).nullable(),
  host: z.string().max(255).nullable(),
  user: z.string().max(255).nullable(),
  attempts: z.number().int().nonnegative(),
  source: z.string().max(500).nullable(),
  line: z.string().max(16_384),
});

/** What detection concluded on a sensor (domain.ts Finding). */
export const findingSchema = z.strictObject({
  kind: z.enum(FINDING_KINDS),
  jail: z.string().min(1).max(64),
  scope: z.enum(['address', 'prefix']),
  ip: z.string().min(1).max(64),
  count: z.number().int().nonnegative(),
  first: z.number().int(),
  last: z.number().int(),
  users: z.array(z.string().max(255)).max(1000),
});

/**
 * One outbox row of a sensor: `seq` grows with each row and, with the
 * outbox's `epoch` (made once per sensor store, so a new store's seqs are not
 * taken for old ones), names the message (Nats-Msg-Id `<host>-<epoch>-<seq>`):
 * JetStream drops a resent copy and the hub stores each row once.
 */
export const OUTBOX_EPOCH = /^[a-z0-9]{8,32}$/;

export const eventBatchSchema = z.strictObject({
  v: z.literal(1),
  epoch: z.string().regex(OUTBOX_EPOCH),
  seq: z.number().int().positive(),
  events: z.array(eventRecordSchema).max(10_000),
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

export const findingBatchSchema = z.strictObject({
  v: z.literal(1),
  epoch: z.string().regex(OUTBOX_EPOCH),
  seq: z.number().int().positive(),
  findings: z
    .array(z.strictObject({ finding: findingSchema, createdAt: z.number().int() }))
    .max(1000),
});
export type FindingBatch = z.infer<typeof findingBatchSchema>;

/** The message id JetStream dedupes on. */
export function messageId(host: string, epoch: string, seq: number): string {
  return `${host}-${epoch}-${seq}`;
}
