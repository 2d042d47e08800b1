/**
 * Message catalogs (Korean and English) and the language choice. Parameters
 * are substituted as plain text: log-derived values never become markup here.
 */
import { en, type MessageKey } from './en.js';
import { ko } from './ko.js';

export type Lang = 'ko' | 'en';
export type { MessageKey };
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

const CATALOGS: Record<Lang, Record<MessageKey, string>> = { en, ko };

export function isLang(value: string): value is Lang {
  return value === 'ko' || value === 'en';
}

/** SHERIFF_LANG, then the POSIX locale variables; Korean locales mean Korean. */
export function detectLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const explicit = env.SHERIFF_LANG;
  if (explicit && isLang(explicit)) return explicit;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export function translator(lang: Lang): Translate {
  const catalog = CATALOGS[lang];
  return (key, params) => {
    const template = catalog[key];
    if (params === undefined) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  };
}
