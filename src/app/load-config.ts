/**
 * Finds, reads and validates sheriff.yaml. Every problem is reported with the
 * file, the line and the path of the value (`sheriff.yaml:7: jails.sshd.findtime:
 * expected a duration like 10m, got "ten"`), and all of them at once, in
 * English or Korean (i18n/config.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { isConfigMessageKey, type ConfigMessageKey } from '../i18n/config.js';
import { isLang, translator, type Lang, type Params, type Translate } from '../i18n/index.js';
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

/** One problem, written in the language asked for. */
type Problem = (t: Translate) => string;

/** The problems as a ConfigError: English by default, Korean on request. */
function configError(problems: Problem[], language: Lang | undefined): ConfigError {
  const render = (lang: Lang) => problems.map((p) => p(translator(lang)));
  return new ConfigError(render('en'), language === undefined ? { render } : { language, render });
}

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
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const language = envLanguage(env) ?? fileLanguage(doc);
  if (doc.errors.length > 0) {
    throw configError(
      doc.errors.map((e) => {
        const at = `${name}:${lines.linePos(e.pos[0]).line}: `;
        const message = e.message.split('\n')[0]!;
        return (t) => at + t('config.error.yaml', { message });
      }),
      language,
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw configError([(t) => `${name}:1: ${t('config.error.notAMapping')}`], language);
  for (const [variable, path] of ENV_OVERRIDES) {
    const value = env[variable];
    if (value !== undefined && value !== '') setIn(raw as Record<string, unknown>, path, value);
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  throw configError(
    result.error.issues.map((issue): Problem => {
      let path = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        path = [...path, issue.keys[0]!];
        const at = `${where(doc, lines, name, path)}${path.join('.')}: `;
        return (t) => at + t('config.error.unknownSetting');
      }
      const at = `${where(doc, lines, name, path)}${path.length > 0 ? `${path.join('.')}: ` : ''}`;
      return (t) => at + describeIssue(issue, t);
    }),
    language,
  );
}

/** The file's `language:`, when the document has a readable one. */
function fileLanguage(doc: Document): Lang | undefined {
  const value: unknown = doc.get('language');
  return typeof value === 'string' && isLang(value) ? value : undefined;
}

const TYPE_NAMES: Partial<Record<string, ConfigMessageKey>> = {
  string: 'config.error.type.string',
  number: 'config.error.type.number',
  boolean: 'config.error.type.boolean',
  array: 'config.error.type.array',
  object: 'config.error.type.object',
};

/**
 * What is wrong, in words: the schema's own message (a key of i18n/config.ts,
 * with the value found and the issue's parameters), else zod's kind of issue.
 */
function describeIssue(issue: z.core.$ZodIssue, t: Translate): string {
  const got = shown(issue.input);
  if (isConfigMessageKey(issue.message)) {
    const params = issue.code === 'custom' ? (issue.params as Record<string, string>) : {};
    const bounds: Params = {};
    if (issue.code === 'too_small') bounds.min = String(issue.minimum);
    if (issue.code === 'too_big') bounds.max = String(issue.maximum);
    return t(issue.message, { got, ...bounds, ...params });
  }
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return t('config.error.required');
      if (issue.expected === 'int') return t('config.error.wholeNumber', { got });
      const type = TYPE_NAMES[issue.expected];
      return type === undefined
        ? t('config.error.invalid', { got })
        : t('config.error.type', { expected: t(type), got });
    }
    case 'invalid_value':
      return t('config.error.oneOf', { values: issue.values.map(String).join(', '), got });
    case 'too_small':
      if (issue.origin === 'number')
        return t('config.error.atLeast', { min: String(issue.minimum) });
      if (issue.origin === 'string') return t('config.error.shortText');
      return t('config.error.fewItems', { min: String(issue.minimum) });
    case 'too_big':
      if (issue.origin === 'number')
        return t('config.error.atMost', { max: String(issue.maximum) });
      return t('config.error.manyItems', { max: String(issue.maximum) });
    case 'invalid_format':
      return t(issue.format === 'url' ? 'config.error.url' : 'config.error.pattern', { got });
    default:
      return t('config.error.invalid', { got });
  }
}

/** The value found, as JSON and not too long to read in one line. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** "file:line: " of the deepest node of `path` present in the document. */
function where(doc: Document, lines: LineCounter, name: string, path: string[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(
      path.slice(0, n).map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      true,
    );
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range) {
      return `${name}:${lines.linePos(node.range[0]).line}: `;
    }
  }
  return `${name}: `;
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
