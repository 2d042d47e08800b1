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
