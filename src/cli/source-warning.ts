/** Why the automatic sources read nothing, in words: at `watch` start and in `status`. */
import type { Translate } from '../i18n/index.js';
import { JOURNAL_SOCKET, type SourceWarning } from '../sources/auto.js';
import { DEFAULT_UNITS } from '../sources/journald.js';

export function sourceWarningText(w: SourceWarning, t: Translate): string {
  return w.code === 'none-found'
    ? t('watch.noSource', { socket: JOURNAL_SOCKET })
    : t('watch.journalEmpty', { units: DEFAULT_UNITS.join(', ') });
}

/** The one line `sheriff status` shows. */
export function sourceWarningLine(w: SourceWarning, t: Translate): string {
  return t(w.code === 'none-found' ? 'status.noSource' : 'status.journalEmpty');
}
