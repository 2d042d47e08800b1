/**
 * `sheriff ask "…"`: one question to the analyst, as the Unix user running the
 * command (conversation `cli:<user>`, shared with `sheriff chat`). Without a
 * configured provider it answers in command mode. It has the daemon's tools
 * but the daily report, which only the daemon (with its channels) sends.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { storePath } from '../config/paths.js';
import { detectLang, isLang, type Lang } from '../i18n/index.js';
import type { CliContext } from './common.js';
import { recordsOf } from './records.js';
import type { Analyst } from '../agent/analyst.js';
import type { Telemetry } from '../app/telemetry.js';

/** Opens the store (and the records where they are: records.ts) and builds the analyst from the configuration. */
export async function openAnalyst(program: Command): Promise<{
  analyst: Analyst;
  /** Closes the store and the records. */
  close: () => Promise<void>;
  lang: Lang;
  user: string;
  /** Shut down after the last answer, so its spans leave. */
  telemetry: Telemetry;
}> {
  const [
    { loadConfig },
    { openStore },
    { configuredApprovals, requesterOf },
    { createAnalyst },
    { analystDeps },
    { buildIntel },
    { intelPort },
    { startTelemetry, NO_TELEMETRY },
  ] = await Promise.all([
    import('../app/load-config.js'),
    import('../store/index.js'),
    import('../respond/approvals.js'),
    import('../agent/analyst.js'),
    import('../agent/setup.js'),
    import('../intel/setup.js'),
    import('../agent/ports.js'),
    import('../app/telemetry.js'),
  ]);
  const opts = program.opts<{ config?: string; lang?: string }>();
  const { config } = await loadConfig(opts.config);
  // The logger (pino) loads only for telemetry, to report a collector that cannot be reached.
  const telemetry =
    config.agent.telemetry === 'none'
      ? NO_TELEMETRY
      : await startTelemetry(config.agent, (await import('../log.js')).createLogger(config.log));
  const path = storePath(config.store);
  const store = openStore(path);
  const { records, close } = await recordsOf(config, store);
  try {
    const approvals = configuredApprovals(records, config);
    const intel = buildIntel({
      config: config.intel,
      trusted: config.trusted,
      storePath: path,
      cache: records.intel,
      clock: Date.now,
    });
    const deps = analystDeps({
      store: records,
      config,
      approvals: requesterOf(approvals),
      intel: intelPort(intel.enricher),
      tracer: telemetry.tracer('sheriff.agent'),
    });
    // --lang or SHERIFF_LANG/LANG when given, else the configuration's language.
    const lang =
      opts.lang !== undefined && isLang(opts.lang)
        ? opts.lang
        : process.env.SHERIFF_LANG || process.env.LC_ALL || process.env.LANG
          ? detectLang()
          : config.language;
    return { analyst: createAnalyst(deps), close, lang, user: userInfo().username, telemetry };
  } catch (err) {
    await close();
    await telemetry.shutdown();
    throw err;
  }
}

export function registerAsk(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('ask')
    .description(t('cli.ask.description'))
    .argument('<question...>', t('cli.ask.arg.question'))
    .option('--json', t('cli.ask.opt.json'))
    .action(async (words: string[], opts: { json?: boolean }) => {
      const { analyst, close, lang, user, telemetry } = await openAnalyst(program);
      try {
        const reply = await analyst.ask({
          conversation: `cli:${user}`,
          text: words.join(' '),
          lang,
          channel: 'cli',
          identity: user,
        });
        ctx.stdout.write(opts.json ? `${JSON.stringify(reply)}\n` : `${reply.text}\n`);
      } finally {
        await close();
        await telemetry.shutdown();
      }
    });
}
