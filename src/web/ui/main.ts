/**
 * The console: log-in screen, then a sidebar layout whose pages are chosen by
 * the URL hash (#/bans…). Pages render into one element and return a cleanup.
 */
import { get, post, setCsrf, whenLoggedOut, ApiError } from './api.js';
import { h, replace } from './dom.js';
import { lang, loadLang, preferredLang, t, type Lang } from './i18n.js';
import { connect, disconnect, onConnection, subscribe } from './live.js';
import { features, setFeatures } from './features.js';
import { approvalsPage } from './pages/approvals.js';
import { bansPage } from './pages/bans.js';
import { dashboardPage } from './pages/dashboard.js';
import { eventsPage } from './pages/events.js';
import { hostsPage } from './pages/hosts.js';
import { analystPage } from './pages/analyst.js';
import { incidentsPage } from './pages/incidents.js';
import { livePage } from './pages/live.js';
import { reportsPage } from './pages/reports.js';
import type { Approval, Features, SessionView } from '../contract.js';

/** Renders into `root`; `arg` is the rest of the hash (#/incidents/12 → "12"). */
export type Page = (root: HTMLElement, arg: string | undefined) => (() => void) | void;

interface Route {
  path: string;
  label: string;
  page: Page;
}

const app = document.getElementById('app')!;
let user = '';
let cleanup: (() => void) | void;

const routes = (): Route[] => {
  const f = features();
  return [
    { path: 'dashboard', label: t('nav.dashboard'), page: dashboardPage },
    { path: 'live', label: t('nav.live'), page: livePage },
    f.incidents && { path: 'incidents', label: t('nav.incidents'), page: incidentsPage },
    { path: 'approvals', label: t('nav.approvals'), page: approvalsPage },
    { path: 'bans', label: t('nav.bans'), page: bansPage },
    { path: 'events', label: t('nav.events'), page: eventsPage },
    f.hosts && { path: 'hosts', label: t('nav.hosts'), page: hostsPage },
    f.reports && { path: 'reports', label: t('nav.reports'), page: reportsPage },
    f.analyst && { path: 'analyst', label: t('nav.analyst'), page: analystPage },
  ].filter((r): r is Route => r !== false);
};

function langToggle(after: () => void): HTMLElement {
  const button = (l: Lang, label: string) =>
    h(
      'button',
      {
        type: 'button',
        'aria-pressed': String(lang() === l),
        'data-testid': `lang-${l}`,
        onclick: () => void loadLang(l).then(after),
      },
      label,
    );
  return h('div', { class: 'lang' }, button('en', 'EN'), button('ko', '한국어'));
}

function showLogin(): void {
  user = '';
  disconnect();
  cleanup?.();
  cleanup = undefined;
  const error = h('div', { class: 'error', role: 'alert' });
  const userInput = h('input', { name: 'user', autocomplete: 'username', value: 'admin' });
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const form = h(
    'form',
    {
      class: 'card',
      onsubmit: (e) => {
        e.preventDefault();
        post<SessionView>('/api/login', {
          user: userInput.value,
          password: password.value,
        })
          .then((s) => start(s))
          .catch((err: unknown) => {
            error.textContent =
              err instanceof ApiError && err.status === 429
                ? t('login.limited', { seconds: err.retryAfter ?? '?' })
                : t('login.wrong');
          });
      },
    },
    h('div', { class: 'brand' }, h('span', { class: 'star' }, '★'), 'Sheriff'),
    h('label', {}, t('login.user')),
    userInput,
    h('label', {}, t('login.password')),
    password,
    error,
    h('button', { class: 'primary', type: 'submit' }, t('login.submit')),
    langToggle(showLogin),
  );
  replace(app, h('div', { class: 'login' }, form));
  password.focus();
}

let badge: HTMLElement | null = null;

async function refreshBadge(): Promise<void> {
  const pending = await get<Approval[]>('/api/approvals');
  if (badge !== null) {
    badge.textContent = String(pending.length);
    badge.hidden = pending.length === 0;
  }
}

function layout(): void {
  const [current = 'dashboard', arg] = location.hash.replace(/^#\/?/, '').split('/');
  const rs = routes();
  const route = rs.find((r) => r.path === current) ?? rs[0]!;
  badge = h('span', { class: 'badge', 'data-testid': 'approvals-badge' });
  badge.hidden = true;
  const dot = h('span', { class: 'live-dot', title: t('live.connection') });
  const nav = h(
    'nav',
    { class: 'nav' },
    ...rs.map((r) =>
      h(
        'a',
        { href: `#/${r.path}`, class: r === route ? 'active' : '', 'data-testid': `nav-${r.path}` },
        h('span', {}, r.label),
        r.path === 'approvals' ? badge : null,
      ),
    ),
  );
  const main = h('main', { class: 'main' });
  const side = h(
    'aside',
    { class: 'side' },
    h('div', { class: 'brand' }, h('span', { class: 'star' }, '★'), 'Sheriff'),
    nav,
    h(
      'div',
      { class: 'foot' },
      h('div', {}, dot, t('live.connection')),
      h('div', {}, t('layout.signedIn', { user })),
      langToggle(layout),
      h(
        'button',
        {
          type: 'button',
          'data-testid': 'logout',
          onclick: () => void post('/api/logout').finally(showLogin),
        },
        t('layout.logout'),
      ),
    ),
  );
  cleanup?.();
  replace(app, h('div', { class: 'layout' }, side, main));
  const offs = [
    onConnection((on) => dot.classList.toggle('on', on)),
    subscribe((items) => {
      if (items.some((i) => i.type === 'response')) void refreshBadge();
    }),
  ];
  const pageCleanup = route.page(main, arg);
  cleanup = () => {
    offs.forEach((f) => f());
    pageCleanup?.();
  };
  void refreshBadge();
}

async function start(session: SessionView): Promise<void> {
  user = session.user;
  setCsrf(session.csrf);
  setFeatures(await get<Features>('/api/features'));
  connect();
  layout();
}

whenLoggedOut(showLogin);
window.addEventListener('hashchange', () => {
  if (user !== '') layout();
});

void (async () => {
  await loadLang(preferredLang());
  try {
    await start(await get<SessionView>('/api/session'));
  } catch {
    showLogin();
  }
})();
