/**
 * Finds, reads and validates sheriff.yaml. Every problem is reported with the
 * file, the line and the path of the value (`sheriff.yaml:7: jails.sshd.findtime:
 * expected a duration like 10m, got "ten"`), and all of them at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { trustedNetworks } from '../intel/trusted.js';
import type { JailSettings } from '../detect/jail.js';
import { BUILTIN_FILTERS } from '../filters/registry.js';
import { ConfigError } from './errors.js';
import { configSchema, type SheriffConfig } from './schema.js';

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

export function loadConfig(
  explicitPath?: string,
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const wanted = explicitPath ?? env.SHERIFF_CONFIG;
  let path: string | null = null;
  if (wanted !== undefined) {
    path = resolve(wanted);
    if (!existsSync(path))
      throw new ConfigError([
        `${path}: no such file (given by ${explicitPath ? '--config' : 'SHERIFF_CONFIG'})`,
      ]);
  } else {
    path = DEFAULT_CONFIG_PATHS.map((p) => resolve(p)).find((p) => existsSync(p)) ?? null;
  }
  const text = path === null ? '' : readText(path);
  return { config: parseConfig(text, path ?? 'defaults', env), path };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read: ${(err as Error).message}`]);
  }
}

export function parseConfig(
  text: string,
  name: string,
  env: NodeJS.ProcessEnv = {},
): SheriffConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `${name}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError([`${name}:1: expected a mapping of settings (key: value)`]);
  for (const [variable, path] of ENV_OVERRIDES) {
    const value = env[variable];
    if (value !== undefined && value !== '') setIn(raw as Record<string, unknown>, path, value);
  }
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      let path = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        path = [...path, issue.keys[0]!];
        return `${where(doc, lines, name, path)}${path.join('.')}: unknown setting (check the spelling)`;
      }
      const label = path.length > 0 ? `${path.join('.')}: ` : '';
      const message =
        issue.code === 'invalid_type' && /received undefined$/.test(issue.message)
          ? 'is required'
          : issue.message.replace(/^Invalid input: /, '');
      return `${where(doc, lines, name, path)}${label}${message}`;
    }),
  );
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

/** The enabled jails as the detector's settings. */
export function jailSettings(config: SheriffConfig): JailSettings[] {
  const trusted = trustedNetworks(config.trusted);
  return Object.entries(config.jails)
    .filter(([, j]) => j.enabled)
    .map(([name, j]) => {
      const filter = j.filter ?? name;
      return {
        name,
        filter,
        mode: j.mode ?? BUILTIN_FILTERS.get(filter)!.defaultMode,
        maxretry: j.maxretry,
        findtime: j.findtime,
        slow: j.slow === false ? null : j.slow,
        compromise: j.compromise,
        ipv6Prefix: j.ipv6Prefix,
        trusted,
        maxTracked: j.maxTracked,
      };
    });
}
