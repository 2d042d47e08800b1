/**
 * The fleet's hosts, at the hub: when each was last heard from, how far
 * behind its logs it is, its version, what waits in its outbox, the decisions
 * it confirmed in force, the messages the hub refused and its last errors.
 */
import { get, ApiError } from '../api.js';
import { h, replace } from '../dom.js';
import { ago, duration, number } from '../format.js';
import { t } from '../i18n.js';
import type { HostView } from '../../contract.js';

/** How long a host may say nothing before its row says so. */
const SILENT_MS = 60_000;

/** A count that needs a look (a backlog, refused messages) stands out. */
function count(n: number | null, bad: boolean): HTMLElement | string {
  if (n === null) return '—';
  return bad && n > 0 ? h('span', { class: 'chip fail' }, number(n)) : number(n);
}

/** Whole seconds behind its logs; "0s" when caught up. */
function lag(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? '0s' : duration(Math.round(ms / 1000) * 1000);
}

function row(x: HostView): HTMLElement {
  return h(
    'tr',
    { 'data-testid': 'host-row' },
    h(
      'td',
      { class: 'mono' },
      x.name,
      ...x.groups.map((g) => [' ', h('span', { class: 'chip' }, g)]).flat(),
    ),
    h(
      'td',
      { title: new Date(x.lastSeen).toISOString() },
      // A sensor beats every 10 s: a minute without a word stands out.
      Date.now() - x.lastSeen > SILENT_MS
        ? h('span', { class: 'chip fail', 'data-testid': 'host-silent' }, ago(x.lastSeen))
        : ago(x.lastSeen),
    ),
    h('td', {}, lag(x.lagMs)),
    h('td', { class: 'mono' }, x.version ?? '—'),
    h('td', {}, count(x.outbox, true)),
    h('td', {}, number(x.bansApplied)),
    h('td', {}, count(x.rejected, true)),
    // Sensor text is data: shown as text only.
    h('td', { class: 'muted' }, x.errors.length === 0 ? '—' : x.errors.join('; ')),
  );
}

export function hostsPage(root: HTMLElement): () => void {
  const body = h('tbody', {});
  const error = h('span', { class: 'muted' });
  replace(
    root,
    h('div', { class: 'top' }, h('h1', {}, t('nav.hosts')), error),
    h(
      'section',
      { class: 'card' },
      h(
        'table',
        { 'data-testid': 'hosts-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('col.host')),
            h('th', {}, t('hosts.lastSeen')),
            h('th', {}, t('hosts.lag')),
            h('th', {}, t('hosts.version')),
            h('th', {}, t('hosts.outbox')),
            h('th', {}, t('hosts.bansApplied')),
            h('th', {}, t('hosts.rejected')),
            h('th', {}, t('hosts.errors')),
          ),
        ),
        body,
      ),
    ),
  );
  const load = () =>
    get<HostView[]>('/api/hosts')
      .then((hosts) => {
        error.textContent = '';
        replace(
          body,
          ...(hosts.length === 0
            ? [h('tr', {}, h('td', { class: 'empty' }, t('hosts.none')))]
            : hosts.map(row)),
        );
      })
      .catch((err: unknown) => {
        error.textContent = err instanceof ApiError ? err.message : String(err);
      });
  void load();
  // Hosts report every few seconds: the page follows without a reload.
  const timer = window.setInterval(() => void load(), 10_000);
  return () => window.clearInterval(timer);
}
