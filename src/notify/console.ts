/** Alerts on the terminal (stdout): the notifier that needs no setup. */
import type { Translate } from '../i18n/index.js';
import { alertText, timeFormatter } from './alert-text.js';
import type { Alert, Notifier } from './notifier.js';

export class ConsoleNotifier implements Notifier {
  readonly id = 'console';

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly t: Translate,
  ) {}

  private readonly time = timeFormatter();

  send(alert: Alert): Promise<void> {
    this.out.write(`${alertText(alert, { t: this.t, time: this.time })}\n`);
    return Promise.resolve();
  }
}
