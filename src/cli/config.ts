/**
 * `sheriff config check` validates without starting anything;
 * `sheriff config print` shows the effective config with every default filled in.
 */
import type { Command } from 'commander';
import type { CliContext } from './common.js';

/** A syslog listen address back in the form people write it ("127.0.0.1:5514"). */
function readableListen(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => readableListen(v));
  if (value !== null && typeof value === 'object') {
    if (key === 'listen') {
      const { host, port } = value as { host: string; port: number };
      return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readableListen(v, k)]));
  }
  return value;
}

export function registerConfig(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  const config = program.command('config').description(t('config.description'));
  config
    .command('check')
    .description(t('config.check.description'))
    .action(async () => {
      const [{ loadConfig }, { checkUserFilters }] = await Promise.all([
        import('../app/load-config.js'),
        import('./check-filters.js'),
      ]);
      const opts = program.opts<{ config?: string }>();
      const { config: cfg, path } = await loadConfig(opts.config);
      await checkUserFilters(cfg, ctx);
      const jails = Object.values(cfg.jails).filter((j) => j.enabled).length;
      ctx.stdout.write(
        t(path === null ? 'config.check.defaults' : 'config.check.ok', {
          path: path ?? '',
          jails,
          sources: cfg.sources.length,
        }) + '\n',
      );
    });
  config
    .command('print')
    .description(t('config.print.description'))
    .option('--explain', t('config.print.opt.explain'))
    .action(async (opts: { explain?: boolean }) => {
      const [{ loadConfig }, { configSchema }, { formatDurations }, { printYaml }] =
        await Promise.all([
          import('../app/load-config.js'),
          import('../app/config.js'),
          import('../config/schema-walk.js'),
          import('./config-yaml.js'),
        ]);
      const { config: cfg, path } = await loadConfig(program.opts<{ config?: string }>().config);
      ctx.stdout.write(
        `# ${t('config.print.header', { path: path ?? t('config.print.nofile') })}\n`,
      );
      const value = readableListen(formatDurations(configSchema, cfg));
      ctx.stdout.write(printYaml(value, opts.explain === true ? configSchema : null));
    });
}
