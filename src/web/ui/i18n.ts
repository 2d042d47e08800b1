/** The console's texts, from the server's catalog (src/i18n/web.ts), in the user's language. */
export type Lang = 'en' | 'ko';
const KEY = 'sheriff.lang';

let catalog: Record<string, string> = {};
let current: Lang = 'en';

export function lang(): Lang {
  return current;
}

export function preferredLang(): Lang {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'ko') return saved;
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export async function loadLang(l: Lang): Promise<void> {
  const res = await fetch(`/api/i18n?lang=${l}`);
  catalog = (await res.json()) as Record<string, string>;
  current = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}

/** The text for `key` with `{name}` parameters replaced (as text: the result is never parsed as HTML). */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const template = catalog[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
