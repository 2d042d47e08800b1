/** The environment variables that override sheriff.yaml's most used settings. */
import { isLang, type Lang } from '../i18n/index.js';

export const ENV_OVERRIDES: readonly (readonly [string, readonly (string | number)[]])[] = [
  ['SHERIFF_LANG', ['language']],
  ['SHERIFF_TIMEZONE', ['timezone']],
  ['SHERIFF_DB', ['store', 'path']],
  ['SHERIFF_LOG_LEVEL', ['log', 'level']],
];

/** The language SHERIFF_LANG asks for, which overrides the file's `language:`. */
export function envLanguage(env: NodeJS.ProcessEnv): Lang | undefined {
  const value = env.SHERIFF_LANG;
  return value !== undefined && isLang(value) ? value : undefined;
}
