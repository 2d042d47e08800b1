/** Bans in force: search, unban, extend. Each change is an admin's own approval, decided as 'web'. */
import { get, post, ApiError } from '../api.js';
import { h, replace, toast } from '../dom.js';
import { duration, when } from '../format.js';
import { t } from '../i18n.js';
import { subscribe } from '../live.js';
import { hostFilter, withHost } from '../host-filter.js';
import type { Ban } from '../../contract.js';

const EXTENSIONS = [3_600_000, 86_400_000, 7 * 86_400_000];

/**
 * A ban that blocks nothing says so wherever it is listed (dry-run, or no firewall confirmed it);
 * at the fleet's hub, a published ban says on how many of its hosts it is confirmed.
 */
export function unenforcedChip(b: Ban): HTMLElement | null {
  if (b.appliedAt === null || b.enforced) return null;
  if (b.firewall === 'fleet') {
    const f = b.fleet;
    return h(
      'span',
      {
        class: f !== undefined && f.of > 0 && f.applied === f.of ? 'chip' : 'chip unenforced',
        'data-testid': 'ban-fleet',
      },
      f === undefined || f.applied === 0
        ? t('bans.fleetPublished')
        : t('bans.fleetConfirmed', { applied: f.applied, of: f.of }),
    );
  }
  return h(
    'span',
    { class: 'chip unenforced', 'data-testid': 'ban-unenforced' },
    t(b.firewall === null ? 'bans.unconfirmed' : 'bans.notEnforced'),
  );
}

export function bansPage(root: HTMLElement): () => void {
  const body = h('tbody', {});
  const host = hostFilter(() => load());
  const search = h('input', {
    type: 'search',
    placeholder: t('bans.search'),
    'aria-label': t('bans.search'),
    'data-testid': 'bans-search',
    oninput: () => load(),
  });
  replace(
    root,
    h('div', { class: 'top' }, h('h1', {}, t('nav.bans'))),
    h(
      'section',
      { class: 'card' },
      h('div', { class: 'toolbar' }, search, host.element),
      h(
        'table',
        { 'data-testid': 'bans-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('col.target')),
            h('th', {}, t('col.jail')),
            h('th', {}, t('col.reason')),
            h('th', {}, t('col.by')),
            h('th', {}, t('col.since')),
            h('th', {}, t('col.expires')),
            h('th', {}, ''),
          ),
        ),
        body,
      ),
    ),
  );
  const act = (path: string, payload: unknown, done: string) =>
    post(path, payload)
      .then(() => toast(done))
      .catch((err: unknown) => toast(err instanceof ApiError ? err.message : String(err), 'error'))
      .finally(() => window.setTimeout(load, 1200));
  const row = (b: Ban) => {
    const extend = h(
      'select',
      { 'aria-label': t('bans.extendBy') },
      ...EXTENSIONS.map((ms) => h('option', { value: String(ms) }, duration(ms))),
    );
    return h(
      'tr',
      { 'data-testid': 'ban-row' },
      h('td', { class: 'mono' }, b.target.cidr, ' ', unenforcedChip(b)),
      h('td', {}, b.jail ?? '—'),
      h('td', { class: 'muted' }, b.reason),
      h('td', { class: 'muted' }, b.requestedBy),
      h('td', { class: 'muted' }, when(b.appliedAt ?? b.createdAt)),
      h('td', {}, b.expiresAt === null ? t('duration.permanent') : when(b.expiresAt)),
      h(
        'td',
        {},
        h(
          'div',
          { class: 'toolbar' },
          extend,
          h(
            'button',
            {
              type: 'button',
              onclick: () =>
                void act(
                  '/api/bans/extend',
                  { target: b.target.cidr, durationMs: Number(extend.value) },
                  t('bans.extended', { target: b.target.cidr }),
                ),
            },
            t('bans.extend'),
          ),
          h(
            'button',
            {
              class: 'danger',
              type: 'button',
              'data-testid': 'unban',
              onclick: () => {
                if (window.confirm(t('bans.confirmUnban', { target: b.target.cidr })))
                  void act(
                    '/api/bans/unban',
                    { target: b.target.cidr },
                    t('bans.unbanned', { target: b.target.cidr }),
                  );
              },
            },
            t('bans.unban'),
          ),
        ),
      ),
    );
  };
  const load = () => {
    const q = withHost(new URLSearchParams(), host);
    if (search.value.trim() !== '') q.set('q', search.value.trim());
    void get<Ban[]>(`/api/bans?${q.toString()}`).then((bans) =>
      replace(
        body,
        ...(bans.length === 0
          ? [h('tr', {}, h('td', { class: 'empty' }, t('bans.none')))]
          : bans.map(row)),
      ),
    );
  };
  load();
  return subscribe((items) => {
    if (items.some((i) => i.type === 'response')) load();
  });
}
