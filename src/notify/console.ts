/** Alerts on the terminal (stdout), one line each: the notifier that needs no setup. */
import type { Translate } from '../i18n/index.js';
import { findingText } from './format.js';
import type { Alert, Notifier } from './notifier.js';

export class ConsoleNotifier implements Notifier {
  readonly id = 'console';

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly t: Translate,
  ) {}

  send(alert: Alert): Promise<void> {
    this.out.write(`${findingText(alert.finding, this.t)}\n`);
    return Promise.resolve();
  }
}
