/**
 * The `fleet:` section (a sensor: `sheriff watch` joins a fleet) and the
 * `hub:` section (`sheriff hub`) of sheriff.yaml. `sheriff fleet init` writes
 * both, with the seed files and keys they name.
 */
import { z } from 'zod';
import { count } from '../config/count-schema.js';
import { duration } from '../config/duration-schema.js';
import { DEFAULT_CROSS_HOST } from './cross-host.js';
import { HOST_NAME } from './host-name.js';

const hostName = z.string().regex(HOST_NAME);
const servers = z
  .array(z.string().regex(/^(nats|tls):\/\/\S+$/))
  .min(1)
  .describe('NATS server URLs, e.g. tls://nats.example:4222');
const connection = {
  servers,
  seedFile: z.string().describe("this client's NATS nkey seed file (mode 0600)"),
  caFile: z.string().optional().describe('the fleet CA (PEM): TLS is required when set'),
};

export const fleetSchema = z
  .strictObject({
    host: hostName.describe("this host's name in the fleet (a DNS label): the hub names it so"),
    ...connection,
    groups: z
      .array(hostName)
      .max(20)
      .default([])
      .describe('host groups this host belongs to (decisions may target a group)'),
    hubPublicKey: z
      .string()
      .describe("the hub's decision public key (PEM file): only decisions it signed are applied"),
    maxOutbox: count(100)
      .default(20_000)
      .describe('outbox rows kept while NATS is unreachable; beyond them the oldest are dropped'),
  })
  .optional()
  .describe('join a fleet: send events and findings to the hub, apply its signed decisions');

/** A PostgreSQL URL (postgres://, postgresql://; a unix socket as postgresql:///db?host=/dir). */
function isPostgresUrl(url: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** A URL that holds no password: YAML files are read by many, a secret belongs in a 0600 file. */
function hasNoPassword(url: string): boolean {
  try {
    const u = new URL(url);
    return u.password === '' && !u.searchParams.has('password');
  } catch {
    return true;
  }
}

const scope = z.union([z.literal('fleet'), z.literal('host'), z.strictObject({ group: hostName })]);

export const hubSchema = z
  .strictObject({
    ...connection,
    signingKey: z
      .string()
      .describe('the Ed25519 private key (PEM, mode 0600) that signs ban decisions'),
    replicas: z
      .union([z.literal(1), z.literal(3), z.literal(5)])
      .default(1)
      .describe('JetStream replicas of the hosts stream and the decisions bucket'),
    scope: scope
      .default('fleet')
      .describe(
        "where a ban applies: 'fleet' (every host), 'host' (the one that saw it) or { group }",
      ),
    jailScopes: z
      .record(z.string(), scope)
      .default({})
      .describe("per jail, where its bans apply (default: 'scope')"),
    database: z
      .string()
      .refine(isPostgresUrl, { error: 'config.error.databaseUrl' })
      .refine(hasNoPassword, { error: 'config.error.databasePassword' })
      .optional()
      .describe(
        "the hub's records in PostgreSQL, e.g. postgres://sheriff@db.example/sheriff, without the " +
          'password (PGPASSWORD or databasePasswordFile gives it); default: the local SQLite store',
      ),
    databasePasswordFile: z
      .string()
      .optional()
      .describe("a file (mode 0600) holding the PostgreSQL user's password"),
    crossHost: z
      .strictObject({
        hosts: count(2).default(DEFAULT_CROSS_HOST.hosts),
        failures: count(2).default(DEFAULT_CROSS_HOST.failures),
        window: duration('1h').default(DEFAULT_CROSS_HOST.window),
      })
      .prefault({})
      .describe(
        'an address failing on this many hosts, this often, within the window: distributed',
      ),
  })
  .optional()
  .describe('`sheriff hub`: the fleet hub (NATS, signing key, ban scopes, cross-host detection)');

export type FleetConfig = NonNullable<z.output<typeof fleetSchema>>;
export type HubConfig = NonNullable<z.output<typeof hubSchema>>;
export type ScopeSetting = z.output<typeof scope>;
