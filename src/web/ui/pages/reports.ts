/** Daily reports, newest first; earlier days one click back. */
import { get, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import { t } from '../i18n.js';

interface StoredReport {
  date: string;
  createdAt: number;
  report: unknown;
  previous: string | null;
}

/** The report's own text when it has one (report/ writes it), else its fields as JSON text. */
function body(report: unknown): string {
  if (
    typeof report === 'object' &&
    report !== null &&
    'text' in report &&
    typeof report.text === 'string'
  )
    return report.text;
  return JSON.stringify(report, null, 2);
}

export function reportsPage(root: HTMLElement, date: string | undefined): void {
  get<StoredReport>(`/api/reports${date === undefined ? '' : `?date=${encodeURIComponent(date)}`}`)
    .then((r) =>
      replace(
        root,
        h(
          'div',
          { class: 'top' },
          h('h1', {}, t('reports.title', { date: r.date })),
          r.previous === null
            ? null
            : h(
                'a',
                { href: `#/reports/${r.previous}` },
                t('reports.previous', { date: r.previous }),
              ),
        ),
        h(
          'section',
          { class: 'card' },
          h('div', { class: 'muted' }, when(r.createdAt)),
          h('pre', { class: 'raw' }, body(r.report)),
        ),
      ),
    )
    .catch((err: unknown) =>
      replace(
        root,
        h('div', { class: 'top' }, h('h1', {}, t('nav.reports'))),
        h(
          'section',
          { class: 'card empty' },
          err instanceof ApiError && err.status === 404 ? t('reports.none') : String(err),
        ),
      ),
    );
}
