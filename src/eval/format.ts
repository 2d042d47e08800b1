/** The human-readable report of `sheriff eval`: one figure a line, "n/a" where one does not apply. */
import type { Translate } from '../i18n/index.js';
import type { Verdict } from '../domain.js';
import { cleanUntrusted } from '../agent/untrusted.js';
import { ANSWERS, CALIBRATION_BINS, CLASS_ORDER, type Answer, type Report } from './metrics.js';

/** A record the program got wrong: its id, the label, the answer, and attacker-written text in it. */
export interface Miss {
  id: string;
  expected: Verdict;
  got: Answer;
  /** User names and the like from the record, shown cleaned: they are an attacker's text. */
  text: string[];
}

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

const answerName = (a: Answer, t: Translate) =>
  a === 'unreadable' ? t('eval.unreadable') : t(`verdict.${a}`);

/** Terminal columns `text` takes: Hangul and Han are two wide. */
function columns(text: string): number {
  return [...text].reduce(
    (n, ch) => n + (/[\p{Script=Hangul}\p{Script=Han}]/u.test(ch) ? 2 : 1),
    0,
  );
}

/** Rows: the expected label; columns: the answer. Right-aligned counts under each heading. */
export function formatConfusion(r: Report, t: Translate): string {
  const heads = ANSWERS.map((a) => answerName(a, t));
  const rowNames = CLASS_ORDER.map((v) => answerName(v, t));
  const first = Math.max(...rowNames.map(columns));
  const widths = ANSWERS.map((a, i) =>
    Math.max(columns(heads[i]!), ...CLASS_ORDER.map((v) => String(r.confusion[v][a]).length)),
  );
  const pad = (text: string, width: number) => ' '.repeat(Math.max(0, width - columns(text)));
  const line = (name: string, cells: string[]) =>
    `  ${name}${pad(name, first)}  ${cells.map((c, i) => pad(c, widths[i]!) + c).join('  ')}`.trimEnd();
  return [
    t('eval.confusion'),
    line('', heads),
    ...CLASS_ORDER.map((v, i) =>
      line(
        rowNames[i]!,
        ANSWERS.map((a) => String(r.confusion[v][a])),
      ),
    ),
  ].join('\n');
}

/** One line a miss: id, expected, got, and the record's attacker text cleaned and quoted. */
export function formatMisses(misses: readonly Miss[], t: Translate): string {
  const lines = misses.map((m) => {
    const text = m.text.map((x) => JSON.stringify(cleanUntrusted(x, 40))).join(' ');
    const row = t('eval.miss', {
      id: cleanUntrusted(m.id, 60),
      expected: answerName(m.expected, t),
      got: answerName(m.got, t),
    });
    return `  ${row}${text === '' ? '' : `  ${text}`}`;
  });
  return [t('eval.misses', { count: misses.length }), ...lines].join('\n');
}
