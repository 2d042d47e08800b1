/**
 * Every analysis states the server's status level, and it is the
 * deterministic one (incidents/status.ts): the model may explain it, never
 * overrule it. Code removes any level the model claims and puts the real one
 * first.
 */
import type { StatusLevel } from '../domain.js';
import type { Lang, Translate } from '../i18n/index.js';

const WORDS: Record<StatusLevel, string[]> = {
  normal: ['정상', 'normal'],
  caution: ['주의', 'caution', 'warning'],
  danger: ['위험', 'danger', 'critical'],
};

const LEVEL_WORD = Object.entries(WORDS)
  .flatMap(([, w]) => w)
  .join('|');
// A line that claims a level: "상태: 주의", "[위험]", "Status: normal", "**상태 — 정상**".
const CLAIM = new RegExp(
  `(?:상태|status|level|현재\\s*단계)[^\\n]{0,12}?(${LEVEL_WORD})|[\\[【(](${LEVEL_WORD})[\\]】)]`,
  'iu',
);

/** The level a line claims, or null. */
export function claimedLevel(line: string): StatusLevel | null {
  const m = CLAIM.exec(line);
  const word = (m?.[1] ?? m?.[2])?.toLowerCase();
  if (word === undefined) return null;
  for (const [level, words] of Object.entries(WORDS) as [StatusLevel, string[]][]) {
    if (words.includes(word)) return level;
  }
  return null;
}

export function levelName(level: StatusLevel, lang: Lang): string {
  return lang === 'ko' ? WORDS[level][0]! : WORDS[level][1]!;
}

export interface StatusFix {
  text: string;
  /** Levels the model claimed that were not the real one. */
  overruled: StatusLevel[];
}

/**
 * `answer` with the deterministic level line first. A short line that only
 * states a level is dropped (the header says it); a longer one that claims
 * another level has that word replaced by the real level.
 */
export function enforceStatus(
  answer: string,
  level: StatusLevel,
  lang: Lang,
  t: Translate,
): StatusFix {
  const overruled: StatusLevel[] = [];
  const kept: string[] = [];
  for (const line of answer.split('\n')) {
    const claimed = claimedLevel(line);
    if (claimed === null) {
      kept.push(line);
      continue;
    }
    if (claimed !== level) overruled.push(claimed);
    if (line.replace(/[*_#>\s[\]【】()-]/g, '').length <= 24) continue;
    kept.push(
      claimed === level
        ? line
        : line.replace(new RegExp(WORDS[claimed].join('|'), 'giu'), levelName(level, lang)),
    );
  }
  const header = t('agent.status.line', { level: levelName(level, lang) });
  const body = kept.join('\n').trim();
  return { text: body === '' ? header : `${header}\n${body}`, overruled };
}
