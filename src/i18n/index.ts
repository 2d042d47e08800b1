/**
 * Message catalogs (Korean and English) and the language choice. Parameters
 * are substituted as plain text: log-derived values never become markup here.
 */
import { agentMessages } from './agent.js';
import { configMessages } from './config.js';
import { en as coreEn } from './en.js';
import { evalMessages } from './eval.js';
import { filterMessages } from './filters.js';
import { fleetSetupMessages } from './fleet-setup.js';
import { guardMessages } from './guard.js';
import { hubMessages } from './hub.js';
import { importMessages } from './import.js';
import { incidentsMessages } from './incidents.js';
import { ko as coreKo } from './ko.js';
import { notifyMessages } from './notify.js';
import { reportMessages } from './report.js';
import { storeMessages } from './store.js';
import { webMessages } from './web.js';

// Each area keeps its own catalog (both languages side by side); keys must not collide.
export const CATALOG_PARTS = [
  { en: coreEn, ko: coreKo },
  notifyMessages,
  agentMessages,
  webMessages,
  incidentsMessages,
  evalMessages,
  reportMessages,
  guardMessages,
  storeMessages,
  configMessages,
  filterMessages,
  importMessages,
  fleetSetupMessages,
  hubMessages,
] as const;

type PartKeys<P> = P extends { en: infer E } ? keyof E : never;
export type MessageKey = PartKeys<(typeof CATALOG_PARTS)[number]>;

const en = Object.assign({}, ...CATALOG_PARTS.map((a) => a.en)) as Record<MessageKey, string>;
const ko = Object.assign({}, ...CATALOG_PARTS.map((a) => a.ko)) as Record<MessageKey, string>;

export type Lang = 'ko' | 'en';
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

const CATALOGS: Record<Lang, Record<MessageKey, string>> = { en, ko };

/** Whether `key` names a message (a schema's custom issue may carry one). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

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

/** The first language of an Accept-Language header (the browser's own, as the console picks it). */
export function acceptedLang(header: string | undefined): Lang {
  return /^\s*ko\b/i.test(header ?? '') ? 'ko' : 'en';
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
