/**
 * Finds, reads and validates sheriff.yaml. Every problem is reported with the
 * file, the line and the path of the value (`sheriff.yaml:7: jails.sshd.findtime:
 * expected a duration like 10m, got "ten"`), and all of them at once, in
 * English or Korean (i18n/config.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Document } from 'yaml';
import { ConfigError } from '../config/errors.js';
import { configError, readYaml, schemaProblems } from '../config/yaml-problems.js';
import { isLang, type Lang } from '../i18n/index.js';
import { configSchema, type SheriffConfig } from './config.js';

export const DEFAULT_CONFIG_PATHS = ['/etc/sheriff/sheriff.yaml', './sheriff.yaml'];

export { ConfigError };

export interface LoadedConfig {
  config: SheriffConfig;
  /** The file read, or null when none exists and defaults apply. */
  path: string | null;
}

/** Environment variables that override the most used settings. */
const ENV_OVERRIDES: [string, (string | number)[]][] = [
  ['SHERIFF_LANG', ['language']],
  ['SHERIFF_TIMEZONE', ['timezone']],
  ['SHERIFF_DB', ['store', 'path']],
  ['SHERIFF_LOG_LEVEL', ['log', 'level']],
];

/** The language SHERIFF_LANG asks for, which overrides the file's `language:`. */
function envLanguage(env: NodeJS.ProcessEnv): Lang | undefined {
  const value = env.SHERIFF_LANG;
  return value !== undefined && isLang(value) ? value : undefined;
}

export function loadConfig(
  explicitPath?: string,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const wanted = explicitPath ?? env.SHERIFF_CONFIG;
  let path: string | null = null;
  if (wanted !== undefined) {
    path = resolve(wanted);
    if (!existsSync(path)) {
      const given = { path, by: explicitPath ? '--config' : 'SHERIFF_CONFIG' };
      throw configError([(t) => t('config.error.noSuchFile', given)], envLanguage(env));
    }
  } else {
    path = DEFAULT_CONFIG_PATHS.map((p) => resolve(p)).find((p) => existsSync(p)) ?? null;
  }
  const text = path === null ? '' : readText(path, env);
  return { config: parseConfig(text, path ?? 'defaults', env), path };
}

function readText(path: string, env: NodeJS.ProcessEnv): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as Error).message;
    throw configError([(t) => t('config.error.cannotRead', { path, reason })], envLanguage(env));
  }
}

export function parseConfig(
  text: string,
  name: string,
  env: NodeJS.ProcessEnv = {},
): SheriffConfig {
  const { file, problems } = readYaml(text, name);
  const language = envLanguage(env) ?? fileLanguage(file.doc);
  if (problems.length > 0) throw configError(problems, language);
  const raw: unknown = file.doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw configError([(t) => `${name}:1: ${t('config.error.notAMapping')}`], language);
  for (const [variable, path] of ENV_OVERRIDES) {
    const value = env[variable];
    if (value !== undefined && value !== '') setIn(raw as Record<string, unknown>, path, value);
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw configError(schemaProblems(file, result.error.issues), language);
}

/** The file's `language:`, when the document has a readable one. */
function fileLanguage(doc: Document): Lang | undefined {
  const value: unknown = doc.get('language');
  return typeof value === 'string' && isLang(value) ? value : undefined;
}

function setIn(obj: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}
