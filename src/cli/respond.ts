/**
 * `sheriff approvals | approve ID | deny ID | ban IP | unban IP | bans | audit`.
 * Every decision goes through the same decide function as Telegram and the web
 * console, as the Unix user running the command (never a name from arguments);
 * the running daemon executes approved actions within a second. A ban the
 * guardrails refuse is refused at once, with why, and exits 3 (RefusedError).
 */
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { DurationError, formatDuration, parseDuration } from '../config/duration.js';
import { storePath } from '../config/paths.js';
import type { BanTarget } from '../domain.js';
import type { Async, RecordStore } from '../store/api.js';
import type { HostStore } from '../store/hosts.js';
import type { StoredBan } from '../store/index.js';
import { HostBitsError, parseNetwork } from '../net/cidr.js';
import { notEnforcedNote } from '../notify/format.js';
import type { Approvals, Decider, StoredApproval } from '../respond/approvals.js';
import type { SheriffConfig } from '../app/config.js';
import { TimeZone } from '../parse/zone.js';
import { DEFAULT_REASONS, reasonText, requesterText } from '../respond/reasons.js';
import { BufferedOutput, RefusedError, UsageError, type CliContext } from './common.js';
import { hostOption } from './host-option.js';
import { recordsOf } from './records.js';

/** The store to read (`approvals`, `bans`, `audit`): never created, never written; the records where they are (records.ts). */
async function openToRead(program: Command) {
  const [{ loadConfig }, { openStore }] = await Promise.all([
    import('../app/load-config.js'),
    import('../store/index.js'),
  ]);
  const { config } = await loadConfig(program.opts<{ config?: string }>().config);
  const store = openStore(storePath(config.store), { readonly: true });
  return { config, ...(await recordsOf(config, store)) };
}

/** The daemon's store and key, to decide with: neither is created here (only the daemon makes them). */
async function open(program: Command) {
  const [{ loadConfig }, { openStore }, { configuredApprovals }, { loadSecret }] =
    await Promise.all([
      import('../app/load-config.js'),
      import('../store/index.js'),
      import('../respond/approvals.js'),
      import('../respond/secret.js'),
    ]);
  const { config } = await loadConfig(program.opts<{ config?: string }>().config);
  const path = storePath(config.store);
  const { records, close } = await recordsOf(config, openStore(path, { create: false }));
  try {
    const key = loadSecret({ storePath: path, create: false });
    return { config, records, close, approvals: configuredApprovals(records, config, { key }) };
  } catch (err) {
    await close();
    throw err;
  }
}

function target(text: string, ctx: CliContext): BanTarget {
  try {
    const c = parseNetwork(text);
    return { cidr: c.text, family: c.family };
  } catch (err) {
    if (err instanceof HostBitsError)
      throw new UsageError(
        ctx.t('guard.hostBits', {
          value: text,
          bits: err.network.bits,
          network: err.network.text,
        }),
      );
    throw new UsageError(
      ctx.t('respond.error.target', { value: text, reason: (err as Error).message }),
    );
  }
}

/**
 * A ban just approved, through the guardrails now (see respond/screen.ts): the
 * refusal in the reader's language, or null when the daemon may carry it out.
 */
async function refusalOf(
  config: SheriffConfig,
  approvals: Approvals,
  approval: StoredApproval,
  ctx: CliContext,
): Promise<string | null> {
  const [{ configuredGuardrails, renderGuardMessage }, { screenApproved }] = await Promise.all([
    import('../respond/guardrails.js'),
    import('../respond/screen.js'),
  ]);
  const r = await screenApproved(approvals, configuredGuardrails(config), approval, Date.now());
  return r === null ? null : renderGuardMessage(r.message, ctx.t);
}

/** Times as people read them, in the configured time zone. */
const readableIn = (config: SheriffConfig) => {
  const zone = TimeZone.of(config.timezone);
  return (ms: number | null) => (ms === null ? '-' : zone.readable(ms));
};

/**
 * One decision as `sheriff approve ID` / `deny ID` and `sheriff chat` make it:
 * as the Unix user, through the approvals' checks and, for a ban, the
 * guardrails now. Returns what to tell the admin; a refusal throws
 * (UsageError, or RefusedError when a guardrail refused).
 */
export async function decideOne(
  program: Command,
  ctx: CliContext,
  decision: 'approve' | 'deny',
  id: string,
): Promise<string> {
  const { t } = ctx;
  const { config, close, approvals } = await open(program);
  try {
    const r = await approvals.decide(
      id,
      decision,
      { channel: 'cli', identity: userInfo().username },
      Date.now(),
    );
    if (!r.ok) throw new UsageError(r.reason);
    const target = r.approval.target?.cidr ?? '-';
    const refusal =
      decision === 'approve' ? await refusalOf(config, approvals, r.approval, ctx) : null;
    if (refusal !== null)
      throw new RefusedError(t('guard.refused.approve', { id, target, reason: refusal }));
    return t(`respond.${decision}.done`, { id, target });
  } finally {
    await close();
  }
}

/** --reason with Sheriff's own default, which help shows in the reader's language. */
const reasonOption = (fallback: string, t: CliContext['t']) =>
  new Option('--reason <text>', t('respond.ban.opt.reason')).default(
    fallback,
    reasonText(fallback, t),
  );

export function registerRespond(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  const me = () => userInfo().username;

  program
    .command('approvals')
    .description(t('respond.approvals.description'))
    .option('--all', t('respond.approvals.opt.all'))
    .option('--json', t('respond.opt.json'))
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { config, records, close } = await openToRead(program);
      const when = readableIn(config);
      try {
        const [{ configuredApprovals }, { loadSecret }] = await Promise.all([
          import('../respond/approvals.js'),
          import('../respond/secret.js'),
        ]);
        const key = loadSecret({ storePath: storePath(config.store), create: false });
        const approvals = configuredApprovals(records, config, { key });
        // The daemon marks approvals expired; shown as such here until it does.
        const now = Date.now();
        const rows = (await approvals.list(opts.all ? { limit: 100 } : { status: 'pending' }))
          .map((a) =>
            a.status === 'pending' && a.expiresAt <= now ? { ...a, status: 'expired' as const } : a,
          )
          .filter((a) => opts.all || a.status === 'pending');
        const out = new BufferedOutput(ctx.stdout);
        for (const a of rows) {
          if (opts.json) out.write(JSON.stringify(a) + '\n');
          // Nothing a tampered row says can be believed: only its id is shown.
          else if (a.tampered) out.write(t('respond.approvals.tampered', { id: a.id }) + '\n');
          else
            out.write(
              t('respond.approvals.row', {
                id: a.id,
                status: a.status,
                action: a.action,
                target: a.target?.cidr ?? '-',
                duration:
                  a.durationMs === null ? t('respond.permanent') : formatDuration(a.durationMs),
                reason: reasonText(a.reason, t),
                by: requesterText(a.requestedBy, t),
                expires: when(a.expiresAt),
              }) + '\n',
            );
        }
        if (rows.length === 0 && !opts.json) out.write(t('respond.approvals.none') + '\n');
        await out.flush();
      } finally {
        await close();
      }
    });

  for (const decision of ['approve', 'deny'] as const) {
    const command = program
      .command(decision === 'approve' ? 'approve [id]' : 'deny <id>')
      .description(t(`respond.${decision}.description`));
    if (decision === 'approve')
      command
        .option('--all', t('respond.approve.opt.all'))
        .option('--jail <name>', t('respond.approve.opt.jail'));
    command.action(async (id: string | undefined, opts: { all?: boolean; jail?: string }) => {
      if (opts.all === true && id !== undefined)
        throw new UsageError(t('respond.approve.allAndId'));
      if (opts.all !== true && id === undefined) throw new UsageError(t('respond.approve.noId'));
      if (opts.jail !== undefined && opts.all !== true)
        throw new UsageError(t('respond.approve.jailWithoutAll'));
      if (id !== undefined) {
        ctx.stdout.write((await decideOne(program, ctx, decision, id)) + '\n');
        return;
      }
      const { config, close, approvals } = await open(program);
      try {
        const now = Date.now();
        const who = { channel: 'cli', identity: me() } as const;
        await approveAll(config, approvals, opts.jail, who, now);
      } finally {
        await close();
      }
    });
  }

  /** `approve --all`: every pending one (of a jail), each decided and audited on its own. */
  const approveAll = async (
    config: SheriffConfig,
    approvals: Approvals,
    jail: string | undefined,
    who: Decider,
    now: number,
  ) => {
    const ids = (await approvals.pending(jail === undefined ? {} : { jail })).map((a) => a.id);
    const out = new BufferedOutput(ctx.stdout);
    if (ids.length === 0) {
      out.write(t('respond.approvals.none') + '\n');
      await out.flush();
      return;
    }
    const results = await approvals.decideAll(ids, 'approve', who, now);
    let refused = 0;
    for (const [i, r] of results.entries()) {
      const id = ids[i]!;
      // Each approved ban meets the guardrails now, as a single approval does.
      const reason = r.ok ? await refusalOf(config, approvals, r.approval, ctx) : r.reason;
      if (reason !== null) refused++;
      out.write(
        (r.ok && reason === null
          ? t('respond.approve.done', { id, target: r.approval.target?.cidr ?? '-' })
          : t('respond.approve.notDone', { id, reason: reason ?? '' })) + '\n',
      );
    }
    await out.flush();
    if (refused > 0)
      throw new UsageError(t('respond.approve.someRefused', { refused, total: results.length }));
  };

  /** An admin's own request: asked and approved by the same person, in the audit log as such. */
  const adminAction = async (
    action: 'ban' | 'unban' | 'isolate' | 'release',
    ip: string | null,
    durationMs: number | null,
    reason: string,
  ) => {
    const { config, close, approvals } = await open(program);
    try {
      const now = Date.now();
      const user = me();
      const pending = await approvals.request(
        {
          action,
          target: ip === null ? null : target(ip, ctx),
          durationMs,
          reason,
          requestedBy: `admin:cli:${user}`,
          jail: null,
          evidence: { findings: [], events: [] },
        },
        now,
      );
      const r = await approvals.decide(
        pending.id,
        'approve',
        { channel: 'cli', identity: user },
        now,
      );
      if (!r.ok) throw new UsageError(r.reason);
      const refusal = await refusalOf(config, approvals, r.approval, ctx);
      if (refusal !== null)
        throw new RefusedError(
          t('guard.refused.ban', {
            target: r.approval.target?.cidr ?? '-',
            id: pending.id,
            reason: refusal,
          }),
        );
      ctx.stdout.write(
        t(`respond.${action}.done`, { target: pending.target?.cidr ?? ip ?? '', id: pending.id }) +
          '\n',
      );
    } finally {
      await close();
    }
  };

  program
    .command('isolate')
    .description(t('respond.isolate.description'))
    .option('--confirm', t('respond.isolate.opt.confirm'))
    .option('--release', t('respond.isolate.opt.release'))
    .addOption(reasonOption(DEFAULT_REASONS.isolate, t))
    .action(async (opts: { confirm?: boolean; release?: boolean; reason: string }) => {
      if (opts.release) return adminAction('release', null, null, opts.reason);
      const { config, records, close } = await open(program);
      try {
        if (opts.confirm) {
          const { ISOLATION_KEY } = await import('../respond/responder.js');
          const state = (await records.status.get(ISOLATION_KEY))?.value as
            { revertAt: number | null } | null | undefined;
          if (!state) throw new UsageError(t('respond.isolate.notIsolated'));
          const now = Date.now();
          await records.status.put(ISOLATION_KEY, { ...state, revertAt: null }, now);
          await records.audit.append({
            time: now,
            actor: me(),
            channel: 'cli',
            action: 'host.isolate.confirm',
            target: null,
            outcome: 'ok',
            detail: {},
          });
          ctx.stdout.write(t('respond.isolate.confirmed') + '\n');
          return;
        }
        if (config.response.admins.length === 0)
          throw new UsageError(t('respond.isolate.noAdmins'));
      } finally {
        await close();
      }
      await adminAction('isolate', null, null, opts.reason);
    });

  program
    .command('ban <ip>')
    .description(t('respond.ban.description'))
    .option('--for <duration>', t('respond.ban.opt.for'))
    .option('--permanent', t('respond.ban.opt.permanent'))
    .requiredOption('--reason <text>', t('respond.ban.opt.reason'))
    .action(async (ip: string, opts: { for?: string; permanent?: boolean; reason: string }) => {
      let duration: number | null = 3_600_000;
      try {
        if (opts.for !== undefined) duration = parseDuration(opts.for);
      } catch (err) {
        if (err instanceof DurationError) throw new UsageError(`--for: ${err.message}`);
        throw err;
      }
      if (opts.permanent) duration = null;
      await adminAction('ban', ip, duration, opts.reason);
    });

  program
    .command('unban <ip>')
    .description(t('respond.unban.description'))
    .addOption(reasonOption(DEFAULT_REASONS.unban, t))
    .action((ip: string, opts: { reason: string }) => adminAction('unban', ip, null, opts.reason));

  program
    .command('bans')
    .description(t('respond.bans.description'))
    .option('--host <name>', t('hosts.opt.host'))
    .option('--json', t('respond.opt.json'))
    .action(async (opts: { host?: string; json?: boolean }) => {
      // One host's: the bans in force of attackers its findings named (pending ones name none yet).
      const sensor = await hostOption(opts.host, t);
      const { config, records, hosts, close } = await openToRead(program);
      const when = readableIn(config);
      try {
        const out = new BufferedOutput(ctx.stdout);
        const now = Date.now();
        const rows =
          sensor === undefined
            ? [...(await records.bans.active(now)), ...(await records.bans.pending())]
            : await records.bans.active(now, sensor);
        const fleet = await fleetStates(records, hosts, rows);
        for (const b of rows) {
          if (opts.json) out.write(JSON.stringify({ ...b, fleet: fleet.get(b.id) ?? null }) + '\n');
          else
            out.write(
              t('respond.bans.row', {
                target: b.target.cidr,
                state:
                  b.appliedAt === null
                    ? t('respond.bans.pending')
                    : t('respond.bans.active') + notEnforcedNote(b, t, fleet.get(b.id)),
                until: b.expiresAt === null ? t('respond.permanent') : when(b.expiresAt),
                jail: b.jail ?? '-',
                reason: reasonText(b.reason, t),
                offence: b.offence,
              }) + '\n',
            );
        }
        if (rows.length === 0 && !opts.json) out.write(t('respond.bans.none') + '\n');
        await out.flush();
      } finally {
        await close();
      }
    });

  program
    .command('audit')
    .description(t('respond.audit.description'))
    .option('--since <duration>', t('events.opt.since'))
    .option('--json', t('respond.opt.json'))
    .action(async (opts: { since?: string; json?: boolean }) => {
      const { config, records, close } = await openToRead(program);
      const when = readableIn(config);
      try {
        const since = opts.since === undefined ? undefined : Date.now() - parseDuration(opts.since);
        const out = new BufferedOutput(ctx.stdout);
        for (const e of await records.audit.list({ since, limit: 1000 })) {
          if (opts.json) out.write(JSON.stringify(e) + '\n');
          else
            out.write(
              `${when(e.time)}  ${e.outcome.padEnd(8)} ${e.action.padEnd(18)} ${(e.target ?? '-').padEnd(22)} ${e.actor}${e.channel ? ` (${e.channel})` : ''}${typeof e.detail.why === 'string' ? `  ${e.detail.why}` : ''}\n`,
            );
        }
        await out.flush();
      } finally {
        await close();
      }
    });
}

/** At the fleet's hub, where the hosts confirmed each published ban (none elsewhere). */
async function fleetStates(
  records: RecordStore,
  hosts: () => Async<HostStore>,
  bans: readonly StoredBan[],
) {
  if (!bans.some((b) => b.firewall === 'fleet')) return new Map<number, never>();
  const { fleetBanStates } = await import('../fleet/ban-state.js');
  return fleetBanStates(bans, { status: records.status, hosts: hosts() });
}
