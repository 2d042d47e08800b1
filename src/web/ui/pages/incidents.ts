/** Incidents: the list, and one incident's story (triage, timeline of evidence and actions, notes). */
import { get, post, ApiError } from '../api.js';
import { h, replace, toast } from '../dom.js';
import { ago, duration, number, when } from '../format.js';
import { lang, t } from '../i18n.js';
import { subscribe } from '../live.js';
import { hostFilter, withHost } from '../host-filter.js';
import type { Incident, IncidentDetail, TimelineEntry, Triage } from '../../contract.js';

function verdictChip(v: Incident['verdict'], s: Incident['severity']): HTMLElement {
  if (v === null) return h('span', { class: 'chip' }, t('incidents.untriaged'));
  const tone = v === 'malicious' ? 'fail' : v === 'benign' ? 'success' : 'finding';
  return h(
    'span',
    { class: `chip ${tone}` },
    t(`verdict.${v}`) + (s === null ? '' : ` · ${t(`severity.${s}`)}`),
  );
}

function listView(root: HTMLElement): () => void {
  const body = h('tbody', {});
  const host = hostFilter(() => load());
  const state = h(
    'select',
    { 'aria-label': t('col.status'), oninput: () => load() },
    ...(['active', 'resolved', 'all'] as const).map((s) =>
      h('option', { value: s }, t(`incidents.filter.${s}`)),
    ),
  );
  replace(
    root,
    h('div', { class: 'top' }, h('h1', {}, t('nav.incidents')), host.element, state),
    h(
      'section',
      { class: 'card' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, '#'),
            h('th', {}, t('col.address')),
            h('th', {}, t('incidents.kinds')),
            h('th', {}, t('incidents.verdict')),
            h('th', {}, t('col.failures')),
            h('th', {}, t('col.users')),
            h('th', {}, t('col.last')),
            h('th', {}, t('col.status')),
          ),
        ),
        body,
      ),
    ),
  );
  const load = () =>
    void get<Incident[]>(
      `/api/incidents?${withHost(new URLSearchParams({ state: state.value }), host).toString()}`,
    ).then((list) =>
      replace(
        body,
        ...(list.length === 0
          ? [h('tr', {}, h('td', { class: 'empty' }, t('incidents.none')))]
          : list.map((i) =>
              h(
                'tr',
                { 'data-testid': 'incident-row' },
                h('td', {}, h('a', { href: `#/incidents/${i.id}` }, `#${i.id}`)),
                h(
                  'td',
                  {},
                  h('a', { class: 'mono', href: `#/incidents/${i.id}` }, i.attacker),
                  h('div', { class: 'muted' }, i.where ?? ''),
                ),
                h(
                  'td',
                  {},
                  ...i.kinds.map((k) => h('span', { class: 'chip finding' }, t(`kind.${k}`))),
                ),
                h('td', {}, verdictChip(i.verdict, i.severity)),
                h('td', {}, number(i.failures)),
                h('td', {}, number(i.users.length)),
                h('td', { class: 'muted' }, ago(i.lastSeen)),
                h('td', {}, t(`incidents.state.${i.state}`)),
              ),
            )),
      ),
    );
  load();
  return subscribe((items) => {
    if (items.some((i) => i.type !== 'event')) load();
  });
}

function triageCard(title: string, r: Triage | null): HTMLElement | null {
  if (r === null) return null;
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, title),
    h(
      'div',
      {},
      verdictChip(r.verdict, r.severity),
      ' ',
      h(
        'span',
        { class: 'muted' },
        t('incidents.confidence', { n: Math.round(r.confidence * 100) }),
      ),
    ),
    h('ul', { class: 'reasons' }, ...r.reasonTexts.map((x) => h('li', {}, x))),
    // The analyst's words are shown as its own, as text.
    r.narrative === null ? null : h('p', { class: 'raw' }, r.narrative),
    h('div', { class: 'muted' }, `${r.actor} · ${when(r.at)}`),
  );
}

/** Times as times and lengths as durations; the rest as it was stored (text, never markup). */
const TIME_FIELDS = new Set(['first', 'last', 'at', 'expiresAt']);
const DURATION_FIELDS = new Set(['durationMs']);

function detailValue(key: string, v: unknown): string {
  if (typeof v === 'number' && TIME_FIELDS.has(key)) return when(v);
  if ((typeof v === 'number' || v === null) && DURATION_FIELDS.has(key)) return duration(v);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function detailText(e: TimelineEntry): string {
  return Object.entries(e.detail)
    .map(([k, v]) => `${k}: ${detailValue(k, v)}`)
    .join(' · ');
}

/** An admin's verdict (in force; the rules' stays beside it) and resolving, as on the CLI. */
function adminCard(i: IncidentDetail, reload: () => Promise<void>): HTMLElement {
  const verdict = h(
    'select',
    { name: 'verdict', 'data-testid': 'admin-verdict', 'aria-label': t('incidents.verdict') },
    ...(['benign', 'suspicious', 'malicious'] as const).map((v) =>
      h('option', { value: v }, t(`verdict.${v}`)),
    ),
  );
  const why = h('input', {
    name: 'why',
    placeholder: t('incidents.admin.why'),
    'aria-label': t('incidents.admin.why'),
  });
  why.style.flex = '1';
  const act = (path: 'verdict' | 'resolve', body: unknown) =>
    post(`/api/incidents/${i.id}/${path}`, body)
      .then(reload)
      .catch((err: unknown) => toast(err instanceof ApiError ? err.message : String(err), 'error'));
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, t('incidents.admin.title')),
    h(
      'form',
      {
        class: 'toolbar',
        onsubmit: (ev) => {
          ev.preventDefault();
          void act('verdict', { verdict: verdict.value, note: why.value });
        },
      },
      verdict,
      why,
      h(
        'button',
        { class: 'primary', type: 'submit', 'data-testid': 'admin-set' },
        t('incidents.admin.set'),
      ),
    ),
    i.state === 'resolved'
      ? null
      : h(
          'button',
          {
            type: 'button',
            'data-testid': 'admin-resolve',
            onclick: () => void act('resolve', {}),
          },
          t('incidents.admin.resolve'),
        ),
  );
}

function detailView(root: HTMLElement, id: string): () => void {
  const load = (): Promise<void> =>
    get<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}?lang=${lang()}`)
      .then((i) => render(i))
      .catch((err: unknown) =>
        replace(
          root,
          h('div', { class: 'empty' }, err instanceof ApiError ? err.message : String(err)),
        ),
      );
  const note = h('input', {
    name: 'note',
    placeholder: t('incidents.notePlaceholder'),
    'aria-label': t('incidents.note'),
  });
  note.style.flex = '1';
  const render = (i: IncidentDetail) =>
    replace(
      root,
      h(
        'div',
        { class: 'top' },
        h(
          'h1',
          {},
          t('incidents.title', { id: i.id }),
          ' ',
          h('span', { class: 'mono' }, i.attacker),
        ),
        h('a', { href: '#/incidents' }, t('incidents.back')),
      ),
      h(
        'div',
        { class: 'grid two' },
        h(
          'div',
          { class: 'grid' },
          h(
            'section',
            { class: 'card' },
            h('h2', {}, t('incidents.timeline')),
            h(
              'table',
              { 'data-testid': 'timeline' },
              h(
                'tbody',
                {},
                ...i.timeline.map((e) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'muted mono' }, when(e.time)),
                    h('td', {}, h('span', { class: 'chip response' }, t(`timeline.${e.kind}`))),
                    h('td', { class: 'muted' }, e.actor),
                    h(
                      'td',
                      { class: 'raw' },
                      e.kind === 'note' && typeof e.detail.text === 'string'
                        ? e.detail.text
                        : detailText(e),
                    ),
                  ),
                ),
              ),
            ),
            h(
              'form',
              {
                class: 'toolbar',
                onsubmit: (ev) => {
                  ev.preventDefault();
                  post(`/api/incidents/${i.id}/notes`, { text: note.value })
                    .then(() => {
                      note.value = '';
                      return load();
                    })
                    .catch((err: unknown) =>
                      toast(err instanceof ApiError ? err.message : String(err), 'error'),
                    );
                },
              },
              note,
              h('button', { class: 'primary', type: 'submit' }, t('incidents.addNote')),
            ),
          ),
        ),
        h(
          'div',
          { class: 'grid' },
          h(
            'section',
            { class: 'card' },
            h('h2', {}, t('incidents.facts')),
            h(
              'table',
              {},
              h(
                'tbody',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, t('col.status')),
                  h('td', {}, t(`incidents.state.${i.state}`)),
                ),
                h(
                  'tr',
                  {},
                  h('th', {}, t('incidents.verdict')),
                  h('td', {}, verdictChip(i.verdict, i.severity)),
                ),
                h('tr', {}, h('th', {}, t('col.origin')), h('td', {}, i.where ?? '—')),
                h('tr', {}, h('th', {}, t('col.jail')), h('td', {}, i.jails.join(', '))),
                h(
                  'tr',
                  {},
                  h('th', {}, t('col.failures')),
                  h(
                    'td',
                    {},
                    `${number(i.failures)} / ${t('incidents.logins', { n: i.successes })}`,
                  ),
                ),
                h(
                  'tr',
                  {},
                  h('th', {}, t('incidents.span')),
                  h('td', {}, `${when(i.firstSeen)} → ${when(i.lastSeen)}`),
                ),
                // User names are attacker text.
                h(
                  'tr',
                  {},
                  h('th', {}, t('col.users')),
                  h('td', { class: 'raw' }, i.users.join(', ')),
                ),
                i.members.length > 0
                  ? h(
                      'tr',
                      {},
                      h('th', {}, t('incidents.members')),
                      h('td', { class: 'mono' }, i.members.join(', ')),
                    )
                  : null,
              ),
            ),
          ),
          hostsCard(i),
          adminCard(i, load),
          triageCard(t('incidents.triage.admin'), i.admin),
          triageCard(t('incidents.triage.rules'), i.rules),
          triageCard(t('incidents.triage.agent'), i.agent),
        ),
      ),
    );
  void load();
  return subscribe((items) => {
    if (items.some((x) => x.type !== 'event')) void load();
  });
}

/** At the fleet's hub: what the attacker did on each host. */
function hostsCard(i: IncidentDetail): HTMLElement | null {
  if (i.hosts === undefined || i.hosts.length === 0) return null;
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, t('incidents.hosts')),
    h(
      'table',
      { 'data-testid': 'incident-hosts' },
      h(
        'tbody',
        {},
        ...i.hosts.map((x) =>
          h(
            'tr',
            {},
            h('th', { class: 'mono' }, x.host),
            h('td', {}, `${number(x.failures)} / ${t('incidents.logins', { n: x.successes })}`),
            h('td', { class: 'muted' }, `${when(x.first)} → ${when(x.last)}`),
          ),
        ),
      ),
    ),
  );
}

export function incidentsPage(root: HTMLElement, arg: string | undefined): () => void {
  return arg === undefined || arg === '' ? listView(root) : detailView(root, arg);
}
