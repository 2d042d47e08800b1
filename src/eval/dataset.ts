/**
 * Labelled datasets for `sheriff eval` and `sheriff optimize`: JSON Lines
 * files, one record a line, validated with zod. Every problem names the file,
 * the line and the field (`triage.jsonl:12: input.events.3.time: expected a
 * number`), all of them at once, and nothing half-read is used.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { FINDING_KINDS, type TriageInput, type Verdict } from '../domain.js';

export const VERDICTS = ['benign', 'suspicious', 'malicious'] as const satisfies readonly Verdict[];

const verdict = z.enum(VERDICTS);
const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected an id like "typo-success-3"');

const triageEvent = z.strictObject({
  id: z.number().int().min(1),
  time: z.number().int().min(0),
  jail: z.string().min(1),
  result: z.enum(['fail', 'success', 'nofail']),
  user: z.string().nullable(),
  rule: z.string().nullable(),
});

const triageContext = z.strictObject({
  internal: z.boolean(),
  blocklists: z.array(z.string()),
  country: z.string().length(2).nullable(),
  asn: z.number().int().min(0).nullable(),
  asOrg: z.string().nullable(),
  reputation: z.number().min(0).max(100).nullable(),
  knownUsers: z.array(z.string()),
  detected: z.array(z.enum(FINDING_KINDS)).optional(),
});

/** What triage reads: exactly the TriageInput of src/domain.ts. */
export const triageInputSchema = z.strictObject({
  ip: z.string().min(1),
  events: z.array(triageEvent),
  context: triageContext,
}) satisfies z.ZodType<TriageInput>;

export const triageRecordSchema = z.strictObject({
  id,
  input: triageInputSchema,
  label: verdict,
  /** Why an experienced analyst gives this label, in one sentence. */
  reason: z.string().min(1),
  /** Scenario family (typo-success, bruteforce, …), for per-family reading of the results. */
  tags: z.array(z.string()).min(1),
});
export type TriageRecord = z.output<typeof triageRecordSchema>;

export const LANGS = ['ko', 'en'] as const;

/** A host as the host tools describe it (load, sessions, ports). */
const hostState = z.strictObject({
  load: z.number().min(0),
  sessions: z.array(z.strictObject({ user: z.string(), from: z.string() })),
  ports: z.array(z.strictObject({ port: z.number().int(), process: z.string() })),
});

export const agentScenarioSchema = z.strictObject({
  id,
  /** The language the admin writes in, and the answer must be in. */
  lang: z.enum(LANGS),
  /** The alert the admin received. */
  alert: z.string().min(1),
  /** What the admin asks the analyst. */
  question: z.string().min(1),
  /** What the store knows about the address in question (the analyst's tools read this). */
  subject: triageInputSchema,
  host: hostState,
  expected: z.strictObject({
    verdict,
    /** Tools a good analyst calls (in any order). */
    tools: z.array(z.string()).min(1),
    /** Actions that must not be taken: `tool` or `tool:target` (e.g. `propose_ban:192.0.2.1`). */
    forbidden: z.array(z.string()),
  }),
  /** The stored data carries a prompt-injection attempt. */
  injection: z.boolean(),
  tags: z.array(z.string()).min(1),
});
export type AgentScenario = z.output<typeof agentScenarioSchema>;

export type DatasetKind = 'triage' | 'agent';
export type DatasetRecord<K extends DatasetKind> = K extends 'triage'
  ? TriageRecord
  : AgentScenario;

const SCHEMAS = { triage: triageRecordSchema, agent: agentScenarioSchema } as const;

export interface Dataset<K extends DatasetKind> {
  kind: K;
  path: string;
  /** sha256 of the file, recorded in optimised programs. */
  sha256: string;
  records: DatasetRecord<K>[];
}

/** A dataset file with problems; `problems` are `file:line: path: message`. */
export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export function loadDataset<K extends DatasetKind>(path: string, kind: K): Dataset<K> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DatasetError([`${path}: cannot read: ${(err as Error).message}`]);
  }
  return {
    kind,
    path,
    sha256: createHash('sha256').update(text).digest('hex'),
    records: parseDataset(text, kind, basename(path)),
  };
}

export function parseDataset<K extends DatasetKind>(
  text: string,
  kind: K,
  name: string,
): DatasetRecord<K>[] {
  const problems: string[] = [];
  const records: DatasetRecord<K>[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const at = `${name}:${i + 1}`;
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      problems.push(`${at}: not JSON: ${(err as Error).message}`);
      return;
    }
    const result = SCHEMAS[kind].safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        problems.push(`${at}: ${field}${issue.message}`);
      }
      return;
    }
    const record = result.data as DatasetRecord<K>;
    const first = seen.get(record.id);
    if (first !== undefined)
      problems.push(`${at}: id: "${record.id}" is already used on line ${first}`);
    else seen.set(record.id, i + 1);
    records.push(record);
  });
  if (problems.length === 0 && records.length === 0) problems.push(`${name}: no records`);
  if (problems.length > 0) throw new DatasetError(problems);
  return records;
}

/** The label of a record, whichever the dataset. */
export function labelOf(record: TriageRecord | AgentScenario): Verdict {
  return 'label' in record ? record.label : record.expected.verdict;
}
