/**
 * sheriff.yaml, as a strict schema assembled from each area's section
 * (`<area>/config.ts`). The descriptions are the user documentation (`sheriff
 * config print --explain` shows them); every unknown key is an error, so a typo
 * never silently falls back to a default. Errors are message keys of
 * i18n/config.ts, rendered by load-config.ts.
 */
import { z } from 'zod';
import { agentConfigSchema } from '../agent/config.js';
import { jailsSchema } from '../detect/config.js';
import { evalConfigSchema } from '../eval/config.js';
import { checkJailFilters, filtersConfigSchema } from '../filters/config.js';
import { fleetSchema, hubSchema } from '../fleet/config.js';
import { intelSchema } from '../intel/config.js';
import { cidrSchema } from '../net/cidr-schema.js';
import { notifySchema } from '../notify/config.js';
import { TimeZone } from '../parse/zone.js';
import { reportSchema } from '../report/config.js';
import { responseSchema } from '../respond/config.js';
import { sourcesSchema } from '../sources/config.js';
import { storeSchema } from '../store/config.js';
import { webSchema } from '../web/config.js';

function isTimeZone(tz: string | undefined): boolean {
  if (tz === undefined) return true;
  try {
    new TimeZone(tz);
    return true;
  } catch {
    return false;
  }
}

export const configSchema = z
  .strictObject({
    language: z.enum(['ko', 'en']).default('en').describe('language of alerts and messages'),
    timezone: z
      .string()
      .optional()
      .refine(isTimeZone, { error: 'config.error.timeZone' })
      .describe("time zone of log timestamps that carry none (default: this machine's)"),
    store: storeSchema,
    sources: sourcesSchema,
    trusted: z
      .array(cidrSchema)
      .default([])
      .describe('networks never treated as threats, besides the built-in private ranges'),
    jails: jailsSchema,
    filters: filtersConfigSchema.describe('filters besides the built-in ones'),
    response: responseSchema,
    notify: notifySchema.describe('Telegram, webhooks, and how a flood of alerts is grouped'),
    intel: intelSchema.describe(
      'GeoIP, blocklists and reputation services (all optional, offline by default)',
    ),
    report: reportSchema.describe('the daily report: schedule and contents'),
    web: webSchema.describe('the web console and JSON API served by `sheriff watch`'),
    agent: agentConfigSchema.describe(
      'the LLM analyst: provider, model, budgets (none: command mode)',
    ),
    fleet: fleetSchema,
    hub: hubSchema,
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
    // A jail's filter may be a user filter: the filters section says where those are.
    checkJailFilters(cfg.jails, cfg.filters, ctx);
    // A source may name only jails that exist.
    cfg.sources.forEach((s, i) => {
      for (const j of s.jails ?? [])
        if (!(j in cfg.jails))
          ctx.addIssue({
            code: 'custom',
            path: ['sources', i, 'jails'],
            message: 'config.error.unknownJail',
            input: j,
          });
    });
  });

export type SheriffConfig = z.output<typeof configSchema>;
