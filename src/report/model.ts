/**
 * The daily report as it is stored (the reports table, JSON) and delivered.
 * The shape is versioned: a stored report is read back through
 * `parseReport`, which accepts only the versions this code can render, so a
 * row written by another Sheriff version reads as "no report" instead of
 * crashing a reader. Text fields (user names, process names) are attacker- or
 * program-written data; renderers cap and quote them.
 */
// zod's small build: a command that shows a report loads some 20 KB of it, not 580.
import * as z from 'zod/mini';
import type { Enrichment } from '../domain.js';
import { STATUS_REASON_CODES, type ServerStatus } from '../incidents/status.js';

export const REPORT_VERSION = 1;

const count = z.int().check(z.minimum(0));
const millis = z.int();

const statusSchema = z.object({
  level: z.enum(['normal', 'caution', 'danger']),
  reasons: z.array(
    z.object({
      code: z.enum(STATUS_REASON_CODES),
      params: z.record(z.string(), z.union([z.string(), z.number()])),
      incidents: z.array(z.number()),
    }),
  ),
}) satisfies z.ZodMiniType<ServerStatus>;

/** What happened in one 24-hour window. */
const countsSchema = z.object({
  /** Failed attempts. */
  failures: count,
  /** Distinct addresses with failures. */
  attackers: count,
  /** Bans decided in the window and applied. */
  bans: count,
  /** Of those, how many a dry-run firewall "applied": nothing was blocked (absent in older reports). */
  bansNotEnforced: z.optional(count),
  /** Incidents opened in the window. */
  incidents: count,
});

const enrichmentSchema = z.object({
  internal: z.boolean(),
  blocklists: z.array(z.string()),
  country: z.nullable(z.string()),
  asn: z.nullable(z.number()),
  asOrg: z.nullable(z.string()),
  reputation: z.nullable(z.number()),
  sources: z.record(z.string(), z.string()),
}) satisfies z.ZodMiniType<Enrichment>;

const attackerSchema = z.object({
  ip: z.string(),
  failures: count,
  /** Distinct user names tried. */
  users: count,
  first: millis,
  last: millis,
  enrichment: z.nullable(enrichmentSchema),
});

/** The successful logins of one user from one address in the window. */
const loginSchema = z.object({
  user: z.nullable(z.string()),
  ip: z.nullable(z.string()),
  host: z.nullable(z.string()),
  count: count,
  first: millis,
  last: millis,
  /** This user had never logged in from this address before (as far back as the store keeps events). */
  newAddress: z.boolean(),
});

const portSchema = z.object({
  address: z.string(),
  port: z.int(),
  /** Names of the listening processes (program-chosen text). */
  processes: z.array(z.string()),
});

const portsSchema = z.object({
  listening: z.array(portSchema),
  /** The date of the report compared with, or null when there was none with a listing. */
  comparedWith: z.nullable(z.string()),
  appeared: z.array(portSchema),
  vanished: z.array(portSchema),
});

/** A live session at report time: a utmp login (user and tty) or an SSH connection (neither). */
const sessionSchema = z.object({
  user: z.nullable(z.string()),
  tty: z.nullable(z.string()),
  address: z.string(),
});

const dailyReportSchema = z.object({
  version: z.literal(REPORT_VERSION),
  /** The local date (YYYY-MM-DD) of the run, in `timezone`: the report's key in the store. */
  date: z.string().check(z.regex(/^\d{4}-\d\d-\d\d$/)),
  /** The IANA zone the report was made in; its times are shown in it. */
  timezone: z.string(),
  /** The window: [from, to), 24 hours ending at the run. */
  from: millis,
  to: millis,
  /** The status level when the report was made, with its reasons. */
  status: statusSchema,
  day: countsSchema,
  /** The same counts for the 24 hours before `from`. */
  dayBefore: countsSchema,
  topAttackers: z.array(attackerSchema),
  logins: z.object({
    total: count,
    /** Per user and address; addresses new for the user first, then by time. */
    groups: z.array(loginSchema),
  }),
  /** Null when not read (no host reader, ports disabled, or `ss` failed). */
  ports: z.nullable(portsSchema),
  /** Null when not read (no host reader, or listing failed). */
  sessions: z.nullable(z.array(sessionSchema)),
  /** The LLM analyst's words (advice), in `lang`. */
  commentary: z.nullable(z.object({ lang: z.enum(['ko', 'en']), text: z.string() })),
});

export type DailyReport = z.output<typeof dailyReportSchema>;
export type ReportCounts = DailyReport['day'];
export type ReportLogin = DailyReport['logins']['groups'][number];
export type ReportPort = z.output<typeof portSchema>;
export type ReportSession = z.output<typeof sessionSchema>;

/** A stored report in a shape this version renders, or null. */
export function parseReport(value: unknown): DailyReport | null {
  const r = dailyReportSchema.safeParse(value);
  return r.success ? r.data : null;
}

const DATE = /^(\d{4})-(\d\d)-(\d\d)$/;

/** The calendar date of a YYYY-MM-DD text, or null when it is not one (2026-02-30). */
export function parseDate(text: string): { y: number; m: number; d: number } | null {
  const m = DATE.exec(text);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = new Date(Date.UTC(y, mo - 1, d));
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d
    ? { y, m: mo, d }
    : null;
}
