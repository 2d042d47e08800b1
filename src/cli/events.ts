/**
 * `sheriff events [--ip IP|NETWORK] [--user U] [--since DUR] [--kind K] [--jail J] [--host H] [--limit N] [--json]`:
 * forensic questions answered from the store, newest first. At the fleet's hub
 * each line names the host it came from, and `--host` keeps one host's.
 */
import type { Command } from 'commander';
import { DurationError, parseDuration } from '../config/duration.js';
import { storePath } from '../config/paths.js';
import { canonicalIp } from '../net/ip.js';
import { CidrError, parseNetwork, type Cidr } from '../net/cidr.js';
import { displayUser } from '../incidents/format.js';
import { TimeZone } from '../parse/zone.js';
import { recordsOf } from './records.js';
import { BufferedOutput, parseCount, UsageError, type CliContext } from './common.js';
import { hostOption } from './host-option.js';
import type { Translate } from '../i18n/index.js';

interface Options {
  ip?: string;
  user?: string;
  since?: string;
  kind?: string;
  jail?: string;
  host?: string;
  limit?: string;
  json?: boolean;
}

export function registerEvents(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('events')
    .description(t('events.description'))
    .option('--ip <address>', t('events.opt.ip'))
    .option('--user <name>', t('events.opt.user'))
    .option('--since <duration>', t('events.opt.since'))
    .option('--kind <kind>', t('events.opt.kind'))
    .option('--jail <name>', t('events.opt.jail'))
    .option('--host <name>', t('hosts.opt.host'))
    .option('--limit <n>', t('events.opt.limit'), '100')
    .option('--json', t('events.opt.json'))
    .action(async (opts: Options) => {
      const { loadConfig } = await import('../app/load-config.js');
      const { openStore } = await import('../store/index.js');
      const { config } = await loadConfig(program.opts<{ config?: string }>().config);
      const { ip, network } = addressOrNetwork(opts.ip, t);
      if (opts.kind !== undefined && !['fail', 'success', 'nofail'].includes(opts.kind))
        throw new UsageError(t('events.error.kind', { value: opts.kind }));
      let since: number | undefined;
      try {
        since = opts.since === undefined ? undefined : Date.now() - parseDuration(opts.since);
      } catch (err) {
        if (err instanceof DurationError) throw new UsageError(`--since: ${err.message}`);
        throw err;
      }
      const limit = parseCount('--limit', opts.limit, 1, t);
      const sensor = await hostOption(opts.host, t);
      const atHub = config.hub !== undefined;
      const { sensorOf } = await import('../store/hosts.js');
      const { records, close } = await recordsOf(
        config,
        openStore(storePath(config.store), { readonly: true }),
      );
      const zone = TimeZone.of(config.timezone);
      const out = new BufferedOutput(ctx.stdout);
      try {
        const rows = await records.events.queryEvents({
          ip,
          network,
          user: opts.user,
          since,
          kind: opts.kind as 'fail' | 'success' | 'nofail' | undefined,
          jail: opts.jail,
          sensor,
          limit: Math.min(limit ?? 100, 10_000),
        });
        for (const e of rows) {
          if (opts.json) out.write(JSON.stringify({ ...e, time: zone.format(e.time) }) + '\n');
          else
            out.write(
              `${zone.format(e.time)}  ${e.result.padEnd(7)} ${atHub ? `${(sensorOf(e.source) ?? '-').padEnd(12)} ` : ''}${e.jail.padEnd(8)} ${(e.ip ?? e.host ?? '-').padEnd(20)} ${e.user === null ? '' : displayUser(e.user)}\n`,
            );
        }
        if (rows.length === 0 && !opts.json) out.write(t('events.none') + '\n');
      } finally {
        await close();
      }
      await out.flush();
    });
}

/** `--ip`: one address, or a network (a prefix incident's subject, like 2001:db8:1:2::/64). */
function addressOrNetwork(
  value: string | undefined,
  t: Translate,
): { ip?: string; network?: Cidr } {
  if (value === undefined) return {};
  const bad = () => new UsageError(t('events.error.ip', { value }));
  if (!value.includes('/')) {
    const ip = canonicalIp(value);
    if (ip === null) throw bad();
    return { ip };
  }
  try {
    return { network: parseNetwork(value) };
  } catch (err) {
    if (err instanceof CidrError) throw bad();
    throw err;
  }
}
