/** Approvals: each pending action exactly as it would run, with Approve and Deny. */
import { get, post, ApiError } from '../api.js';
import { h, replace, toast } from '../dom.js';
import { ago, duration, when } from '../format.js';
import { t } from '../i18n.js';
import { subscribe } from '../live.js';
import type { Approval } from '../types.js';

export function actionText(a: Approval): string {
  return t(`action.${a.action}`, {
    target: a.target?.cidr ?? '',
    duration: duration(a.durationMs),
  });
}

export function approvalsPage(root: HTMLElement): () => void {
  const list = h('div', { class: 'grid' });
  const history = h('tbody', {});
  replace(
    root,
    h('div', { class: 'top' }, h('h1', {}, t('nav.approvals'))),
    list,
    h(
      'section',
      { class: 'card' },
      h('h2', {}, t('approvals.history')),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('col.action')),
            h('th', {}, t('col.status')),
            h('th', {}, t('col.decidedBy')),
            h('th', {}, t('col.when')),
          ),
        ),
        history,
      ),
    ),
  );
  const decide = (a: Approval, decision: 'approve' | 'deny') =>
    post(`/api/approvals/${encodeURIComponent(a.id)}`, { decision })
      .then(() =>
        toast(
          t(decision === 'approve' ? 'approvals.approved' : 'approvals.denied', {
            action: actionText(a),
          }),
        ),
      )
      .catch((err: unknown) => toast(err instanceof ApiError ? err.message : String(err), 'error'))
      .finally(load);
  const load = () => {
    void get<Approval[]>('/api/approvals').then((pending) =>
      replace(
        list,
        ...(pending.length === 0
          ? [
              h(
                'section',
                { class: 'card empty', 'data-testid': 'approvals-empty' },
                t('approvals.none'),
              ),
            ]
          : pending.map((a) =>
              h(
                'section',
                { class: 'card approval', 'data-testid': 'approval' },
                h(
                  'div',
                  {},
                  h('div', { class: 'what', 'data-testid': 'approval-action' }, actionText(a)),
                  h('div', { class: 'meta' }, a.reason),
                  h(
                    'div',
                    { class: 'meta' },
                    t('approvals.meta', {
                      by: a.requestedBy,
                      id: a.id,
                      created: ago(a.createdAt),
                      expires: when(a.expiresAt),
                    }),
                  ),
                ),
                h(
                  'div',
                  { class: 'buttons' },
                  h(
                    'button',
                    {
                      class: 'ok',
                      type: 'button',
                      'data-testid': 'approve',
                      onclick: () => void decide(a, 'approve'),
                    },
                    t('approvals.approve'),
                  ),
                  h(
                    'button',
                    {
                      class: 'danger',
                      type: 'button',
                      'data-testid': 'deny',
                      onclick: () => void decide(a, 'deny'),
                    },
                    t('approvals.deny'),
                  ),
                ),
              ),
            )),
      ),
    );
    void get<Approval[]>('/api/approvals?status=all').then((all) =>
      replace(
        history,
        ...all
          .filter((a) => a.status !== 'pending')
          .slice(0, 30)
          .map((a) =>
            h(
              'tr',
              {},
              h('td', {}, actionText(a)),
              h(
                'td',
                {},
                h(
                  'span',
                  {
                    class: a.status === 'refused' ? 'chip fail' : 'chip',
                    'data-testid': 'decision-status',
                  },
                  t(`approvalStatus.${a.status}`),
                ),
              ),
              h(
                'td',
                { class: 'muted' },
                a.decidedBy === null ? '—' : `${a.decidedBy} (${a.channel ?? '?'})`,
              ),
              h('td', { class: 'muted' }, when(a.decidedAt ?? a.createdAt)),
            ),
          ),
      ),
    );
  };
  load();
  return subscribe((items) => {
    if (items.some((i) => i.type === 'response')) load();
  });
}
