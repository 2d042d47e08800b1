/** The `response:` section of sheriff.yaml: the firewall, ban lengths, approvals and the guardrails. */
import { z } from 'zod';
import { count } from '../config/count-schema.js';
import { duration } from '../config/duration-schema.js';
import { cidrSchema } from '../net/cidr-schema.js';
import { WEEK_MS } from './bantime.js';

export const responseSchema = z
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
    recidive: z
      .union([
        z.literal(false),
        z.strictObject({
          bans: count(2).default(5),
          findtime: duration('1d').default(86_400_000),
          bantime: duration('1w').default(WEEK_MS),
        }),
      ])
      .prefault({})
      .describe(
        "fail2ban's recidive: the ban that makes `bans` within findtime, by any jail, lasts bantime; or false",
      ),
    approvalTimeout: duration('15m')
      .default(15 * 60_000)
      .describe('a pending approval expires after this'),
    admins: z
      .array(cidrSchema)
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
  .prefault({});

export type ResponseConfig = z.output<typeof responseSchema>;
