/**
 * `sheriff hosts [--json]`: the fleet's hosts as the hub's store last heard
 * from them: when, how far behind, which version, what waits in their outbox,
 * how many decisions they confirmed in force, and their last errors.
 */
import type { Command } from 'commander';
import { formatDuration } from '../config/duration.js';
import { storePath } from '../config/paths.js';
import { TimeZone } from '../parse/zone.js';
import type { SheriffConfig } from '../app/config.js';
import type { Async } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';
import { BufferedOutput, type CliContext } from './common.js';

export function registerHosts(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('hosts')
    .description(t('hosts.description'))
    .option('--json', t('hosts.opt.json'))
    .action(async (opts: { json?: boolean }) => {
      const { loadConfig } = await import('../app/load-config.js');
      const { config } = await loadConfig(program.opts<{ config?: string }>().config);
      const source = await hostsOf(config);
      const zone = TimeZone.of(config.timezone);
      const out = new BufferedOutput(ctx.stdout);
      try {
        const hosts = await source.hosts.list();
        if (opts.json) out.write(JSON.stringify(hosts, null, 2) + '\n');
        else if (hosts.length === 0) out.write(t('hosts.none') + '\n');
        else {
          const rows = hosts.map((h) => [
            h.name,
            zone.format(h.lastSeen),
            h.lagMs === null ? '-' : formatDuration(Math.round(h.lagMs / 1000) * 1000),
            h.version ?? '-',
            h.outbox === null ? '-' : String(h.outbox),
            String(h.bansApplied),
            // Sensor text is data: one line, cut short.
            [...h.errors, ...(h.rejected > 0 ? [t('hosts.rejected', { count: h.rejected })] : [])]
              .join('; ')
              .replace(/[\u0000-\u001f\u007f]/g, ' ')
              .slice(0, 120),
          ]);
          out.write(table([t('hosts.header').split('\t'), ...rows]));
        }
      } finally {
        await source.close();
      }
      await out.flush();
    });
}

/** The hub's hosts where it keeps them: its PostgreSQL (hub.database), else the local store. */
async function hostsOf(
  config: SheriffConfig,
): Promise<{ hosts: Pick<Async<HostStore>, 'list'>; close(): Promise<void> }> {
  if (config.hub?.database !== undefined) {
    const { openHubDatabase } = await import('../app/hub-database.js');
    const db = (await openHubDatabase(config.hub))!;
    return { hosts: db.hosts, close: () => db.records.close() };
  }
  const { openStore } = await import('../store/index.js');
  const { asyncHosts, HostStore } = await import('../store/hosts.js');
  const store = openStore(storePath(config.store), { readonly: true });
  return {
    hosts: asyncHosts(new HostStore(store.db)),
    close: () => Promise.resolve(store.close()),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map(
      (r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}
