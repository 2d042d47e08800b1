/**
 * `sheriff watch`: the daemon in the foreground (systemd runs it so).
 * SIGTERM/SIGINT flush and exit (within STOP_DEADLINE_MS, however the flush
 * goes); SIGHUP reloads the configuration, keeping the running one when the new
 * file is invalid. A watchdog (systemd's, else a thread) kills a daemon whose main thread stalls.
 */
import type { Command } from 'commander';
import type { LoadedConfig } from '../app/load-config.js';
import type { Daemon } from '../app/daemon.js';
import type { HubDatabase } from '../app/hub-database.js';
import type { DaemonLock } from '../store/daemon-lock.js';
import { translator, type Translate } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Telemetry } from '../app/telemetry.js';
import { ConsoleNotifier } from '../notify/console.js';
import type { Notifier } from '../notify/notifier.js';
import { autoSources } from '../sources/auto.js';
import { sourceWarningText } from './source-warning.js';
import { startWatchdog } from '../app/watchdog.js';
import { UsageError, type CliContext } from './common.js';

export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description(ctx.t('watch.description'))
    .option('--no-web', ctx.t('web.watch.opt.noWeb'))
    .option('--web-host <address>', ctx.t('web.watch.opt.host'))
    .option('--web-port <port>', ctx.t('web.watch.opt.port'), (v) => webPort(v, ctx))
    .action(async (flags: WebFlags) => {
      const opts = program.opts<{ config?: string; lang?: string }>();
      await watch({ ...opts, ...flags }, ctx);
    });
}

/** `sheriff hub`: the fleet's hub, the same daemon with no sources of its own (app/fleet.ts). */
export function registerHub(program: Command, ctx: CliContext): void {
  program
    .command('hub')
    .description(ctx.t('hub.description'))
    .option('--no-web', ctx.t('web.watch.opt.noWeb'))
    .option('--web-host <address>', ctx.t('web.watch.opt.host'))
    .option('--web-port <port>', ctx.t('web.watch.opt.port'), (v) => webPort(v, ctx))
    .action(async (flags: WebFlags) => {
      const opts = program.opts<{ config?: string; lang?: string }>();
      await watch({ ...opts, ...flags, hub: true }, ctx);
    });
}

interface WebFlags {
  web: boolean;
  webHost?: string;
  webPort?: number;
}
type WatchOptions = { config?: string; lang?: string; hub?: boolean } & WebFlags;

function webPort(v: string, ctx: CliContext): number {
  const n = Number(v);
  if (!/^\d{1,5}$/.test(v) || n > 65535)
    throw new UsageError(ctx.t('web.watch.badPort', { value: v }));
  return n;
}

interface Running {
  config: LoadedConfig['config'];
  daemon: Daemon;
  logger: Logger;
}

/** The daemon's modules (zod, SQLite, pino) load only when watching. */
async function modules() {
  const [
    { loadConfig },
    { Daemon },
    { createLogger, logIsPretty },
    { firewallFor },
    paths,
    { DaemonLock },
    { startTelemetry },
    { systemClock },
  ] = await Promise.all([
    import('../app/load-config.js'),
    import('../app/daemon.js'),
    import('../log.js'),
    import('../respond/firewall/daemon-firewall.js'),
    import('../config/paths.js'),
    import('../store/daemon-lock.js'),
    import('../app/telemetry.js'),
    import('../clock.js'),
  ]);
  return {
    loadConfig,
    Daemon,
    createLogger,
    logIsPretty,
    firewallFor,
    DaemonLock,
    startTelemetry,
    systemClock,
    storePath: paths.storePath,
  };
}
type Modules = Awaited<ReturnType<typeof modules>>;

/** What a daemon needs before it starts, and may take a while: its logger and its telemetry. */
interface Prepared {
  logger: Logger;
  telemetry: Telemetry;
  /** The fleet's modules (NATS), loaded only for a sensor or the hub. */
  fleet: typeof import('../app/fleet.js') | null;
  /** The hub's PostgreSQL (hub.database), connected and migrated; the daemon closes it. */
  database: HubDatabase | null;
}

/** The logger, and the telemetry (its SDK imported only when configured; a bad headers file throws). */
async function prepare(
  m: Modules,
  loaded: LoadedConfig,
  ctx: CliContext,
  opts: WatchOptions,
): Promise<Prepared> {
  const logger = m.createLogger(loaded.config.log, ctx.stderr);
  // The admin's and imported filters' regexes, before any line reaches them.
  const { checkJailFilterRegexes } = await import('./check-filters.js');
  for (const warning of await checkJailFilterRegexes(loaded.config, ctx.t))
    logger.warn({ event: 'filter_regex_unchecked' }, warning);
  const fleet =
    opts.hub === true || loaded.config.fleet !== undefined ? await import('../app/fleet.js') : null;
  const hub = opts.hub === true ? loaded.config.hub : undefined;
  const database =
    hub === undefined ? null : await (await import('../app/hub-database.js')).openHubDatabase(hub);
  try {
    return {
      logger,
      telemetry: await m.startTelemetry(loaded.config.agent, logger),
      fleet,
      database,
    };
  } catch (err) {
    await database?.records.close();
    throw err;
  }
}

function start(
  m: Modules,
  loaded: LoadedConfig,
  ctx: CliContext,
  opts: WatchOptions,
  { logger, telemetry, fleet: fleetModule, database }: Prepared,
): Running {
  const { Daemon, firewallFor } = m;
  const langFlag = opts.lang;
  const config = {
    ...loaded.config,
    web: {
      ...loaded.config.web,
      enabled: loaded.config.web.enabled && opts.web,
      ...(opts.webHost === undefined ? {} : { host: opts.webHost }),
      ...(opts.webPort === undefined ? {} : { port: opts.webPort }),
    },
  };
  const t: Translate = langFlag === undefined ? translator(config.language) : ctx.t;
  const fleetWiring = {
    clock: m.systemClock,
    logger,
    version: fleetModule?.sheriffVersion() ?? '',
  };
  let hub = null;
  if (opts.hub === true) {
    if (config.hub === undefined)
      throw new UsageError(t('hub.noSection', { path: loaded.path ?? 'sheriff.yaml' }));
    hub = fleetModule!.hub(config.hub, fleetWiring, undefined, database);
  }
  // The hub reads no logs of its own: the hosts send their events.
  const { sources, warning } =
    hub !== null
      ? { sources: [], warning: null }
      : config.sources.length > 0
        ? { sources: config.sources, warning: null }
        : autoSources();
  const notifiers: Notifier[] = [];
  if ((ctx.stdout as { isTTY?: boolean }).isTTY)
    notifiers.push(
      new ConsoleNotifier(ctx.stdout, t, {
        findings: !(m.logIsPretty(config.log, ctx.stderr) && logger.isLevelEnabled('warn')),
        ...(config.timezone === undefined ? {} : { timezone: config.timezone }),
      }),
    );
  logger.info(
    { event: 'config_loaded', path: loaded.path, sources: sources.map((s) => s.type) },
    'configuration loaded',
  );
  // Watching nothing must not look like watching: said before anything starts, and in `status`.
  if (warning !== null)
    logger.error({ event: 'no_source', code: warning.code }, sourceWarningText(warning, t));
  const { firewall, choice } =
    hub !== null
      ? { firewall: hub.firewall, choice: undefined }
      : firewallFor(config.response.firewall, logger);
  const fleet =
    hub?.extension ??
    (config.fleet === undefined
      ? undefined
      : fleetModule!.sensorExtension(config.fleet, fleetWiring));
  const daemon = Daemon.start({
    config,
    logger,
    t,
    notifiers,
    sources,
    sourceWarning: warning,
    firewall,
    ...(choice === undefined ? {} : { firewallChoice: choice }),
    webConsole: { out: ctx.stdout },
    telemetry,
    ...(fleet === undefined ? {} : { fleet }),
    ...(database === null ? {} : { records: database.records }),
  });
  return { config: loaded.config, daemon, logger };
}

/** One daemon per store: the lock of the configured store (none for an in-memory one). */
async function lockFor(m: Modules, loaded: LoadedConfig): Promise<DaemonLock | null> {
  const path = m.storePath(loaded.config.store);
  return path === ':memory:' ? null : m.DaemonLock.acquire(path);
}

/** A stop that takes longer (a notifier or the store not answering) ends the process anyway. */
const STOP_DEADLINE_MS = 10_000;

async function watch(opts: WatchOptions, ctx: CliContext): Promise<void> {
  const m = await modules();
  const watchdog = startWatchdog();
  const { loadConfig } = m;
  const first = await loadConfig(opts.config);
  // Before anything starts, and held across reloads: a second daemon on the same store refuses.
  let lock = await lockFor(m, first);
  // Signal handlers go in before anything starts: a signal that arrives while the
  // daemon starts must not kill it with the default action.
  let running: Running | null = null;
  let busy: Promise<void> = Promise.resolve();
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const stop = (signal: string) => {
    setTimeout(() => {
      running?.logger.error(
        { event: 'stop_timeout', signal, ms: STOP_DEADLINE_MS },
        'not stopped in time; exiting without finishing the stop',
      );
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    busy = busy.then(async () => {
      running?.logger.info({ event: 'signal', signal }, 'stopping');
      await running?.daemon.stop();
      done();
    });
  };
  const reload = () => {
    busy = busy.then(async () => {
      if (running === null) return;
      let next;
      let prepared;
      try {
        next = await loadConfig(opts.config);
        prepared = await prepare(m, next, ctx, opts);
      } catch (err) {
        running.logger.error(
          { event: 'reload_refused', err: (err as Error).message },
          'the new configuration is invalid; keeping the running one',
        );
        return;
      }
      let nextLock = lock;
      if (m.storePath(next.config.store) !== m.storePath(running.config.store)) {
        try {
          nextLock = await lockFor(m, next);
        } catch (err) {
          running.logger.error(
            { event: 'reload_refused', err: (err as Error).message },
            'the new store cannot be used; keeping the running configuration',
          );
          await prepared.telemetry.shutdown();
          await prepared.database?.records.close();
          return;
        }
      }
      await running.daemon.stop();
      if (nextLock !== lock) lock?.release();
      lock = nextLock;
      running = watchdog.suspended(() => start(m, next, ctx, opts, prepared));
      running.logger.info({ event: 'reloaded' }, 'configuration reloaded');
    });
  };
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  process.on('SIGHUP', reload);
  try {
    const prepared = await prepare(m, first, ctx, opts);
    running = watchdog.suspended(() => start(m, first, ctx, opts, prepared));
    await finished;
  } finally {
    await watchdog.stop();
    process.removeListener('SIGTERM', onTerm);
    process.removeListener('SIGINT', onInt);
    process.removeListener('SIGHUP', reload);
    lock?.release();
  }
}
