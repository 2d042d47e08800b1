/**
 * sheriff.yaml's text read and validated. Every problem is reported with the
 * file, the line and the path of the value (`sheriff.yaml:7: jails.sshd.findtime:
 * expected a duration like 10m, got "ten"`), and all of them at once, in
 * English or Korean (i18n/config.ts). YAML and the schema load with this module,
 * which load-config.ts requires only when its cache cannot answer.
 */
import type { Document } from 'yaml';
import { configError } from '../config/errors.js';
import { readYaml, schemaProblems } from '../config/yaml-problems.js';
import { isLang, type Lang } from '../i18n/index.js';
import { configSchema, type SheriffConfig } from './config.js';
import { envLanguage, ENV_OVERRIDES } from './config-env.js';

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
  // Checked once: zod's compiled fast path (new Function per object schema) costs more than it saves.
  const result = configSchema.safeParse(raw, { reportInput: true, jitless: true });
  if (result.success) return result.data;
  throw configError(schemaProblems(file, result.error.issues), language);
}

/** The file's `language:`, when the document has a readable one. */
function fileLanguage(doc: Document): Lang | undefined {
  const value: unknown = doc.get('language');
  return typeof value === 'string' && isLang(value) ? value : undefined;
}

function setIn(
  obj: Record<string, unknown>,
  path: readonly (string | number)[],
  value: unknown,
): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}
