/**
 * `sheriff status [--json]`: what the running daemon last published in the
 * store (sources, lag, errors, counts per jail) and the store's size.
 */
import type { Command } from 'commander';
import { storePath } from '../config/paths.js';
import type { FirewallStatus } from '../app/compose.js';
import { TimeZone } from '../parse/zone.js';
import type { Translate } from '../i18n/index.js';
import type { Async, RecordStore } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';
import type { SourceWarning } from '../sources/auto.js';
import type { SourceHealth } from '../sources/source.js';
import { sourceWarningLine } from './source-warning.js';
import type { CliContext } from './common.js';
import { recordsOf } from './records.js';

interface DaemonStatus {
  pid: number;
  startedAt: number;
  sources: SourceHealth[];
  /** `ambiguous` is absent in what older versions published. */
  jails: Record<string, { fail: number; success: number; findings: number; ambiguous?: number }>;
  storeBytes: number;
  /** Absent in a status published by a Sheriff from before it was recorded. */
  firewall?: FirewallStatus;
  /** Why the automatic sources read nothing (absent from older Sheriffs). */
  sourceWarning?: SourceWarning | null;
}

/** One line on the firewall: shouted when it blocks nothing. */
function firewallLine(f: FirewallStatus, t: Translate): string {
  if (f.kind === 'fleet') return t('status.firewall.fleet');
  if (f.enforcing) return t('status.firewall.enforcing', { kind: f.kind });
  if (f.missing.length === 0) return t('status.firewall.dryRun');
  return t('status.firewall.cannot', { kind: f.kind, missing: f.missing.join(', ') });
}

/** The daemon publishes every 5 s; three missed publications mean it is not running. */
const STALE_MS = 15_000;

export function registerStatus(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('status')
    .description(t('status.description'))
    .option('--json', t('status.opt.json'))
    .action(async (opts: { json?: boolean }) => {
      const { loadConfig } = await import('../app/load-config.js');
      const { openStore } = await import('../store/index.js');
      const { currentStatus } = await import('../incidents/status.js');
      const { statusText } = await import('../incidents/format.js');
      const { readCounts } = await import('../store/counts.js');
      const { config } = await loadConfig(program.opts<{ config?: string }>().config);
      const path = storePath(config.store);
      const zone = TimeZone.of(config.timezone);
      const store = openStore(path, { readonly: true });
      const size = store.sizeBytes();
      const { records, hosts, close } = await recordsOf(config, store);
      try {
        const entry = await records.status.get('daemon');
        const status = entry?.value as DaemonStatus | undefined;
        const running = entry !== null && Date.now() - entry.updatedAt < STALE_MS;
        // The numbers /metrics and the console's dashboard show too.
        const counts = await readCounts(records, Date.now());
        // At the hub, a fleet ban is in force where the hosts confirm it: counted on its own.
        const fleet = counts.fleetBans === 0 ? null : await fleetSummary(records, hosts());
        const bans = {
          active: counts.activeBans,
          enforced: counts.activeBans - counts.unenforcedBans - counts.fleetBans,
          ...(fleet === null ? {} : { fleet }),
        };
        // The server's status level, as incidents, chat and the console state it.
        const level = await currentStatus(records.activity, Date.now());
        if (opts.json) {
          ctx.stdout.write(
            JSON.stringify({
              running,
              updatedAt: entry?.updatedAt ?? null,
              store: { path, bytes: size },
              // Whether bans drop packets now: only a running daemon with a real firewall says so.
              enforcing: running && status?.firewall?.enforcing === true,
              bans,
              level: level.level,
              counts,
              daemon: status ?? null,
            }) + '\n',
          );
          return;
        }
        const lines: string[] = [];
        if (entry === null || status === undefined) lines.push(t('status.never'));
        else {
          lines.push(
            running
              ? t('status.running', {
                  pid: status.pid,
                  since: zone.readable(status.startedAt),
                })
              : t('status.stale', { at: zone.readable(entry.updatedAt) }),
          );
          if (status.firewall !== undefined) lines.push(firewallLine(status.firewall, t));
          if (status.sourceWarning) lines.push(sourceWarningLine(status.sourceWarning, t));
          lines.push(statusText(level, t));
          lines.push(t('status.sources'));
          for (const s of status.sources)
            lines.push(
              t('status.source', {
                id: s.id,
                position: s.position ?? '-',
                lag: s.lag ?? '-',
                last: s.lastLineAt === null ? '-' : zone.readable(s.lastLineAt),
                lines: s.linesRead,
                errors: s.errors,
                lastError: s.lastError === null ? '' : ` (${s.lastError})`,
              }),
            );
          lines.push(t('status.jails'));
          for (const [name, c] of Object.entries(counts.jails)) {
            lines.push(
              t('status.jail', { name, fail: c.fail, success: c.success, findings: c.findings }),
            );
            if (c.ambiguous) lines.push(t('status.jail.ambiguous', { count: c.ambiguous }));
          }
        }
        lines.push(
          t('status.day', { failures: counts.failures24h, findings: counts.findings24h }),
          t('status.approvals', { count: counts.pendingApprovals }),
        );
        const local = bans.active - counts.fleetBans;
        if (fleet === null || local > 0)
          lines.push(
            bans.enforced === local
              ? t('status.bans', { count: local })
              : t('status.bansNotEnforced', { count: local, unenforced: local - bans.enforced }),
          );
        if (fleet !== null) lines.push(t('status.fleetBans', fleet));
        lines.push(t('status.store', { path, mb: (size / 1048576).toFixed(1) }));
        ctx.stdout.write(lines.join('\n') + '\n');
      } finally {
        await close();
      }
    });
}

/** The hub's published bans: how many every host in their scope confirmed, how many not yet. */
async function fleetSummary(
  records: RecordStore,
  hosts: Async<HostStore>,
): Promise<{ count: number; everywhere: number; partial: number }> {
  const { fleetBanStates } = await import('../fleet/ban-state.js');
  const states = await fleetBanStates(await records.bans.active(Date.now()), {
    status: records.status,
    hosts,
  });
  const everywhere = [...states.values()].filter((s) => s.of > 0 && s.applied === s.of).length;
  return { count: states.size, everywhere, partial: states.size - everywhere };
}
