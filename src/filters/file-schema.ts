/**
 * The schema of a filter file (filters/<name>.yaml, or a user's filters.d):
 * the FilterSpec the engine runs, plus what makes the file checkable on its
 * own: references, named pattern fragments (`defs`), samples with their
 * expected results, and the fail2ban test logs it is measured against.
 * filters/README.md is the reference for people; keep the two in step.
 */
import { z } from 'zod';

const NAME = /^[a-z0-9][a-z0-9_-]*$/;
const result = z.enum(['fail', 'success', 'nofail']);
/** Extra lines are a second way to write a list of one. */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

const ruleSchema = z.strictObject({
  id: z.string().regex(NAME),
  pattern: z.string().min(1),
  result: z.union([result, z.record(z.string(), result)]),
  begins: z.boolean().optional(),
  ends: z.boolean().optional(),
  pending: z.boolean().optional(),
  distinctUsers: z.boolean().optional(),
  givesUp: z.boolean().optional(),
  sameTry: z.boolean().optional(),
  clientTextAfterHost: z.boolean().optional(),
});

/** Another filter's rules, spliced in here (pam-generic's PAM records in dovecot). */
const includeSchema = z.strictObject({ include: z.string().regex(NAME) });

const sampleSchema = z.strictObject({
  line: z.string(),
  result: z.enum(['fail', 'success', 'nofail', 'none']),
  /** The canonical address expected; null: none. */
  address: z.string().nullable().optional(),
  /** The host text expected as logged (a host name, or an address with a zone). */
  host: z.string().nullable().optional(),
  user: z.string().nullable().optional(),
  rule: z.string().nullable().optional(),
  mode: oneOrMany(z.string()).optional(),
  injection: z.boolean().optional(),
});

const lineFormatSchema = z.strictObject({
  /** Named groups: message (required), time, host, pid, program. */
  pattern: z.string().min(1),
  /** strftime-style formats of the `time` group, tried in order. */
  time: oneOrMany(z.string().min(1)).optional(),
});

export const filterFileSchema = z.strictObject({
  name: z.string().regex(NAME),
  description: z.string().min(1),
  references: z.array(z.string().min(1)).min(1),
  /** Where the file comes from; `imported` is written by `sheriff import fail2ban`. */
  origin: z.enum(['imported']).optional(),
  programs: z.array(z.string().min(1)).min(1).nullable().default(null),
  modes: z.array(z.string().regex(NAME)).min(1).default(['normal']),
  defaultMode: z.string().optional(),
  maxMessageLength: z.number().int().min(1).optional(),
  messagePrefix: z.string().optional(),
  connections: z.boolean().optional(),
  /** Fragments used as {NAME} in patterns and in other fragments. */
  defs: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.string()).default({}),
  ignore: z.array(z.string().min(1)).default([]),
  lineFormat: lineFormatSchema.optional(),
  /** `line`: rules search the whole line (its time removed), as fail2ban's failregex do. */
  matchOn: z.enum(['message', 'line']).default('message'),
  /** strftime-style formats of the time in a line, found at its start or anywhere (fail2ban's datepattern). */
  timeFormats: z.array(z.string().min(1)).optional(),
  rules: z.array(z.union([ruleSchema, includeSchema])).min(1),
  /** Required (load.ts says so): a file read without its samples has none here. */
  samples: z.array(sampleSchema).default([]),
  fail2ban: z
    .strictObject({
      logs: z.array(z.string().regex(/^[\w.-]+$/)).min(1),
      differences: z.record(z.string(), z.string().min(1)).default({}),
    })
    .optional(),
});

export type FilterFile = z.output<typeof filterFileSchema>;
export type FilterFileRule = z.output<typeof ruleSchema>;
export type FilterFileSample = z.output<typeof sampleSchema>;
