/** The analyst: a chat whose tool calls and approval requests are shown beside each answer. */
import { post, ApiError } from '../api.js';
import { h } from '../dom.js';
import { duration } from '../format.js';
import { lang, t } from '../i18n.js';
import type { AnalystReply } from '../../contract.js';

// The conversation on screen survives page changes (the server keeps the analyst's memory).
const shown: HTMLElement[] = [];

function replyView(r: AnalystReply): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-testid': 'analyst-reply' },
    h('div', { class: 'raw' }, r.text),
    r.toolCalls.length === 0
      ? null
      : h(
          'div',
          { class: 'meta muted' },
          t('analyst.tools'),
          ' ',
          ...r.toolCalls.map((c) =>
            h('span', { class: `chip ${c.outcome === 'ok' ? 'success' : 'fail'}` }, c.name),
          ),
        ),
    ...r.approvals.map((a) =>
      h(
        'div',
        { class: 'meta' },
        h('a', { href: '#/approvals' }, t('analyst.approval', { id: a.id })),
        ' ',
        t(`action.${a.action}`, { target: a.target ?? '', duration: duration(a.durationMs) }),
      ),
    ),
    h('div', { class: 'muted' }, t(`analyst.mode.${r.mode}`)),
  );
}

export function analystPage(root: HTMLElement): void {
  const log = h('div', { class: 'grid', 'data-testid': 'analyst-log' }, ...shown);
  const input = h('input', {
    name: 'question',
    placeholder: t('analyst.placeholder'),
    'aria-label': t('analyst.placeholder'),
  });
  input.style.flex = '1';
  const send = h('button', { class: 'primary', type: 'submit' }, t('analyst.send'));
  const add = (el: HTMLElement) => {
    shown.push(el);
    log.append(el);
    el.scrollIntoView({ block: 'end' });
  };
  root.replaceChildren(
    h('div', { class: 'top' }, h('h1', {}, t('nav.analyst'))),
    log,
    h(
      'form',
      {
        class: 'toolbar card',
        onsubmit: (e) => {
          e.preventDefault();
          const text = input.value.trim();
          if (text === '') return;
          input.value = '';
          send.disabled = true;
          add(
            h('div', { class: 'card', 'data-testid': 'analyst-question' }, h('strong', {}, text)),
          );
          post<AnalystReply>('/api/analyst', { text, lang: lang() })
            .then((r) => add(replyView(r)))
            .catch((err: unknown) =>
              add(
                h(
                  'div',
                  { class: 'card toast error' },
                  err instanceof ApiError ? err.message : String(err),
                ),
              ),
            )
            .finally(() => (send.disabled = false));
        },
      },
      input,
      send,
    ),
  );
  input.focus();
}
