/** Daily reports, newest first; earlier days one click back; today's so far on demand. */
import { get, post, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { features } from '../features.js';
import { when } from '../format.js';
import { lang, t } from '../i18n.js';
import type { ReportView } from '../../contract.js';

export function reportsPage(root: HTMLElement, date: string | undefined): void {
  const body = h('section', { class: 'card' }, h('div', { class: 'muted' }, t('reports.loading')));
  const title = h('h1', {}, t('nav.reports'));
  const back = h('span', {});
  const today = features().todayReport
    ? h(
        'button',
        {
          type: 'button',
          'data-testid': 'report-today',
          onclick: (e) => {
            const button = e.currentTarget as HTMLButtonElement;
            button.disabled = true;
            replace(body, h('div', { class: 'muted' }, t('reports.building')));
            post<ReportView>('/api/reports/today', { lang: lang() })
              .then((r) => show(r, t('reports.todayTitle', { date: r.date })))
              .catch(failed)
              .finally(() => (button.disabled = false));
          },
        },
        t('reports.today'),
      )
    : null;
  const show = (r: ReportView, heading: string) => {
    title.textContent = heading;
    replace(
      back,
      r.previous === null
        ? null
        : h('a', { href: `#/reports/${r.previous}` }, t('reports.previous', { date: r.previous })),
    );
    replace(
      body,
      h('div', { class: 'muted' }, when(r.createdAt)),
      h(
        'pre',
        { class: 'raw', 'data-testid': 'report-text' },
        r.text ?? JSON.stringify(r.report, null, 2),
      ),
    );
  };
  const failed = (err: unknown) =>
    replace(
      body,
      h(
        'div',
        { class: 'empty' },
        err instanceof ApiError && err.status === 404 ? t('reports.none') : String(err),
      ),
    );
  replace(
    root,
    h('div', { class: 'top' }, title, h('div', { class: 'toolbar' }, back, today)),
    body,
  );
  const query = `?lang=${lang()}${date === undefined ? '' : `&date=${encodeURIComponent(date)}`}`;
  get<ReportView>(`/api/reports${query}`)
    .then((r) => show(r, t('reports.title', { date: r.date })))
    .catch(failed);
}
