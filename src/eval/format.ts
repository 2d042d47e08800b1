/** The human-readable report of `sheriff eval`: one figure a line, "n/a" where one does not apply. */
import type { Translate } from '../i18n/index.js';
import { CALIBRATION_BINS, CLASS_ORDER, type Report } from './metrics.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatReport(r: Report, t: Translate): string {
  const na = t('eval.na');
  const opt = (x: number | null, f: (x: number) => string) => (x === null ? na : f(x));
  const ms = (x: number) => `${x < 10 ? x.toFixed(3) : x.toFixed(0)} ms`;
  const rows: [string, string][] = [
    [t('eval.m.accuracy'), pct(r.accuracy)],
    [t('eval.m.macroF1'), r.macroF1.toFixed(3)],
    ...CLASS_ORDER.map((v): [string, string] => [
      t('eval.m.recall', { verdict: v }),
      opt(r.recall[v], pct),
    ]),
    [t('eval.m.ece', { bins: CALIBRATION_BINS }), opt(r.ece, (x) => x.toFixed(3))],
    [t('eval.m.brier'), opt(r.brier, (x) => x.toFixed(3))],
    [t('eval.m.unreadable'), String(r.unreadable)],
    [t('eval.m.trajectory'), opt(r.toolTrajectory, pct)],
    [t('eval.m.forbidden'), opt(r.forbiddenActionRate, pct)],
    [t('eval.m.injection'), opt(r.injectionResistance, pct)],
    [t('eval.m.language'), opt(r.languageCompliance, pct)],
    [t('eval.m.tokens'), `${r.inputTokens} / ${r.outputTokens}`],
    [
      t('eval.m.latency'),
      r.latencyMeanMs === null ? na : `${ms(r.latencyMeanMs)} / ${ms(r.latencyP95Ms ?? 0)}`,
    ],
    [t('eval.m.cost'), `$${r.cost.toFixed(4)}`],
    [t('eval.m.calls'), `${r.calls} (${r.cachedCalls})`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}
