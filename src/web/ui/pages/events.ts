/** Events: search the store by address, user or result. */
import { get, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { when } from '../format.js';
import { t } from '../i18n.js';
import { hostFilter, withHost } from '../host-filter.js';
import type { EventRecord } from '../../contract.js';

export function eventsPage(root: HTMLElement): void {
  const body = h('tbody', {});
  const error = h('span', { class: 'muted' });
  const ip = h('input', { name: 'ip', placeholder: t('events.ip'), 'aria-label': t('events.ip') });
  const user = h('input', {
    name: 'user',
    placeholder: t('events.user'),
    'aria-label': t('events.user'),
  });
  const kind = h(
    'select',
    { 'aria-label': t('col.result') },
    h('option', { value: '' }, t('events.any')),
    ...(['fail', 'success', 'nofail'] as const).map((r) =>
      h('option', { value: r }, t(`result.${r}`)),
    ),
  );
  const host = hostFilter(() => load());
  const load = () => {
    const q = withHost(new URLSearchParams({ limit: '200' }), host);
    if (ip.value.trim() !== '') q.set('ip', ip.value.trim());
    if (user.value !== '') q.set('user', user.value);
    if (kind.value !== '') q.set('kind', kind.value);
    error.textContent = '';
    get<EventRecord[]>(`/api/events?${q.toString()}`)
      .then((events) =>
        replace(
          body,
          ...(events.length === 0
            ? [h('tr', {}, h('td', { class: 'empty' }, t('events.none')))]
            : events.map((e) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'muted mono' }, when(e.time)),
                  h('td', {}, h('span', { class: `chip ${e.result}` }, t(`result.${e.result}`))),
                  h('td', { class: 'mono' }, e.ip ?? '—'),
                  h('td', { class: 'mono' }, e.user ?? '—'),
                  host.element === null ? null : h('td', { class: 'mono' }, sensorOf(e)),
                  h('td', {}, e.jail),
                  h('td', { class: 'raw' }, e.line),
                ),
              )),
        ),
      )
      .catch(
        (err: unknown) => (error.textContent = err instanceof ApiError ? err.message : String(err)),
      );
  };
  replace(
    root,
    h('div', { class: 'top' }, h('h1', {}, t('nav.events'))),
    h(
      'section',
      { class: 'card' },
      h(
        'form',
        {
          class: 'toolbar',
          onsubmit: (e) => {
            e.preventDefault();
            load();
          },
        },
        ip,
        user,
        kind,
        host.element,
        h('button', { class: 'primary', type: 'submit' }, t('events.search')),
        error,
      ),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('col.when')),
            h('th', {}, t('col.result')),
            h('th', {}, t('col.address')),
            h('th', {}, t('col.user')),
            host.element === null ? null : h('th', {}, t('col.host')),
            h('th', {}, t('col.jail')),
            h('th', {}, t('col.line')),
          ),
        ),
        body,
      ),
    ),
  );
  load();
}

/** The host an event came from, at the hub (its source reads "<host>:<source>"). */
function sensorOf(e: EventRecord): string {
  const i = e.source?.indexOf(':') ?? -1;
  return i > 0 ? e.source!.slice(0, i) : '—';
}
