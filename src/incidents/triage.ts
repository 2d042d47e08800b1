/**
 * Deterministic triage: a pure function from what the store knows about one
 * source (its events and enrichment) to a verdict, a confidence, a severity,
 * stable reason codes and the event ids behind them. No clock, no I/O: the
 * eval harness scores it on labelled TriageInput records.
 *
 * The rules are one table (RULES). Each rule looks at the facts, and when it
 * applies names its evidence and has one effect:
 *
 * - `floor`: the verdict is at least `verdict` (attack patterns, benign logins);
 * - `raise`: one step up, at most malicious (intel: blocklists, reputation);
 * - `cap`:   at most `verdict` (internal sources that did not break in).
 *
 * Floors apply first, then raises, then caps. The confidence is the strongest
 * rule behind the final verdict plus each other applying rule's weight.
 */
import type {
  FindingKind,
  Severity,
  TriageEvent,
  TriageInput,
  TriageResult,
  Verdict,
} from '../domain.js';
import { JAIL_DEFAULTS } from '../detect/jail.js';
import { isPoisonedUser } from './poisoned-name.js';

export { isPoisonedUser };

// The rules draw their lines where a jail does by default (detect/jail.ts), so
// triage and detection agree on a source that kept to the defaults.
/** Detection's compromise rule: a login after this many failures… */
export const COMPROMISE_MIN_FAILURES = JAIL_DEFAULTS.compromise.minFailures;
/** …within this window (or after any failure as another user). */
export const COMPROMISE_WINDOW_MS = JAIL_DEFAULTS.compromise.window;
/** Brute force: failures within the burst window (maxretry within findtime). */
export const BURST_FAILURES = JAIL_DEFAULTS.maxretry;
export const BURST_WINDOW_MS = JAIL_DEFAULTS.findtime;
/** Slow brute force: failures within the slow window. */
export const SLOW_FAILURES = JAIL_DEFAULTS.slow.maxretry;
export const SLOW_WINDOW_MS = JAIL_DEFAULTS.slow.findtime;
/** Distinct user names tried that make credential stuffing / user enumeration. */
export const MANY_USERS = 5;
/** Reputation (abuse confidence 0–100) from which an address counts as known bad. */
export const BAD_REPUTATION = 50;

const ORDER: Record<Verdict, number> = { benign: 0, suspicious: 1, malicious: 2 };
const VERDICTS: readonly Verdict[] = ['benign', 'suspicious', 'malicious'];
const SEVERITY_ORDER: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** What the rules read, computed once from the input. */
export interface TriageFacts {
  internal: boolean;
  failures: TriageEvent[];
  successes: TriageEvent[];
  probes: TriageEvent[];
  /** Connections that never tried to log in, stored as sums (TriageContext.scans). */
  scans: number;
  /** Successes after ≥ COMPROMISE_MIN_FAILURES failures in the window, with those failures. */
  loginAfterFailures: TriageEvent[];
  /** Successes after a failure as another user, with those failures. */
  loginAsOtherUser: TriageEvent[];
  /** Successes after 1–2 failures, all as the same user. */
  loginAfterTypos: TriageEvent[];
  /** Successes with no failure before them in the window. */
  cleanLogins: TriageEvent[];
  /** Successes with no failure in the window but failures before it, with those failures. */
  loginAfterOldFailures: TriageEvent[];
  /** The densest BURST_WINDOW_MS of failures. */
  burst: TriageEvent[];
  /** The densest SLOW_WINDOW_MS of failures. */
  slow: TriageEvent[];
  /** One failure per distinct user name. */
  distinctUsers: TriageEvent[];
  /** Events whose user name reads like instructions or shell, not a login name. */
  poisoned: TriageEvent[];
  /** Successes by users that logged in from here before. */
  knownUserLogins: TriageEvent[];
  blocklists: string[];
  reputation: number | null;
  /** Finding kinds detection raised with the jails' own thresholds. */
  detected: FindingKind[];
}

export type RuleEffect = 'floor' | 'raise' | 'cap';

export interface TriageRule {
  /** Stable reason code: i18n key `triage.reason.<code>`, eval datasets, the web console. */
  code: string;
  effect: RuleEffect;
  /** floor: at least this; cap: at most this; raise: ignored (one step up). */
  verdict: Verdict;
  severity: Severity;
  /** floor/cap: the confidence this rule alone gives; raise: what it adds. */
  weight: number;
  /** The evidence (event ids, possibly none) when the rule applies, else null. */
  applies(f: TriageFacts): number[] | null;
}

const ids = (events: readonly TriageEvent[]) =>
  events.length === 0 ? null : events.map((e) => e.id);
/** Below every brute-force threshold. */
const bruteForce = (f: TriageFacts) =>
  f.burst.length >= BURST_FAILURES ||
  f.slow.length >= SLOW_FAILURES ||
  f.distinctUsers.length >= MANY_USERS;
const compromised = (f: TriageFacts) =>
  f.loginAfterFailures.length > 0 || f.loginAsOtherUser.length > 0;

/** The rules, most severe first. Read top to bottom as a table. */
// prettier-ignore
export const RULES: readonly TriageRule[] = [
  // code                          effect   verdict        severity    weight
  rule('login-after-failures',     'floor', 'malicious',  'critical', 0.95, (f) => f.internal ? null : ids(f.loginAfterFailures)),
  rule('login-as-other-user',      'floor', 'malicious',  'critical', 0.9,  (f) => f.internal ? null : ids(f.loginAsOtherUser)),
  rule('internal-login-after-failures', 'floor', 'malicious', 'high', 0.85, (f) => f.internal ? ids([...f.loginAfterFailures, ...f.loginAsOtherUser]) : null),
  rule('many-users',               'floor', 'malicious',  'high',     0.9,  (f) => f.distinctUsers.length >= MANY_USERS ? ids(f.distinctUsers) : null),
  rule('bruteforce',               'floor', 'malicious',  'medium',   0.85, (f) => f.burst.length >= BURST_FAILURES ? ids(f.burst) : null),
  rule('slow-bruteforce',          'floor', 'malicious',  'medium',   0.8,  (f) => f.slow.length >= SLOW_FAILURES ? ids(f.slow) : null),
  rule('detected-compromise',      'floor', 'malicious',  'critical', 0.85, (f) => !f.internal && f.detected.includes('compromise') ? ids([...f.failures, ...f.successes]) : null),
  rule('detected-bruteforce',      'floor', 'malicious',  'medium',   0.75, (f) => !f.internal && f.detected.some((k) => k !== 'compromise') ? ids(f.failures) : null),
  rule('poisoned-username',        'floor', 'malicious',  'high',     0.85, (f) => f.internal ? null : ids(f.poisoned)),
  rule('internal-poisoned-username', 'floor', 'suspicious', 'medium', 0.75, (f) => f.internal ? ids(f.poisoned) : null),
  rule('login-after-old-failures', 'floor', 'suspicious', 'low',      0.6,  (f) => f.internal ? null : ids(f.loginAfterOldFailures)),
  rule('few-failures',             'floor', 'suspicious', 'low',      0.55, (f) => f.successes.length === 0 && !bruteForce(f) ? ids(f.failures) : null),
  rule('probes',                   'floor', 'suspicious', 'low',      0.5,  (f) => f.failures.length === 0 && f.successes.length === 0 && (f.probes.length > 0 || f.scans > 0) ? f.probes.map((e) => e.id) : null),
  rule('scanned',                  'floor', 'suspicious', 'low',      0.5,  (f) => f.scans > 0 && f.failures.length > 0 && f.successes.length === 0 ? [] : null),
  rule('login-after-typos',        'floor', 'benign',     'low',      0.8,  (f) => compromised(f) ? null : ids(f.loginAfterTypos)),
  rule('known-user',               'floor', 'benign',     'low',      0.75, (f) => compromised(f) ? null : ids(f.knownUserLogins)),
  rule('clean-login',              'floor', 'benign',     'low',      0.7,  (f) => ids(f.cleanLogins)),
  rule('blocklisted',              'raise', 'malicious',  'medium',   0.1,  (f) => f.blocklists.length > 0 ? [] : null),
  rule('bad-reputation',           'raise', 'malicious',  'medium',   0.1,  (f) => f.reputation !== null && f.reputation >= BAD_REPUTATION ? [] : null),
  rule('internal',                 'cap',   'benign',     'low',      0.85, (f) => f.internal && !compromised(f) && f.poisoned.length === 0 ? [] : null),
];

function rule(
  code: string,
  effect: RuleEffect,
  verdict: Verdict,
  severity: Severity,
  weight: number,
  applies: (f: TriageFacts) => number[] | null,
): TriageRule {
  return { code, effect, verdict, severity, weight, applies };
}

/** The verdict on one source. Pure: same input, same result. */
export function triage(input: TriageInput, rules: readonly TriageRule[] = RULES): TriageResult {
  const facts = triageFacts(input);
  const hits = rules.flatMap((r) => {
    const evidence = r.applies(facts);
    return evidence === null ? [] : [{ rule: r, evidence }];
  });
  const floors = hits.filter((h) => h.rule.effect === 'floor');
  let level = Math.max(0, ...floors.map((h) => ORDER[h.rule.verdict]));
  // Intel raises what the events show; it does not invent activity.
  const raises = hits.filter((h) => h.rule.effect === 'raise');
  if (raises.length > 0 && (floors.length > 0 || input.events.length > 0))
    level = Math.min(2, level + 1);
  const caps = hits.filter((h) => h.rule.effect === 'cap');
  for (const c of caps) level = Math.min(level, ORDER[c.rule.verdict]);
  const verdict = VERDICTS[level]!;

  // Behind the verdict: floors that reached it (or the cap that set it); the rest corroborate.
  const deciding = caps.some((c) => ORDER[c.rule.verdict] === level && level < maxFloor(floors))
    ? caps
    : floors.filter((h) => ORDER[h.rule.verdict] === level);
  const lead = deciding.length > 0 ? Math.max(...deciding.map((h) => h.rule.weight)) : 0.5;
  const corroborating = hits.filter(
    (h) => !deciding.includes(h) && (h.rule.effect === 'raise' || ORDER[h.rule.verdict] === level),
  );
  const confidence = round(
    Math.min(0.99, lead + corroborating.reduce((s, h) => s + corroborationOf(h.rule), 0)),
  );

  const relevant = [
    ...deciding,
    ...corroborating,
    ...hits.filter((h) => !deciding.includes(h) && !corroborating.includes(h)),
  ];
  const severity =
    verdict === 'benign'
      ? 'low'
      : relevant
          .filter((h) => h.rule.effect !== 'cap')
          .map((h) => h.rule.severity)
          .reduce<Severity>((a, b) => (SEVERITY_ORDER[b] > SEVERITY_ORDER[a] ? b : a), 'low');
  const evidence = [...new Set(relevant.flatMap((h) => h.evidence))].sort((a, b) => a - b);
  return {
    verdict,
    confidence,
    severity,
    reasons: relevant.map((h) => h.rule.code),
    evidence,
  };
}

function maxFloor(floors: readonly { rule: TriageRule }[]): number {
  return Math.max(0, ...floors.map((h) => ORDER[h.rule.verdict]));
}

function corroborationOf(r: TriageRule): number {
  return r.effect === 'raise' ? r.weight : 0.03;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The facts the rules read. Exported for the explain views and tests. */
export function triageFacts(input: TriageInput): TriageFacts {
  const events = [...input.events].sort((a, b) => a.time - b.time || a.id - b.id);
  const failures = events.filter((e) => e.result === 'fail');
  const successes = events.filter((e) => e.result === 'success');
  const probes = events.filter((e) => e.result === 'nofail');
  const known = new Set(input.context.knownUsers);
  const facts: TriageFacts = {
    internal: input.context.internal,
    failures,
    successes,
    probes,
    scans: input.context.scans ?? 0,
    loginAfterFailures: [],
    loginAsOtherUser: [],
    loginAfterTypos: [],
    cleanLogins: [],
    loginAfterOldFailures: [],
    burst: densest(failures, BURST_WINDOW_MS),
    slow: densest(failures, SLOW_WINDOW_MS),
    distinctUsers: distinctByUser(failures),
    poisoned: events.filter((e) => e.user !== null && isPoisonedUser(e.user)),
    knownUserLogins: successes.filter((e) => e.user !== null && known.has(e.user)),
    blocklists: input.context.blocklists,
    reputation: input.context.reputation,
    detected: input.context.detected ?? [],
  };
  for (const s of successes) {
    const before = failures.filter(
      (f) => f.time <= s.time && f.time > s.time - COMPROMISE_WINDOW_MS && f.id !== s.id,
    );
    const others = before.filter((f) => f.user !== null && s.user !== null && f.user !== s.user);
    if (before.length >= COMPROMISE_MIN_FAILURES) facts.loginAfterFailures.push(...before, s);
    if (others.length > 0) facts.loginAsOtherUser.push(...others, s);
    if (before.length === 0) {
      facts.cleanLogins.push(s);
      const older = failures.filter((f) => f.time <= s.time - COMPROMISE_WINDOW_MS);
      if (older.length > 0) facts.loginAfterOldFailures.push(...older, s);
    } else if (before.length < COMPROMISE_MIN_FAILURES && others.length === 0)
      facts.loginAfterTypos.push(...before, s);
  }
  facts.loginAfterFailures = unique(facts.loginAfterFailures);
  facts.loginAsOtherUser = unique(facts.loginAsOtherUser);
  facts.loginAfterTypos = unique(facts.loginAfterTypos);
  facts.loginAfterOldFailures = unique(facts.loginAfterOldFailures);
  return facts;
}

/** The largest run of events inside any window of `span` ms (events sorted by time). */
function densest(events: readonly TriageEvent[], span: number): TriageEvent[] {
  let best: TriageEvent[] = [];
  let start = 0;
  for (let end = 0; end < events.length; end++) {
    while (events[end]!.time - events[start]!.time >= span) start++;
    if (end - start + 1 > best.length) best = events.slice(start, end + 1);
  }
  return best;
}

function distinctByUser(events: readonly TriageEvent[]): TriageEvent[] {
  const seen = new Map<string, TriageEvent>();
  for (const e of events) if (e.user !== null && !seen.has(e.user)) seen.set(e.user, e);
  return [...seen.values()];
}

function unique(events: readonly TriageEvent[]): TriageEvent[] {
  return [...new Map(events.map((e) => [e.id, e])).values()];
}
