/**
 * The `intel:` section of sheriff.yaml: GeoIP databases, blocklists and
 * reputation services. Everything is optional and off by default; Sheriff
 * works offline. API keys come from the environment or a 0600 file, never
 * from this file.
 */
import { z } from 'zod';
import { duration } from '../config/duration-schema.js';

const blocklistSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'config.error.listName' })
      .describe('name shown in verdicts, e.g. firehol_level1'),
    path: z.string().min(1).optional().describe('local file with the list'),
    url: z
      .url()
      .optional()
      .describe('where to download the list (kept beside the store, refreshed on a schedule)'),
    format: z
      .enum(['auto', 'netset', 'spamhaus-drop', 'plain'])
      .default('auto')
      .describe('netset: FireHOL; spamhaus-drop: JSON lines; plain: one address or CIDR a line'),
    refresh: duration('1d').default(86_400_000).describe('how often a URL is downloaded again'),
  })
  .refine((b) => (b.path === undefined) !== (b.url === undefined), {
    error: 'config.error.pathOrUrl',
  });

const reputationService = (envName: string, baseUrl: string, perMinute: number) =>
  z
    .strictObject({
      keyFile: z
        .string()
        .optional()
        .describe(`file (mode 0600) holding the API key; default: env ${envName}`),
      baseUrl: z
        .url()
        .default(baseUrl)
        .transform((u) => u.replace(/\/+$/, ''))
        .describe('API root (a test double in tests)'),
      ttl: duration('1d').default(86_400_000).describe('how long an answer is cached'),
      perMinute: z
        .number()
        .int()
        .min(1)
        .default(perMinute)
        .describe('requests per minute at most (the rest wait for the cache)'),
      timeout: duration('5s').default(5000),
    })
    .optional();

/** The variable each reputation service's API key is read from when it has no keyFile. */
export const REPUTATION_KEY_ENV = {
  abuseipdb: 'SHERIFF_ABUSEIPDB_KEY',
  greynoise: 'SHERIFF_GREYNOISE_KEY',
  otx: 'SHERIFF_OTX_KEY',
} as const;

export type ReputationService = keyof typeof REPUTATION_KEY_ENV;

export const intelSchema = z
  .strictObject({
    geoip: z
      .strictObject({
        country: z
          .string()
          .optional()
          .describe('MaxMind-format country database (GeoLite2-Country.mmdb, dbip-country-lite)'),
        asn: z.string().optional().describe('MaxMind-format ASN database (GeoLite2-ASN.mmdb)'),
      })
      .prefault({}),
    blocklists: z
      .array(blocklistSchema)
      .default([])
      // A URL list's download is kept in a file named after the list.
      .superRefine((lists, ctx) => {
        const seen = new Set<string>();
        lists.forEach((b, i) => {
          if (seen.has(b.name))
            ctx.addIssue({
              code: 'custom',
              path: [i, 'name'],
              message: 'config.error.listTaken',
              params: { name: b.name },
            });
          seen.add(b.name);
        });
      }),
    abuseipdb: reputationService(REPUTATION_KEY_ENV.abuseipdb, 'https://api.abuseipdb.com', 10),
    greynoise: reputationService(REPUTATION_KEY_ENV.greynoise, 'https://api.greynoise.io', 10),
    otx: reputationService(REPUTATION_KEY_ENV.otx, 'https://otx.alienvault.com', 10),
  })
  .prefault({});

export type IntelConfig = z.output<typeof intelSchema>;
export type BlocklistConfig = IntelConfig['blocklists'][number];
export type ReputationConfig = NonNullable<IntelConfig['abuseipdb']>;
