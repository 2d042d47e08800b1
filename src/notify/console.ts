/** Alerts on the terminal (stdout): the notifier that needs no setup. */
import type { Translate } from '../i18n/index.js';
import { alertText, timeFormatter } from './alert-text.js';
import type { Alert, Notifier } from './notifier.js';

export interface ConsoleOptions {
  /**
   * Whether to print findings: not when the log on the same terminal already
   * shows each one on its line (one line per finding, not two).
   */
  findings?: boolean;
  /** The time zone alerts' times read in (default: this machine's). */
  timezone?: string;
}

export class ConsoleNotifier implements Notifier {
  readonly id = 'console';
  private readonly time: (t: number) => string;
  private readonly findings: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly t: Translate,
    opts: ConsoleOptions = {},
  ) {
    this.time = timeFormatter(opts.timezone);
    this.findings = opts.findings ?? true;
  }

  send(alert: Alert): Promise<void> {
    if (alert.type === 'finding' && !this.findings) return Promise.resolve();
    // The finding was shown on this terminal just before: the question does not repeat it.
    const shown = alert.type === 'approval' ? { ...alert, finding: null } : alert;
    this.out.write(`${alertText(shown, { t: this.t, time: this.time })}\n`);
    return Promise.resolve();
  }
}
