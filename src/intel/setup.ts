/**
 * Builds the intel providers from the `intel:` config and the top-level
 * `trusted:` list, ready for the daemon: the Enricher, the trusted networks
 * and a refresh for downloaded blocklists.
 *
 * What is an error at start (a clear message, no half-configured intel):
 * - a GeoIP database that cannot be read (GeoIpError);
 * - a blocklist `path` that cannot be read (the message names the list and file);
 * - a reputation service in the config with no API key, or with a key file
 *   others can read (SecretError naming the variable and the keyFile option):
 *   the admin asked for the service, so going on without it would surprise.
 *
 * What is not: a `url` blocklist not downloaded yet. It lists nothing until
 * the first refresh; after a restart its last download is used at once.
 */
import { SetupError } from '../config/errors.js';
import { dirname, join, resolve } from 'node:path';
import { secretFrom } from '../config/secrets.js';
import type { Millis } from '../domain.js';
import type { Logger } from '../log.js';
import { SecretError } from '../config/private-file.js';
import { BlocklistProvider } from './blocklist.js';
import {
  REPUTATION_KEY_ENV,
  type IntelConfig,
  type ReputationConfig,
  type ReputationService,
} from './config.js';
import { Enricher } from './enricher.js';
import { GeoIpProvider } from './geoip.js';
import type { IntelProvider } from './provider.js';
import {
  AbuseIpDb,
  GreyNoise,
  Otx,
  type IntelCache,
  type ReputationOptions,
  type ReputationProvider,
} from './reputation.js';
import { TrustedProvider } from './trusted.js';

export interface IntelSetup {
  /** The `intel:` section. */
  config: IntelConfig;
  /** The top-level `trusted:` list (CIDRs trusted besides the built-in ranges). */
  trusted: readonly string[];
  /** The store's file: downloaded lists are kept in `blocklists/` beside it. */
  storePath: string;
  /** Where reputation answers are cached (the records' intel cache). */
  cache: IntelCache;
  clock: () => Millis;
  logger?: Logger;
  /** Where API keys without a keyFile are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Test hook for blocklist downloads and reputation requests. */
  fetch?: typeof fetch;
}

export interface Intel {
  enricher: Enricher;
  /** isInternal(ip) for the incidents module. */
  trusted: TrustedProvider;
  /**
   * Downloads the URL blocklists that are due; never rejects. The daemon calls
   * it at start and every minute; a call while one is running joins it.
   */
  refresh(now: Millis): Promise<void>;
  /** One line per provider for status and logs: its id, and its size or stats. */
  describe(): string[];
}

/** Each reputation service under its YAML key. */
const REPUTATION_SERVICES: Record<
  ReputationService,
  new (cfg: ReputationConfig, opts: ReputationOptions) => ReputationProvider
> = { abuseipdb: AbuseIpDb, greynoise: GreyNoise, otx: Otx };

/** Where downloaded blocklists are kept: `blocklists/` in the store's directory. */
export function blocklistDir(storePath: string): string {
  return join(dirname(resolve(storePath)), 'blocklists');
}

/** Throws a clear error naming the file or variable that is missing or unreadable (see above). */
export function buildIntel(s: IntelSetup): Intel {
  const trusted = new TrustedProvider(s.trusted);
  const providers: IntelProvider[] = [];
  const describers: (() => string)[] = [() => `trusted: ${trusted.size} networks`];

  const geo = s.config.geoip;
  if (geo.country !== undefined || geo.asn !== undefined) {
    providers.push(new GeoIpProvider(geo));
    const files = [
      ...(geo.country === undefined ? [] : [`country ${geo.country}`]),
      ...(geo.asn === undefined ? [] : [`asn ${geo.asn}`]),
    ];
    describers.push(() => `geoip: ${files.join(', ')}`);
  }

  const lists = s.config.blocklists.map((cfg) => {
    if (cfg.url !== undefined && s.storePath === ':memory:')
      throw new SetupError(
        `blocklist ${cfg.name} has a url, but the store is in memory: set store.path so its download can be kept`,
      );
    const list = new BlocklistProvider(cfg, {
      cacheDir: blocklistDir(s.storePath),
      fetch: s.fetch,
      logger: s.logger,
    });
    list.load();
    providers.push(list);
    describers.push(
      () => `${list.id}: ${list.loaded ? `${list.size} networks` : 'not downloaded yet'}`,
    );
    return list;
  });

  for (const service of Object.keys(REPUTATION_SERVICES) as ReputationService[]) {
    const cfg = s.config[service];
    if (cfg === undefined) continue;
    const p = new REPUTATION_SERVICES[service](cfg, {
      key: apiKey(service, cfg, s.env ?? process.env),
      cache: s.cache,
      fetch: s.fetch,
      logger: s.logger,
    });
    providers.push(p);
    describers.push(() => {
      const st = p.stats;
      return `${p.id}: ${st.requests} requests, ${st.cached} cached, ${st.skipped} skipped, ${st.failed} failed, ${st.rateLimited} rate limited`;
    });
  }

  const enricher = new Enricher({ trusted, providers, clock: s.clock, logger: s.logger });
  let running: Promise<void> | null = null;
  return {
    enricher,
    trusted,
    refresh(now) {
      // A download may take up to a minute: one round at a time.
      running ??= Promise.all(lists.map((l) => l.refresh(now))).then(() => {
        running = null;
      });
      return running;
    },
    describe: () => describers.map((d) => d()),
  };
}

/** The service's key from its keyFile, else its variable; an error naming both when neither has one. */
function apiKey(service: ReputationService, cfg: ReputationConfig, env: NodeJS.ProcessEnv): string {
  const envName = REPUTATION_KEY_ENV[service];
  const key = secretFrom(cfg.keyFile, envName, env, `${service} API key file`);
  if (key === null)
    throw new SecretError(
      `intel.${service} is configured but has no API key: set ${envName}, or intel.${service}.keyFile (a file of mode 0600)`,
    );
  return key;
}
