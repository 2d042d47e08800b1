/**
 * Keeping an answer in the conversation's language. Models drift: a Korean
 * answer picks up Han characters, kana or Cyrillic, an English one Hangul.
 * Latin letters, digits and punctuation are allowed in both (addresses,
 * program names, SSH). Quoted untrusted data (⟦…⟧) is not the model's
 * language and is not judged.
 */
import type { Lang } from '../i18n/index.js';

const FOREIGN_EVERYWHERE =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Cyrillic}\\p{Script=Arabic}' +
  '\\p{Script=Hebrew}\\p{Script=Thai}\\p{Script=Devanagari}\\p{Script=Greek}\\p{Script=Bengali}' +
  '\\p{Script=Tamil}\\p{Script=Georgian}\\p{Script=Armenian}\\p{Script=Ethiopic}\\p{Script=Khmer}' +
  '\\p{Script=Lao}\\p{Script=Myanmar}\\p{Script=Tibetan}\\p{Script=Mongolian}';

const FOREIGN: Record<Lang, RegExp> = {
  ko: new RegExp(`[${FOREIGN_EVERYWHERE}]`, 'u'),
  en: new RegExp(`[${FOREIGN_EVERYWHERE}\\p{Script=Hangul}]`, 'u'),
};
const FOREIGN_RUNS: Record<Lang, RegExp> = {
  ko: new RegExp(`[${FOREIGN_EVERYWHERE}]+`, 'gu'),
  en: new RegExp(`[${FOREIGN_EVERYWHERE}\\p{Script=Hangul}]+`, 'gu'),
};

const QUOTED = /⟦[^⟧]*⟧/g;

/** The foreign-script characters in `text` for `lang` (outside quoted data), at most 20. */
export function foreignScript(text: string, lang: Lang): string[] {
  const outside = text.replace(QUOTED, ' ');
  if (!FOREIGN[lang].test(outside)) return [];
  return (outside.match(FOREIGN_RUNS[lang]) ?? []).slice(0, 20);
}

/** `text` with foreign-script runs (outside quoted data) removed and the spacing tidied. */
export function removeForeignScript(text: string, lang: Lang): string {
  const parts = text.split(/(⟦[^⟧]*⟧)/);
  return parts
    .map((p, i) => (i % 2 === 1 ? p : p.replace(FOREIGN_RUNS[lang], '')))
    .join('')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/ +([.,!?)])/g, '$1')
    .replace(/\(\s*\)/g, '')
    .trim();
}

// What is not prose in either language: code, quoted data, links, addresses, mail and
// user@host names, paths, and any token with a digit, an underscore or inner capitals.
const NOT_PROSE = [
  /```[\s\S]*?```/g,
  /`[^`\n]*`/g,
  QUOTED,
  /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi,
  /\S+@\S+/g,
  /(?<!\S)~?\/\S*/g,
];
const WORD = /[\p{L}\p{N}_'’-]+/gu;
const HANGUL = /\p{Script=Hangul}/u;
const LATIN_WORD = /^[A-Za-z]{2,}$/;
const IDENTIFIER = /^[A-Za-z][a-z]*[A-Z]|^[A-Z]+$/;
/** Fewer prose words than this say nothing about a language. */
const MIN_WORDS = 4;

/** Prose words in `text`: those holding Hangul, and plain Latin words (not identifiers or acronyms). */
export function languageShare(text: string): { hangul: number; latin: number } {
  let prose = text;
  for (const re of NOT_PROSE) prose = prose.replace(re, ' ');
  let hangul = 0;
  let latin = 0;
  for (const word of prose.match(WORD) ?? []) {
    if (HANGUL.test(word)) hangul++;
    else if (LATIN_WORD.test(word) && !IDENTIFIER.test(word)) latin++;
  }
  return { hangul, latin };
}

/**
 * Whether `text` is written in another language than `lang`: a Korean answer
 * with under 20% Hangul words (English terms and lists of user names are
 * common in Korean), an English one with over half. Too short a text is never judged.
 */
export function wrongLanguage(text: string, lang: Lang): boolean {
  const { hangul, latin } = languageShare(text);
  const words = hangul + latin;
  if (words < MIN_WORDS) return false;
  const share = hangul / words;
  return lang === 'ko' ? share < 0.2 : share > 0.5;
}

/** The language a question is written in, or null when it has no prose words ("203.0.113.7?"). */
export function questionLanguage(text: string): Lang | null {
  const { hangul, latin } = languageShare(text);
  if (hangul + latin === 0) return null;
  return hangul >= latin ? 'ko' : 'en';
}
