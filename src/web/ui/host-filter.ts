/**
 * At the fleet's hub, a list (events, incidents, bans) can show one host's
 * rows: a select of the hosts the hub knows, "all hosts" first. A single
 * host's console has no such select.
 */
import { get } from './api.js';
import { h } from './dom.js';
import { features } from './features.js';
import { t } from './i18n.js';
import type { HostView } from '../contract.js';

export interface HostFilter {
  /** The select, or null when the console is not at a hub. */
  element: HTMLSelectElement | null;
  /** `host=<name>` for the API query, or null for every host. */
  value(): string | null;
}

/** A host select that calls `changed` when another host is chosen. */
export function hostFilter(changed: () => void): HostFilter {
  if (!features().hosts) return { element: null, value: () => null };
  const select = h(
    'select',
    { 'aria-label': t('hosts.filter'), 'data-testid': 'host-filter', oninput: () => changed() },
    h('option', { value: '' }, t('hosts.all')),
  );
  void get<HostView[]>('/api/hosts').then((hosts) =>
    select.append(...hosts.map((x) => h('option', { value: x.name }, x.name))),
  );
  return { element: select, value: () => (select.value === '' ? null : select.value) };
}

/** The query string `q` with the chosen host, if any. */
export function withHost(q: URLSearchParams, filter: HostFilter): URLSearchParams {
  const host = filter.value();
  if (host !== null) q.set('host', host);
  return q;
}
