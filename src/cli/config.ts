/**
 * `sheriff config check` validates without starting anything;
 * `sheriff config print` shows the effective config with every default filled in.
 */
import type { Command } from 'commander';
import { formatDuration } from '../config/duration.js';
import type { CliContext } from './common.js';

const DURATION_KEYS = new Set(['findtime', 'window', 'maxAge', 'pollInterval']);

/** Durations back in the form people write them ("10m", not 600000). */
function readable(value: unknown, key = ''): unknown {
  if (typeof value === 'number' && DURATION_KEYS.has(key)) return formatDuration(value);
  if (Array.isArray(value)) return value.map((v) => readable(v));
  if (value !== null && typeof value === 'object') {
    if (key === 'listen') {
      const { host, port } = value as { host: string; port: number };
      return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readable(v, k)]));
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
      const { loadConfig } = await import('../config/load.js');
      const opts = program.opts<{ config?: string }>();
      const { config: cfg, path } = loadConfig(opts.config);
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
    .action(async () => {
      const { loadConfig } = await import('../config/load.js');
      const { stringify } = await import('yaml');
      const { config: cfg, path } = loadConfig(program.opts<{ config?: string }>().config);
      ctx.stdout.write(
        `# ${t('config.print.header', { path: path ?? t('config.print.nofile') })}\n`,
      );
      ctx.stdout.write(stringify(readable(cfg)));
    });
}
