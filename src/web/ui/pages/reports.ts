/** Daily reports, newest first; earlier days one click back. */
import { get, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import { lang, t } from '../i18n.js';
import type { ReportView } from '../../contract.js';

export function reportsPage(root: HTMLElement, date: string | undefined): void {
  const query = `?lang=${lang()}${date === undefined ? '' : `&date=${encodeURIComponent(date)}`}`;
  get<ReportView>(`/api/reports${query}`)
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
          h('pre', { class: 'raw' }, r.text ?? JSON.stringify(r.report, null, 2)),
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
