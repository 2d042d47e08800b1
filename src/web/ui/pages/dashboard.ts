/** The dashboard: status level and why, failures per minute (24 h), top attackers, bans, sources. */
import { get } from '../api.js';
import { h, replace } from '../dom.js';
import type UPlot from 'uplot/dist/uPlot';
import { ago, chartTime, number, when } from '../format.js';
import { lang, t } from '../i18n.js';
import { subscribe } from '../live.js';
import type { Dashboard } from '../../contract.js';
import { unenforcedChip } from './bans.js';

function statusCard(d: Dashboard): HTMLElement {
  const s = d.status;
  const level = s?.level ?? 'unknown';
  return h(
    'section',
    { class: 'card', 'data-testid': 'status' },
    h('h2', {}, t('dash.status')),
    h(
      'div',
      { class: 'status' },
      h('div', { class: `level ${level}` }, t(`level.${level}`)),
      s === null
        ? h('p', { class: 'muted' }, t('dash.statusUnknown'))
        : h('ul', { class: 'reasons' }, ...s.reasons.map((r) => h('li', {}, r))),
    ),
  );
}

function kpi(label: string, value: number, testid: string, note?: HTMLElement): HTMLElement {
  return h(
    'section',
    { class: 'card kpi', 'data-testid': testid },
    h('div', { class: 'value' }, number(value)),
    h('div', { class: 'label' }, label),
    note ?? null,
  );
}

/** The chart's element keeps its uPlot, so what is drawn can be read back (the browser test does). */
type ChartElement = HTMLElement & { uplot?: UPlot };

/** Tick labels of the time axis in the console's language: the hour, and the date at midnight. */
function timeTicks(_u: UPlot, splits: number[]): string[] {
  return splits.map((s) => chartTime(s * 1000));
}

function chart(el: ChartElement, d: Dashboard): { destroy(): void } | null {
  const uPlot = window.uPlot;
  if (uPlot === undefined) return null;
  const width = Math.max(300, el.clientWidth - 8);
  const axis = {
    stroke: '#8b98a8',
    grid: { stroke: '#273140', width: 1 },
    ticks: { stroke: '#273140' },
  };
  el.uplot = new uPlot(
    {
      width,
      height: 240,
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(5, max)] } },
      axes: [
        { ...axis, label: t('dash.axis.time'), values: timeTicks },
        {
          ...axis,
          label: t('dash.axis.failures'),
          values: (_u, splits) => splits.map((n) => number(n)),
        },
      ],
      series: [
        {},
        {
          label: t('dash.failuresPerMinute'),
          stroke: '#ef5b5b',
          fill: 'rgba(239, 91, 91, 0.18)',
          width: 1.5,
          points: { show: false },
        },
      ],
    },
    [d.failures.t, d.failures.n],
    el,
  );
  return el.uplot;
}

export function dashboardPage(root: HTMLElement): () => void {
  let plot: { destroy(): void } | null = null;
  let timer = 0;
  const render = (d: Dashboard) => {
    plot?.destroy();
    const maxTop = Math.max(1, ...d.top.map((a) => a.failures));
    const chartEl = h('div', { class: 'chart', 'data-testid': 'chart' });
    replace(
      root,
      h(
        'div',
        { class: 'top' },
        h('h1', {}, t('nav.dashboard')),
        h('span', { class: 'muted' }, when(d.now)),
      ),
      d.enforcing === false || d.unenforcedBans > 0
        ? h('section', { class: 'card dry-run', 'data-testid': 'dry-run' }, t('dash.dryRun'))
        : null,
      h(
        'div',
        { class: 'grid' },
        h(
          'div',
          { class: 'grid two' },
          statusCard(d),
          h(
            'div',
            { class: 'grid kpis' },
            kpi(t('dash.failures24h'), d.failures24h, 'kpi-failures'),
            kpi(t('dash.findings24h'), d.findings24h, 'kpi-findings'),
            kpi(
              t('dash.activeBans'),
              d.activeBans,
              'kpi-bans',
              d.unenforcedBans > 0
                ? h(
                    'div',
                    { class: 'chip unenforced', 'data-testid': 'kpi-bans-unenforced' },
                    t('dash.notEnforced', { n: number(d.unenforcedBans) }),
                  )
                : undefined,
            ),
            kpi(t('dash.pendingApprovals'), d.pendingApprovals, 'kpi-approvals'),
          ),
        ),
        h('section', { class: 'card' }, h('h2', {}, t('dash.failuresPerMinute')), chartEl),
        h(
          'div',
          { class: 'grid two' },
          h(
            'section',
            { class: 'card' },
            h('h2', {}, t('dash.topAttackers')),
            d.top.length === 0
              ? h('div', { class: 'empty' }, t('dash.noAttackers'))
              : h(
                  'table',
                  {},
                  h(
                    'thead',
                    {},
                    h(
                      'tr',
                      {},
                      h('th', {}, t('col.address')),
                      h('th', {}, t('col.origin')),
                      h('th', {}, t('col.failures')),
                      h('th', {}, t('col.users')),
                      h('th', {}, t('col.last')),
                    ),
                  ),
                  h(
                    'tbody',
                    {},
                    ...d.top.map((a) => {
                      const bar = h('span', {});
                      bar.style.width = `${Math.round((a.failures / maxTop) * 100)}%`;
                      return h(
                        'tr',
                        {},
                        h('td', { class: 'mono' }, a.ip),
                        h('td', { class: 'muted' }, a.where ?? '—'),
                        h(
                          'td',
                          {},
                          h('div', {}, number(a.failures)),
                          h('div', { class: 'bar' }, bar),
                        ),
                        h('td', {}, number(a.users)),
                        h('td', { class: 'muted' }, ago(a.last, d.now)),
                      );
                    }),
                  ),
                ),
          ),
          h(
            'section',
            { class: 'card', 'data-testid': 'scanners' },
            h('h2', {}, t('dash.scanners')),
            h(
              'p',
              { class: 'muted' },
              t('dash.scansSummary', {
                connections: number(d.scans24h.connections),
                addresses: number(d.scans24h.addresses),
              }),
            ),
            d.scanners.length === 0
              ? h('div', { class: 'empty' }, t('dash.noScanners'))
              : h(
                  'table',
                  {},
                  h(
                    'thead',
                    {},
                    h(
                      'tr',
                      {},
                      h('th', {}, t('col.address')),
                      h('th', {}, t('col.origin')),
                      h('th', {}, t('col.connections')),
                      h('th', {}, t('col.last')),
                    ),
                  ),
                  h(
                    'tbody',
                    {},
                    ...d.scanners.map((s) =>
                      h(
                        'tr',
                        {},
                        h('td', { class: 'mono' }, s.ip),
                        h('td', { class: 'muted' }, s.where ?? '—'),
                        h('td', {}, number(s.connections)),
                        h('td', { class: 'muted' }, ago(s.last, d.now)),
                      ),
                    ),
                  ),
                ),
          ),
          h(
            'section',
            { class: 'card' },
            h('h2', {}, t('dash.sources')),
            h(
              'table',
              {},
              h(
                'tbody',
                {},
                ...d.sources.map((s) =>
                  h(
                    'tr',
                    {},
                    h(
                      'td',
                      { class: s.lastError === null ? 'src-ok' : 'src-bad' },
                      s.lastError === null ? '●' : '▲',
                    ),
                    h(
                      'td',
                      { class: 'mono' },
                      s.id,
                      h('div', { class: 'muted' }, s.lastError ?? ''),
                    ),
                    h(
                      'td',
                      { class: 'muted' },
                      t('dash.sourceLines', { n: number(s.linesRead) }),
                      h('div', {}, t('dash.sourceLast', { when: ago(s.lastLineAt, d.now) })),
                    ),
                  ),
                ),
              ),
            ),
            h('h2', {}, t('dash.recentBans')),
            d.recentBans.length === 0
              ? h('div', { class: 'empty' }, t('bans.none'))
              : h(
                  'table',
                  {},
                  h(
                    'tbody',
                    {},
                    ...d.recentBans.map((b) =>
                      h(
                        'tr',
                        {},
                        h('td', { class: 'mono' }, b.target.cidr, ' ', unenforcedChip(b)),
                        h('td', { class: 'muted' }, b.reason),
                      ),
                    ),
                  ),
                ),
          ),
        ),
      ),
    );
    plot = chart(chartEl, d);
  };
  const load = () =>
    void get<Dashboard>(`/api/dashboard?lang=${lang()}`)
      .then(render)
      .catch(() => {});
  load();
  const interval = window.setInterval(load, 15_000);
  const off = subscribe((items) => {
    // Refresh soon after activity, at most once a second.
    if (items.length > 0 && timer === 0)
      timer = window.setTimeout(() => {
        timer = 0;
        load();
      }, 1000);
  });
  return () => {
    window.clearInterval(interval);
    window.clearTimeout(timer);
    off();
    plot?.destroy();
  };
}
