/**
 * `sheriff incidents [--all] [--limit N] [--host H] [--json]` and `sheriff incident ID [--json]`:
 * incidents from the store, with the server-wide status on top. An admin can
 * also give an incident their verdict, a note, or resolve it:
 * `sheriff incident ID --verdict benign --note "the owner's new laptop" --resolve`.
 * The admin's verdict is in force; the rules' stays on record beside it.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Verdict } from '../domain.js';
import { isVerdict, setAdminVerdict } from '../incidents/admin.js';
import { storePath } from '../config/paths.js';
import { TimeZone } from '../parse/zone.js';
import { BufferedOutput, parseCount, UsageError, type CliContext } from './common.js';
import { hostOption } from './host-option.js';
import { recordsOf } from './records.js';

export function registerIncidents(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('incidents')
    .description(t('incidents.description'))
    .option('--all', t('incidents.opt.all'))
    .option('--limit <n>', t('incidents.opt.limit'), '50')
    .option('--host <name>', t('hosts.opt.host'))
    .option('--json', t('incidents.opt.json'))
    .action(async (opts: { all?: boolean; limit?: string; host?: string; json?: boolean }) => {
      const limit = parseCount('--limit', opts.limit, 1, t) ?? 50;
      const sensor = await hostOption(opts.host, t);
      const { records, close, zone } = await open(program);
      const { currentStatus } = await import('../incidents/status.js');
      const { incidentLine, statusText } = await import('../incidents/format.js');
      const out = new BufferedOutput(ctx.stdout);
      try {
        const rows = await records.incidents.list({
          state: opts.all ? undefined : 'active',
          sensor,
          limit: Math.min(limit, 10_000),
        });
        if (opts.json) {
          for (const i of rows) out.write(JSON.stringify(i) + '\n');
        } else {
          out.write(statusText(await currentStatus(records.activity, Date.now()), t) + '\n\n');
          for (const i of rows) out.write(incidentLine(i, t, zone) + '\n');
          if (rows.length === 0) out.write(t('incidents.none') + '\n');
        }
      } finally {
        await close();
      }
      await out.flush();
    });
  program
    .command('incident')
    .description(t('incident.description'))
    .argument('<id>')
    .option('--json', t('incident.opt.json'))
    .option('--verdict <verdict>', t('incident.opt.verdict'))
    .option('--note <text>', t('incident.opt.note'))
    .option('--resolve', t('incident.opt.resolve'))
    .action(async (idText: string, opts: AdminOptions & { json?: boolean }) => {
      if (!/^\d{1,15}$/.test(idText))
        throw new UsageError(t('incident.error.id', { value: idText }));
      const id = Number(idText);
      const verdict = verdictOf(opts.verdict, t);
      const changes = verdict !== null || opts.note !== undefined || opts.resolve === true;
      const { config, records, close, zone } = await open(program, !changes);
      const { incidentText } = await import('../incidents/format.js');
      try {
        const incidents = records.incidents;
        if ((await incidents.get(id)) === null)
          throw new UsageError(t('incident.notFound', { id }));
        const actor = `admin:cli:${userInfo().username}`;
        const now = Date.now();
        if (verdict !== null)
          await setAdminVerdict(incidents, id, verdict, { actor, at: now, note: opts.note });
        else if (opts.note !== undefined) await incidents.addNote(id, actor, opts.note, now);
        if (opts.resolve) await incidents.resolve(id, now, actor, 'admin');
        const incident = (await incidents.get(id))!;
        // At the fleet's hub: what the attacker did on each host.
        const hosts =
          config.hub === undefined
            ? []
            : await (
                await import('../fleet/cross-host.js')
              ).incidentHosts(records.activity, incident);
        ctx.stdout.write(
          (opts.json
            ? JSON.stringify(config.hub === undefined ? incident : { ...incident, hosts })
            : incidentText(incident, t, zone, hosts)) + '\n',
        );
      } finally {
        await close();
      }
    });
}

interface AdminOptions {
  verdict?: string;
  note?: string;
  resolve?: boolean;
}

function verdictOf(text: string | undefined, t: CliContext['t']): Verdict | null {
  if (text === undefined) return null;
  if (!isVerdict(text)) throw new UsageError(t('incident.error.verdict', { value: text }));
  return text;
}

async function open(program: Command, readonly = true) {
  const { loadConfig } = await import('../app/load-config.js');
  const { openStore } = await import('../store/index.js');
  const { config } = await loadConfig(program.opts<{ config?: string }>().config);
  // Only the daemon makes a store: a change here needs one that exists.
  const store = openStore(storePath(config.store), readonly ? { readonly } : { create: false });
  const zone = TimeZone.of(config.timezone);
  return { config, zone, ...(await recordsOf(config, store)) };
}
