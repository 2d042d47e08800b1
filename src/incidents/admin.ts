/**
 * What an administrator does to an incident, from the CLI or the web console:
 * give a verdict (in force over the rules', which stays on record beside it)
 * and resolve it. The actor names the channel and the person.
 */
import type { Millis, Verdict } from '../domain.js';
import type { IncidentStore } from '../store/index.js';
import type { Async } from '../store/api.js';

export const ADMIN_VERDICTS: readonly Verdict[] = ['benign', 'suspicious', 'malicious'];

/** An admin's verdict carries no rule severity: benign is low, the others the usual middle. */
const ADMIN_SEVERITY = { benign: 'low', suspicious: 'medium', malicious: 'high' } as const;

export function isVerdict(text: string): text is Verdict {
  return (ADMIN_VERDICTS as readonly string[]).includes(text);
}

/** Records the verdict, with the admin's words (why) as its narrative. */
export function setAdminVerdict(
  incidents: Pick<Async<IncidentStore>, 'setTriage'>,
  id: number,
  verdict: Verdict,
  opts: { actor: string; at: Millis; note?: string | null },
): Promise<unknown> {
  return incidents.setTriage(
    id,
    'admin',
    {
      verdict,
      confidence: 1,
      severity: ADMIN_SEVERITY[verdict],
      reasons: ['admin'],
      evidence: [],
    },
    { actor: opts.actor, at: opts.at, narrative: opts.note ?? null },
  );
}
