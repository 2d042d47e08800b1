/**
 * `sheriff incidents [--all] [--limit N] [--json]` and `sheriff incident ID [--json]`:
 * incidents from the store (read-only), with the server-wide status on top.
 */
import type { Command } from 'commander';
import { storePath } from '../config/paths.js';
import { TimeZone } from '../parse/zone.js';
import { BufferedOutput, parseCount, UsageError, type CliContext } from './common.js';

export function registerIncidents(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('incidents')
    .description(t('incidents.description'))
    .option('--all', t('incidents.opt.all'))
    .option('--limit <n>', t('incidents.opt.limit'), '50')
    .option('--json', t('incidents.opt.json'))
    .action(async (opts: { all?: boolean; limit?: string; json?: boolean }) => {
      const limit = parseCount('--limit', opts.limit, 1, t) ?? 50;
      const { store, zone } = await open(program);
      const { currentStatus } = await import('../incidents/status.js');
      const { incidentLine, statusText } = await import('../incidents/format.js');
      const out = new BufferedOutput(ctx.stdout);
      try {
        const rows = store.incidents.list({
          state: opts.all ? undefined : 'active',
          limit: Math.min(limit, 10_000),
        });
        if (opts.json) {
          for (const i of rows) out.write(JSON.stringify(i) + '\n');
        } else {
          out.write(statusText(currentStatus(store.activity, Date.now()), t) + '\n\n');
          for (const i of rows) out.write(incidentLine(i, t, zone) + '\n');
          if (rows.length === 0) out.write(t('incidents.none') + '\n');
        }
      } finally {
        store.close();
      }
      await out.flush();
    });
  program
    .command('incident')
    .description(t('incident.description'))
    .argument('<id>')
    .option('--json', t('incident.opt.json'))
    .action(async (idText: string, opts: { json?: boolean }) => {
      if (!/^\d{1,15}$/.test(idText))
        throw new UsageError(t('incident.error.id', { value: idText }));
      const id = Number(idText);
      const { store, zone } = await open(program);
      const { incidentText } = await import('../incidents/format.js');
      try {
        const incident = store.incidents.get(id);
        if (incident === null) throw new UsageError(t('incident.notFound', { id }));
        ctx.stdout.write(
          (opts.json ? JSON.stringify(incident) : incidentText(incident, t, zone)) + '\n',
        );
      } finally {
        store.close();
      }
    });
}

async function open(program: Command) {
  const { loadConfig } = await import('../config/load.js');
  const { openStore } = await import('../store/index.js');
  const { config } = loadConfig(program.opts<{ config?: string }>().config);
  const store = openStore(storePath(config), { readonly: true });
  const zone = config.timezone === undefined ? TimeZone.local() : new TimeZone(config.timezone);
  return { config, store, zone };
}
