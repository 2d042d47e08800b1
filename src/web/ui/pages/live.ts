/** Live feed: events, findings and responses as they happen (SSE), newest on top. */
import { get } from '../api.js';
import { h, replace } from '../dom.js';
import { clock, duration } from '../format.js';
import { t } from '../i18n.js';
import { subscribe } from '../live.js';
import type { EventRecord, LiveItem } from '../../contract.js';

const MAX_ITEMS = 300;

function eventRow(e: EventRecord, fresh: boolean): HTMLElement {
  return h(
    'div',
    { class: `item${fresh ? ' new' : ''}`, 'data-testid': 'feed-event' },
    h('span', { class: 'muted mono' }, clock(e.time)),
    h('span', {}, h('span', { class: `chip ${e.result}` }, t(`result.${e.result}`))),
    h(
      'div',
      {},
      h(
        'div',
        {},
        h('span', { class: 'mono' }, e.ip ?? e.host ?? '—'),
        ' · ',
        h('span', { class: 'muted' }, t('col.user')),
        ' ',
        // The user name is attacker text: a text node, whatever it contains.
        h('span', { class: 'mono', 'data-testid': 'feed-user' }, e.user ?? '—'),
        ' · ',
        h('span', { class: 'muted' }, e.jail),
      ),
      h('div', { class: 'raw' }, e.line),
    ),
  );
}

function itemRow(item: LiveItem): HTMLElement | null {
  const now = Date.now();
  if (item.type === 'event') return eventRow(item.event, true);
  if (item.type === 'finding') {
    const f = item.finding;
    return h(
      'div',
      { class: 'item new', 'data-testid': 'feed-finding' },
      h('span', { class: 'muted mono' }, clock(now)),
      h('span', {}, h('span', { class: 'chip finding' }, t(`kind.${f.kind}`))),
      h(
        'div',
        {},
        h('span', { class: 'mono' }, f.ip),
        ' · ',
        t('live.findingCount', { n: f.count, jail: f.jail }),
        // At the hub: the hosts it was seen on.
        ...(f.hosts ?? [])
          .map((x) => [' ', h('span', { class: 'chip', 'data-testid': 'feed-host' }, x)])
          .flat(),
        f.users.length > 0 ? h('div', { class: 'raw' }, f.users.join(', ')) : null,
      ),
    );
  }
  const a = item.alert;
  const approval = a.approval as
    { target?: { cidr: string } | null; durationMs?: number | null } | undefined;
  const ban = a.ban as { target: { cidr: string }; enforced?: boolean } | undefined;
  const target =
    (a.target as { cidr: string } | undefined)?.cidr ??
    approval?.target?.cidr ??
    ban?.target.cidr ??
    '';
  return h(
    'div',
    { class: 'item new', 'data-testid': 'feed-response' },
    h('span', { class: 'muted mono' }, clock(now)),
    h(
      'span',
      {},
      // A dry-run ban blocked nothing: it must not read as "banned".
      a.type === 'banned' && ban?.enforced === false
        ? h('span', { class: 'chip unenforced' }, t('response.bannedDryRun'))
        : h('span', { class: 'chip response' }, t(`response.${a.type}`)),
    ),
    h(
      'div',
      {},
      h('span', { class: 'mono' }, target),
      approval !== undefined ? ` · ${duration(approval.durationMs ?? null)}` : '',
      typeof a.reason === 'string' ? h('div', { class: 'muted' }, a.reason) : null,
    ),
  );
}

export function livePage(root: HTMLElement): () => void {
  const feed = h('div', { class: 'feed', 'data-testid': 'feed' });
  const note = h('span', { class: 'muted' });
  replace(
    root,
    h('div', { class: 'top' }, h('h1', {}, t('nav.live')), note),
    h('section', { class: 'card' }, feed),
  );
  const trim = () => {
    while (feed.childElementCount > MAX_ITEMS) feed.lastElementChild?.remove();
  };
  void get<EventRecord[]>('/api/events?limit=50').then((events) => {
    if (events.length === 0 && feed.childElementCount === 0)
      feed.append(h('div', { class: 'empty', 'data-testid': 'feed-empty' }, t('live.waiting')));
    for (const e of events) feed.append(eventRow(e, false));
    trim();
  });
  return subscribe((items, dropped) => {
    feed.querySelector('[data-testid="feed-empty"]')?.remove();
    for (const item of items) {
      const row = itemRow(item);
      if (row !== null) feed.prepend(row);
    }
    if (dropped > 0) note.textContent = t('live.dropped', { n: dropped });
    trim();
  });
}
