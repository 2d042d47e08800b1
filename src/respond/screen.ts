/**
 * A ban a human has just approved (`sheriff ban`, `sheriff approve`, the web
 * console) goes through the guardrails at once, so that a refusal is told to
 * that human, with why, instead of reaching only the audit log when the daemon
 * runs it. A refused approval is marked 'refused' and never runs; the daemon
 * checks again when it executes one that passed.
 */
import type { Millis } from '../domain.js';
import type { Approvals, StoredApproval } from './approvals.js';
import type { GuardRefusal, Guardrails } from './guardrails.js';

export async function screenApproved(
  approvals: Pick<Approvals, 'refuse' | 'get'>,
  guardrails: Guardrails,
  approval: StoredApproval,
  now: Millis,
): Promise<GuardRefusal | null> {
  if (approval.action !== 'ban' || approval.target === null) return null;
  const r = await guardrails.check(approval.target, now);
  if (r.ok) return null;
  if (await approvals.refuse(approval.id, r.reason, now)) return r;
  // The daemon took it first: refused by its own check (the usual case), or carried out.
  return (await approvals.get(approval.id))?.status === 'refused' ? r : null;
}
