/** The `jails:` section of sheriff.yaml: which filters run, with which thresholds and policy. */
import { z } from 'zod';
import { count } from '../config/count-schema.js';
import { duration } from '../config/duration-schema.js';
import { JAIL_DEFAULTS } from './jail.js';

const jailSchema = z.strictObject({
  enabled: z.boolean().default(true),
  policy: z
    .enum(['notify', 'approve', 'auto'])
    .default('approve')
    .describe(
      'notify: alert only; approve: ban after a human approves (default); auto: ban at once',
    ),
  bantime: duration('1h').optional().describe('first ban length (default: response.bantime)'),
  filter: z
    .string()
    .optional()
    .describe('built-in or user filter (default: the jail name); `sheriff filters` lists them'),
  mode: z.string().optional().describe("filter mode (default: the filter's own)"),
  maxretry: count(1)
    .default(JAIL_DEFAULTS.maxretry)
    .describe('failures within findtime that make a finding'),
  findtime: duration().default(JAIL_DEFAULTS.findtime),
  slow: z
    .union([
      z.literal(false),
      z.strictObject({
        maxretry: count(1).default(JAIL_DEFAULTS.slow.maxretry),
        findtime: duration('12h').default(JAIL_DEFAULTS.slow.findtime),
      }),
    ])
    .prefault({})
    .describe('slow brute force: maxretry failures within findtime, or false to turn it off'),
  compromise: z
    .strictObject({
      minFailures: count(1).default(JAIL_DEFAULTS.compromise.minFailures),
      window: duration('12h').default(JAIL_DEFAULTS.compromise.window),
    })
    .prefault({})
    .describe('a login after this many failures (or after failures as another user) is a break-in'),
  persistent: z
    .union([
      z.literal(false),
      z.strictObject({
        window: duration('7d').default(JAIL_DEFAULTS.persistent.window),
        minFailures: count(1).default(JAIL_DEFAULTS.persistent.minFailures),
        minDays: count(1).default(JAIL_DEFAULTS.persistent.minDays),
      }),
    ])
    .prefault({})
    .describe(
      'persistent attacker: minFailures on at least minDays days within window (from the store), or false',
    ),
  stuffing: z
    .union([
      z.literal(false),
      z.strictObject({
        window: duration('7d').default(JAIL_DEFAULTS.stuffing.window),
        minUsers: count(1).default(JAIL_DEFAULTS.stuffing.minUsers),
      }),
    ])
    .prefault({})
    .describe('credential stuffing: minUsers different accounts tried within window, or false'),
  ipv6Prefix: z
    .number()
    .int()
    .min(0)
    .max(128)
    .default(JAIL_DEFAULTS.ipv6Prefix)
    .describe('0 turns prefix counting off'),
  maxTracked: count(100)
    .default(JAIL_DEFAULTS.maxTracked)
    .describe('addresses tracked at once; least recent evicted'),
});

/**
 * The jails by name; each names a filter (its own name by default) and one of its modes,
 * checked against the filters in force by the whole configuration's schema (app/config.ts).
 */
export const jailsSchema = z
  .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), jailSchema)
  .default({ sshd: jailSchema.parse({}) });

export type JailConfig = z.output<typeof jailSchema>;
