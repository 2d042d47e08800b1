/**
 * Approvals: each pending action exactly as it would run, with Approve and
 * Deny, and "Approve all" for the ones shown. A tampered one (changed in the
 * database) shows only that, never what it claims.
 */
import { get, post, ApiError } from '../api.js';
import { h, replace, toast } from '../dom.js';
import { ago, duration, when } from '../format.js';
import { t } from '../i18n.js';
import { subscribe } from '../live.js';
import type { Approval, ApproveAllResult } from '../../contract.js';

export function actionText(a: Approval): string {
  return t(`action.${a.action}`, {
    target: a.target?.cidr ?? '',
    duration: duration(a.durationMs),
  });
}

export function approvalsPage(root: HTMLElement): () => void {
  const list = h('div', { class: 'grid' });
  const bulk = h('div', { class: 'buttons' });
  const history = h('tbody', {});
  replace(
    root,
    h('div', { class: 'top' }, h('h1', {}, t('nav.approvals')), bulk),
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
  const approveAll = (shown: Approval[]) =>
    post<ApproveAllResult>('/api/approvals/approve-all', { ids: shown.map((a) => a.id) })
      .then((r) => {
        const failed = r.results.filter((x) => !x.ok);
        toast(
          t('approvals.approvedAll', { approved: r.approved, total: r.results.length }),
          failed.length === 0 ? undefined : 'error',
        );
      })
      .catch((err: unknown) => toast(err instanceof ApiError ? err.message : String(err), 'error'))
      .finally(load);
  const tamperedCard = (a: Approval) =>
    h(
      'section',
      { class: 'card approval tampered', 'data-testid': 'approval-tampered' },
      h('div', { class: 'what' }, t('approvals.tampered', { id: a.id })),
    );
  const load = () => {
    // Tampered rows of any status show among the pending ones: each is something to look into.
    void Promise.all([
      get<Approval[]>('/api/approvals'),
      get<Approval[]>('/api/approvals?status=all'),
    ]).then(([waiting, all]) => {
      const intact = waiting.filter((a) => !a.tampered);
      const pending = [...intact, ...all.filter((a) => a.tampered)];
      replace(
        bulk,
        ...(intact.length < 2
          ? []
          : [
              h(
                'button',
                {
                  class: 'ok',
                  type: 'button',
                  'data-testid': 'approve-all',
                  onclick: () => void approveAll(intact),
                },
                t('approvals.approveAll', { count: intact.length }),
              ),
            ]),
      );
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
              a.tampered
                ? tamperedCard(a)
                : h(
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
      );
      replace(
        history,
        ...all
          .filter((a) => a.status !== 'pending' && !a.tampered)
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
      );
    });
  };
  load();
  return subscribe((items) => {
    if (items.some((i) => i.type === 'response')) load();
  });
}
