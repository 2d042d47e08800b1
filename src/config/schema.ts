/**
 * sheriff.yaml, as a strict schema. The descriptions are the user documentation
 * (`sheriff config print --explain` shows them); every unknown key is an error,
 * so a typo never silently falls back to a default.
 */
import { z } from 'zod';
import { duration } from './duration-schema.js';
import { BUILTIN_FILTERS } from '../filters/registry.js';
import { parseCidr } from '../net/cidr.js';
import { TimeZone } from '../parse/zone.js';
import { JAIL_DEFAULTS } from '../detect/jail.js';
import { agentConfigSchema } from '../agent/config.js';
import { evalConfigSchema } from '../eval/config.js';
import { notifySchema } from '../notify/config.js';
import { intelSchema } from '../intel/config.js';
import { reportSchema } from '../report/config.js';
import { webSchema } from '../web/config.js';

const cidr = z.string().transform((v, ctx) => {
  try {
    return parseCidr(v).text;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const count = (min: number) =>
  z
    .number({ error: (i) => `expected a whole number, got ${JSON.stringify(i.input)}` })
    .int({ error: (i) => `expected a whole number, got ${JSON.stringify(i.input)}` })
    .min(min, { error: `must be at least ${min}` });

const hostPort = z.string().transform((v, ctx) => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (m === null || port < 1 || port > 65535) {
    ctx.addIssue({
      code: 'custom',
      message: `expected host:port like 127.0.0.1:5514 or [::1]:5514, got "${v}"`,
    });
    return z.NEVER;
  }
  return { host: m[1] ?? m[2]!, port };
});

const sourceJails = z
  .array(z.string())
  .optional()
  .describe('jails that read this source (default: every enabled jail)');

const fileSource = z.strictObject({
  type: z.literal('file'),
  path: z.string().min(1).describe('log file to follow, e.g. /var/log/auth.log'),
  rotated: z
    .array(z.string())
    .optional()
    .describe(
      'where rotated copies go besides <path>.N[.gz] and <path>-DATE[.gz] (paths or globs, relative to the file, e.g. old/auth.log.*), to read lines left in them',
    ),
  pollInterval: duration('1s').default(1000).describe('polling fallback besides inotify'),
  startAtBeginning: z
    .boolean()
    .default(false)
    .describe('read the existing file from its start the first time'),
  jails: sourceJails,
});

const journaldSource = z.strictObject({
  type: z.literal('journald'),
  units: z
    .array(z.string())
    .default(['ssh.service', 'sshd.service'])
    .describe('systemd units to read (sshd is also matched by its trusted _COMM)'),
  journalctl: z.string().default('journalctl').describe('path of the journalctl program'),
  jails: sourceJails,
});

const syslogSource = z.strictObject({
  type: z.literal('syslog'),
  listen: hostPort
    .default({ host: '127.0.0.1', port: 5514 })
    .describe('address to receive syslog on'),
  protocols: z
    .array(z.enum(['udp', 'tcp']))
    .min(1)
    .default(['udp', 'tcp']),
  maxMessageBytes: count(512).default(65536),
  jails: sourceJails,
});

const stdinSource = z.strictObject({ type: z.literal('stdin'), jails: sourceJails });

export const sourceSchema = z.discriminatedUnion(
  'type',
  [fileSource, journaldSource, syslogSource, stdinSource],
  {
    error: (i) =>
      i.code === 'invalid_union'
        ? 'expected a source with type file, journald, syslog or stdin'
        : undefined,
  },
);

const jailSchema = z.strictObject({
  enabled: z.boolean().default(true),
  policy: z
    .enum(['notify', 'approve', 'auto'])
    .default('approve')
    .describe(
      'notify: alert only; approve: ban after a human approves (default); auto: ban at once',
    ),
  bantime: duration('1h').optional().describe('first ban length (default: response.bantime)'),
  filter: z.string().optional().describe('built-in filter (default: the jail name)'),
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

export const configSchema = z
  .strictObject({
    language: z.enum(['ko', 'en']).default('en').describe('language of alerts and messages'),
    timezone: z
      .string()
      .optional()
      .refine(
        (tz) => {
          if (tz === undefined) return true;
          try {
            new TimeZone(tz);
            return true;
          } catch {
            return false;
          }
        },
        {
          error: (i) =>
            `unknown time zone ${JSON.stringify(i.input)} (expected an IANA name like Asia/Seoul)`,
        },
      )
      .describe("time zone of log timestamps that carry none (default: this machine's)"),
    store: z
      .strictObject({
        path: z
          .string()
          .optional()
          .describe(
            'SQLite file (default: /var/lib/sheriff/sheriff.db as root, else ~/.local/state/sheriff/sheriff.db)',
          ),
        retention: z
          .strictObject({
            maxAge: duration('90d').default(90 * 86_400_000),
            maxEvents: count(1000).default(5_000_000),
          })
          .prefault({}),
      })
      .prefault({}),
    sources: z
      .array(sourceSchema)
      .default([])
      .describe('empty: /var/log/auth.log, else /var/log/secure, else journald'),
    trusted: z
      .array(cidr)
      .default([])
      .describe('networks never treated as threats, besides the built-in private ranges'),
    jails: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), jailSchema)
      .default({ sshd: jailSchema.parse({}) }),
    response: z
      .strictObject({
        firewall: z
          .enum(['auto', 'nftables', 'iptables', 'ufw', 'dry-run'])
          .default('dry-run')
          .describe(
            'dry-run (the default: bans are logged, nothing is blocked until you choose a backend); auto: nftables where nft exists and Sheriff is root, else iptables+ipset, else dry-run',
          ),
        bantime: duration('1h').default(3_600_000).describe('first ban length'),
        increment: z
          .strictObject({
            factor: z.number().min(1).default(2),
            max: duration('1w').default(7 * 86_400_000),
          })
          .prefault({})
          .describe('repeat offenders: bantime × factor^(earlier bans), at most max'),
        approvalTimeout: duration('15m')
          .default(15 * 60_000)
          .describe('a pending approval expires after this'),
        admins: z
          .array(cidr)
          .default([])
          .describe(
            'admin addresses and networks: never banned, the only ones reaching a host under isolate',
          ),
        approvers: z
          .strictObject({
            cli: z.array(z.string()).default(['root']).describe('Unix users who may approve'),
          })
          .prefault({}),
        maxBansPerMinute: count(1)
          .default(30)
          .describe('circuit breaker: automatic bans stop beyond this'),
        breakerCooldown: duration('10m').default(10 * 60_000),
        killConnections: z
          .boolean()
          .default(false)
          .describe('also cut established connections of a banned address (ss -K)'),
        isolateRevertAfter: duration('5m')
          .default(5 * 60_000)
          .describe('isolate undoes itself unless confirmed'),
        managementPorts: z.array(z.number().int().min(1).max(65535)).default([22]),
        reconcileInterval: duration('1m')
          .default(60_000)
          .describe(
            'how often the firewall is compared with the store (a flushed ruleset is restored)',
          ),
      })
      .prefault({}),
    notify: notifySchema.describe('Telegram, webhooks, and how a flood of alerts is grouped'),
    intel: intelSchema.describe(
      'GeoIP, blocklists and reputation services (all optional, offline by default)',
    ),
    report: reportSchema.describe('the daily report: schedule and contents'),
    web: webSchema.describe('the web console and JSON API served by `sheriff watch`'),
    agent: agentConfigSchema.describe(
      'the LLM analyst: provider, model, budgets (none: command mode)',
    ),
    eval: evalConfigSchema.describe(
      'prompt programs, token prices and the answer cache of `sheriff eval`/`optimize`',
    ),
    log: z
      .strictObject({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
        format: z
          .enum(['auto', 'json', 'pretty'])
          .default('auto')
          .describe('auto: pretty on a terminal, JSON otherwise'),
      })
      .prefault({}),
  })
  .superRefine((cfg, ctx) => {
    for (const [name, jail] of Object.entries(cfg.jails)) {
      const filter = jail.filter ?? name;
      const spec = BUILTIN_FILTERS.get(filter);
      if (spec === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['jails', name, jail.filter === undefined ? 'filter' : 'filter'],
          message: `unknown filter "${filter}" (built-in: ${[...BUILTIN_FILTERS.keys()].join(', ')})`,
        });
      } else if (jail.mode !== undefined && !spec.modes.includes(jail.mode)) {
        ctx.addIssue({
          code: 'custom',
          path: ['jails', name, 'mode'],
          message: `filter ${filter} has no mode "${jail.mode}" (modes: ${spec.modes.join(', ')})`,
        });
      }
    }
    cfg.sources.forEach((s, i) => {
      for (const j of s.jails ?? [])
        if (!(j in cfg.jails))
          ctx.addIssue({
            code: 'custom',
            path: ['sources', i, 'jails'],
            message: `no jail named "${j}"`,
          });
    });
  });

export type SheriffConfig = z.output<typeof configSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type JailConfig = z.output<typeof jailSchema>;
