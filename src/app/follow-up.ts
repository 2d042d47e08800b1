/**
 * Part of the composition root (with daemon.ts): everything downstream of
 * detection that is not on the hot path. Findings and events become incidents
 * (enriched by intel, triaged by rules), the daily report is made on schedule,
 * and the analyst answers Telegram's free text. The daemon forwards what the
 * pipeline finds; the responder's alerts come over the alert bus (onAlert);
 * nothing here can delay a line or a ban.
 */
import type { Tracer } from '@opentelemetry/api';
import type { Clock, Stop } from '../clock.js';
import type { SheriffConfig } from './config.js';
import { storePath } from '../config/paths.js';
import type { AuthEvent, Finding, StatusLevel } from '../domain.js';
import { translator, type Lang } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { createAnalyst, type Analyst } from '../agent/analyst.js';
import { reportCommentary } from '../agent/commentary.js';
import { intelPort } from '../agent/ports.js';
import { analystDeps, systemHost } from '../agent/setup.js';
import { incidentLine, statusText } from '../incidents/format.js';
import { IncidentManager } from '../incidents/manager.js';
import { timelineEntryOf } from '../incidents/actions.js';
import { currentStatus, statusReader } from '../incidents/status.js';
import { buildIntel, type Intel } from '../intel/setup.js';
import { isResponseAlert, type Alert } from '../notify/notifier.js';
import type { BotHooks } from '../notify/telegram/commands.js';
import { TimeZone } from '../parse/zone.js';
import { ReportService } from '../report/service.js';
import { requesterOf, type Approvals } from '../respond/approvals.js';
import type { ResponseAlert } from '../respond/responder.js';
import type { RecordStore } from '../store/api.js';

export interface FollowUpOptions {
  config: SheriffConfig;
  /** The records; intel's reputation answers are cached in them too. */
  store: RecordStore;
  approvals: Approvals;
  /** The time, and the ticks of incidents, intel and the report. */
  clock: Clock;
  logger: Logger;
  /** Publishes an alert (a status change, the daily report) on the alert bus. */
  publish: (alert: Alert) => void;
  /** Commits queued events, so that triage reads them. */
  flushEvents: () => void;
  /** Tokens the analyst's model calls used (metrics). */
  onLlmUsage?: (inputTokens: number, outputTokens: number) => void;
  /** Where the analyst's spans go. */
  tracer?: Tracer;
  env?: NodeJS.ProcessEnv;
}

/** How often incidents take in new events and are re-triaged. */
const INCIDENT_TICK_MS = 5000;
/** How often URL blocklists are checked for being due (each has its own refresh). */
const INTEL_REFRESH_MS = 60_000;
const MAX_INCIDENTS_LISTED = 15;

export class FollowUp {
  readonly intel: Intel;
  readonly incidents: IncidentManager;
  readonly reports: ReportService;
  readonly analyst: Analyst;
  private readonly timers: Stop[] = [];
  private readonly zone: TimeZone;
  /** The status level last announced; a change is an alert. */
  private level: StatusLevel | null = null;
  /** The status, asked every tick: the week's baseline is read again every ten minutes only. */
  private readonly status: ReturnType<typeof statusReader>;

  /** Throws the intel or provider configuration error that keeps it from working. */
  constructor(private readonly o: FollowUpOptions) {
    const { config, store, logger } = o;
    const clock = o.clock.now;
    this.zone = TimeZone.of(config.timezone);
    this.status = statusReader(store.activity);
    this.intel = buildIntel({
      config: config.intel,
      trusted: config.trusted,
      storePath: storePath(config.store),
      cache: store.intel,
      clock,
      logger,
      ...(o.env === undefined ? {} : { env: o.env }),
    });
    const enrich = (ip: string) => this.intel.enricher.enrich(ip);
    this.incidents = new IncidentManager({
      store,
      enrich,
      isInternal: (ip) => this.intel.trusted.isInternal(ip),
      clock,
      logger,
      onTriaged: (i, previous) =>
        logger.info(
          {
            event: 'incident_triaged',
            incident: i.id,
            attacker: i.attacker,
            verdict: i.verdict,
            severity: i.severity,
            previous,
          },
          `incident #${i.id}: ${i.verdict ?? '-'}`,
        ),
    });
    const host = systemHost(config.response.managementPorts);
    const deps = analystDeps({
      store,
      config,
      approvals: requesterOf(o.approvals),
      clock,
      host,
      intel: intelPort(this.intel.enricher),
      report: {
        send: async (now, lang) => {
          const report = await this.reports.run(now);
          return { sent: report !== null, summary: await this.reports.textFor(lang) };
        },
      },
      ...(o.env === undefined ? {} : { env: o.env }),
      ...(o.onLlmUsage === undefined ? {} : { onUsage: o.onLlmUsage }),
      ...(o.tracer === undefined ? {} : { tracer: o.tracer }),
    });
    this.analyst = createAnalyst(deps);
    this.reports = new ReportService({
      store,
      config: config.report,
      language: config.language,
      ...(config.timezone === undefined ? {} : { timezone: config.timezone }),
      host,
      enrich,
      internal: (ip) => this.intel.trusted.isInternal(ip),
      ...(config.report.commentary && deps.llm !== null
        ? {
            commentary: (report, lang, signal) =>
              reportCommentary(deps, report, report.status.level, lang, signal),
          }
        : {}),
      deliver: (report) => o.publish({ type: 'report', report }),
      clock: o.clock,
      logger,
    });
  }

  /** What the Telegram bot borrows: the status level, incidents, reports and the analyst. */
  get botHooks(): BotHooks {
    const { store, clock } = this.o;
    return {
      level: async () => (await currentStatus(store.activity, clock.now())).level,
      incidents: (lang) => this.incidentsText(lang),
      report: (lang, date) => this.reports.textFor(lang, date),
      ask: async (chat, text, lang) =>
        (
          await this.analyst.ask({
            conversation: `telegram:${chat}`,
            text,
            lang,
            channel: 'telegram',
            identity: chat,
          })
        ).text,
    };
  }

  private async incidentsText(lang: Lang): Promise<string> {
    const t = translator(lang);
    const { store, clock } = this.o;
    const [active, status] = await Promise.all([
      store.incidents.list({ state: 'active', limit: MAX_INCIDENTS_LISTED }),
      currentStatus(store.activity, clock.now()),
    ]);
    return [
      statusText(status, t),
      '',
      ...(active.length === 0
        ? [t('incidents.none')]
        : active.map((i) => incidentLine(i, t, this.zone))),
    ].join('\n');
  }

  onEvent(event: AuthEvent, jail: string): void {
    this.incidents.onEvent(event, jail);
  }

  onFinding(finding: Finding, id: number | null): void {
    this.incidents
      .onFinding(finding, id)
      .catch((err: unknown) =>
        this.o.logger.error(
          { event: 'incident_update_failed', err },
          'a finding could not be added to its incident',
        ),
      );
  }

  /** From the alert bus: approvals, bans and refusals go on the timeline of the attacker's incident. */
  onAlert(alert: Alert): void {
    if (isResponseAlert(alert)) this.onResponse(alert);
  }

  private onResponse(alert: ResponseAlert): void {
    const entry = timelineEntryOf(alert, this.o.clock.now());
    if (entry === null) return;
    this.incidents
      .onAction(entry.target, entry.entry)
      .catch((err: unknown) =>
        this.o.logger.warn(
          { event: 'incident_update_failed', err },
          'an action could not be added to its incident',
        ),
      );
  }

  /** Commits queued events, lets incidents take them in and re-triages, then announces a new level. */
  async tick(): Promise<void> {
    this.o.flushEvents();
    await this.incidents.tick();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const status = await this.status(this.o.clock.now());
    const previous = this.level;
    this.level = status.level;
    if (previous !== null && previous !== status.level) {
      this.o.logger.warn(
        { event: 'status_changed', level: status.level, previous },
        `server status: ${status.level}`,
      );
      this.o.publish({ type: 'status', status, previous });
    }
  }

  start(): void {
    const { logger, clock } = this.o;
    // The level at start is the baseline: only changes are news (a tick first has set it already).
    this.status(clock.now()).then(
      (s) => (this.level ??= s.level),
      (err: unknown) =>
        logger.warn({ event: 'status_failed', err }, 'the server status could not be read'),
    );
    for (const line of this.intel.describe())
      logger.info({ event: 'intel_provider', provider: line }, `intel: ${line}`);
    const tick = () =>
      this.tick().catch((err: unknown) =>
        logger.warn({ event: 'incident_tick_failed', err }, 'incidents could not be updated'),
      );
    const refresh = () => void this.intel.refresh(clock.now());
    this.timers.push(clock.every(INCIDENT_TICK_MS, tick), clock.every(INTEL_REFRESH_MS, refresh));
    refresh();
    this.reports.start();
  }

  /** Folds in what is pending, one last time. */
  async stop(): Promise<void> {
    for (const t of this.timers) t.stop();
    this.reports.stop();
    await this.tick();
  }
}
