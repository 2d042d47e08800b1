/**
 * `sheriff report [--date YYYY-MM-DD] [--json]`: the stored daily report of a
 * local date (default: the latest stored), read-only. When none is stored, one
 * is made from the store now (not stored) and a line on stderr says so.
 */
import type { Command } from 'commander';
import { storePath } from '../config/paths.js';
import { TimeZone } from '../parse/zone.js';
import { UsageError, type CliContext } from './common.js';
import { recordsOf } from './records.js';

export function registerReport(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('report')
    .description(t('report.description'))
    .option('--date <date>', t('report.opt.date'))
    .option('--json', t('report.opt.json'))
    .action(async (opts: { date?: string; json?: boolean }) => {
      const { loadConfig } = await import('../app/load-config.js');
      const { openStore } = await import('../store/index.js');
      const { lookupReport } = await import('../report/lookup.js');
      const { reportText } = await import('../report/text.js');
      const { TrustedProvider } = await import('../intel/trusted.js');
      const { config } = await loadConfig(program.opts<{ config?: string }>().config);
      const zone = TimeZone.of(config.timezone);
      const { records, close } = await recordsOf(
        config,
        openStore(storePath(config.store), { readonly: true }),
      );
      try {
        const trusted = new TrustedProvider(config.trusted);
        const inputs = {
          store: records,
          zone,
          config: config.report,
          schedule: config.report.schedule,
          internal: (ip: string) => trusted.isInternal(ip),
        };
        const found = await lookupReport(inputs, opts.date, Date.now(), t);
        if ('error' in found) throw new UsageError(`--date: ${found.error}`);
        if (!found.stored) ctx.stderr.write(t('report.fresh', { date: found.report.date }) + '\n');
        ctx.stdout.write(
          (opts.json ? JSON.stringify(found.report) : reportText(found.report, t)) + '\n',
        );
      } finally {
        await close();
      }
    });
}
