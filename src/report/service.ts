/**
 * The daily report service: on the `report.schedule` cron (09:00 by default,
 * in the configured zone) it builds the report of the 24 hours ending at the
 * run (see day.ts for what "the day" is), asks the LLM analyst for a short
 * commentary when one is configured, stores it under its local date and hands
 * it to `deliver` (the daemon broadcasts it to every notifier).
 *
 * A quiet day gets no commentary (nothing to comment on, no tokens spent). A
 * commentary that fails or takes longer than `commentaryTimeoutMs` is left
 * out and logged; the report still goes out. It is written once, in
 * `language`, and shown as is in every channel.
 */
import type { Clock, Schedule } from '../clock.js';
import type { Enrichment, Millis } from '../domain.js';
import { translator, type Lang } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { TimeZone } from '../parse/zone.js';
import type { RecordStore } from '../store/api.js';
import { buildReport, type HostReaders, type ReportInputs } from './build.js';
import type { ReportConfig } from './config.js';
import { lookupReport } from './lookup.js';
import type { DailyReport } from './model.js';
import { isQuiet, reportText } from './text.js';

export interface ReportServiceOptions {
  store: RecordStore;
  config: ReportConfig;
  /** The commentary's language. */
  language: Lang;
  /** IANA zone of the schedule and the report's date; default this machine's. */
  timezone?: string;
  /** Listening ports and sessions; without it those sections are left out. */
  host?: HostReaders;
  enrich?: (ip: string) => Promise<Enrichment>;
  /** Trusted and internal addresses: never among the top attackers. */
  internal: (ip: string) => boolean;
  /** The LLM analyst. MUST stop when `signal` aborts; null: nothing to say. */
  commentary?: (report: DailyReport, lang: Lang, signal: AbortSignal) => Promise<string | null>;
  /** Hands the finished report to the channels; called once per run. */
  deliver: (report: DailyReport) => void;
  /** The time, and the schedule's timer. */
  clock: Clock;
  logger?: Logger;
  /** How long the commentary may take. Default 60 s. */
  commentaryTimeoutMs?: number;
}

const COMMENTARY_TIMEOUT_MS = 60_000;
/** Model text is capped whatever the model did, so the report stays a message. */
const MAX_COMMENTARY_CHARS = 1500;

export class ReportService {
  private readonly zone: TimeZone;
  private cron: Schedule | null = null;
  /** Aborted by stop(), so a commentary in flight does not outlive the daemon. */
  private readonly stopping = new AbortController();

  /** Throws TimeZoneError for an unknown zone. */
  constructor(private readonly o: ReportServiceOptions) {
    this.zone = TimeZone.of(o.timezone);
  }

  /**
   * Builds the report of the 24 hours ending at `now`, stores it under its
   * local date (replacing an earlier one of that date), delivers it. Never
   * throws: a failure is logged and gives null (or, when only storing failed,
   * the delivered report).
   */
  async run(now: Millis = this.o.clock.now()): Promise<DailyReport | null> {
    const { store, logger } = this.o;
    let report: DailyReport;
    try {
      report = await this.withCommentary(await buildReport(this.inputs(), now));
    } catch (err) {
      logger?.error({ event: 'report_failed', err }, 'the daily report could not be made');
      return null;
    }
    try {
      await store.reports.put(report.date, report, now);
    } catch (err) {
      logger?.error({ event: 'report_not_stored', err }, 'the daily report could not be stored');
    }
    try {
      this.o.deliver(report);
    } catch (err) {
      logger?.error({ event: 'report_not_delivered', err }, 'the daily report was not delivered');
    }
    logger?.info(
      { event: 'report_made', date: report.date, level: report.status.level },
      `daily report ${report.date}`,
    );
    return report;
  }

  /**
   * Today's report so far, for the console's "report now": the 24 hours ending
   * at `now`, with the commentary when an LLM is configured, neither stored nor
   * delivered (the scheduled run stays the day's report). Throws when it
   * cannot be made.
   */
  async preview(now: Millis = this.o.clock.now()): Promise<DailyReport> {
    return this.withCommentary(await buildReport(this.inputs(), now));
  }

  /** Runs on `config.schedule` in the zone; nothing when the report is disabled. */
  start(): void {
    if (!this.o.config.enabled || this.cron !== null) return;
    // Returned, so that a run is skipped while the last one lasts.
    this.cron = this.o.clock.cron(this.o.config.schedule, this.zone.configuredName, async () => {
      await this.run();
    });
  }

  /** When the next scheduled run is, or null when none is scheduled. */
  nextRun(): Millis | null {
    return this.cron?.nextRun() ?? null;
  }

  stop(): void {
    this.cron?.stop();
    this.cron = null;
    this.stopping.abort();
  }

  /** A stored report's text (or one made now from the store), or why there is none, in `lang`. */
  async textFor(lang: Lang, date?: string): Promise<string> {
    const t = translator(lang);
    const found = await lookupReport(
      { ...this.inputs(), schedule: this.o.config.schedule },
      date,
      this.o.clock.now(),
      t,
    );
    if ('error' in found) return found.error;
    const text = reportText(found.report, t);
    return found.stored ? text : `${t('report.fresh', { date: found.report.date })}\n\n${text}`;
  }

  private inputs(): ReportInputs {
    const { store, config, host, enrich, internal, logger } = this.o;
    return { store, config, zone: this.zone, host, enrich, internal, logger };
  }

  private async withCommentary(report: DailyReport): Promise<DailyReport> {
    const ask = this.o.commentary;
    if (ask === undefined || !this.o.config.commentary || isQuiet(report)) return report;
    const lang = this.o.language;
    const timeoutMs = this.o.commentaryTimeoutMs ?? COMMENTARY_TIMEOUT_MS;
    // A referenced timer (AbortSignal.timeout's is not): the run ends even when nothing else keeps the process alive.
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new Error(`no commentary within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const signal = AbortSignal.any([this.stopping.signal, timeout.signal]);
    try {
      const text = (await untilAborted(ask(report, lang, signal), signal))?.trim() ?? '';
      if (text === '') return report;
      return { ...report, commentary: { lang, text: text.slice(0, MAX_COMMENTARY_CHARS) } };
    } catch (err) {
      this.o.logger?.warn(
        { event: 'report_commentary_failed', err },
        'the daily report goes out without commentary',
      );
      return report;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `work`'s result, or a rejection as soon as `signal` aborts (a provider that ignores it cannot hold the report). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  void work.catch(() => {}); // a late failure after giving up is not an unhandled rejection
  return new Promise<T>((resolve, reject) => {
    const abort = () =>
      reject(signal.reason instanceof Error ? signal.reason : new Error('commentary aborted'));
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
