/**
 * Reading a YAML file that a schema validates (sheriff.yaml, filter files), with
 * every problem reported as `file:line: path: message`, all at once, in English
 * or Korean (i18n/config.ts holds the schema messages).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { ConfigMessageKey } from '../i18n/config.js';
import { isMessageKey, type Params, type Translate } from '../i18n/index.js';
import type { Problem } from './errors.js';

export interface YamlFile {
  doc: Document;
  lines: LineCounter;
  /** The file name errors start with. */
  name: string;
}

/** Parses `text`; syntax errors become `name:line: message` problems (returned, not thrown). */
export function readYaml(text: string, name: string): { file: YamlFile; problems: Problem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems = doc.errors.map((e): Problem => {
    const at = `${name}:${lines.linePos(e.pos[0]).line}: `;
    const message = e.message.split('\n')[0]!;
    return (t) => at + t('config.error.yaml', { message });
  });
  return { file: { doc, lines, name }, problems };
}

/** Each schema issue as `file:line: path: message`. */
export function schemaProblems(file: YamlFile, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.flatMap(closestBranch).map((issue): Problem => {
    let path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      path = [...path, issue.keys[0]!];
      const at = `${where(file, path)}${path.join('.')}: `;
      return (t) => at + t('config.error.unknownSetting');
    }
    return problemAt(file, path, (t) => describeIssue(issue, t));
  });
}

/** A problem about the value at `path` (a dotted path), placed at its line. */
export function problemAt(file: YamlFile, path: readonly string[], message: Problem): Problem {
  const at = `${where(file, path)}${path.length > 0 ? `${path.join('.')}: ` : ''}`;
  return (t) => at + message(t);
}

/**
 * A value that fits none of a union's forms is described by the form it came
 * closest to (the fewest problems): a rule with a wrong `result` is a rule, not a
 * failed `include:`.
 */
function closestBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const best = issue.errors.reduce((a, b) => (b.length < a.length ? b : a));
  if (best.length === 0) return [issue];
  return best.flatMap((inner) => closestBranch({ ...inner, path: [...issue.path, ...inner.path] }));
}

const TYPE_NAMES: Partial<Record<string, ConfigMessageKey>> = {
  string: 'config.error.type.string',
  number: 'config.error.type.number',
  boolean: 'config.error.type.boolean',
  array: 'config.error.type.array',
  object: 'config.error.type.object',
};

/**
 * What is wrong, in words: the schema's own message (a message key, usually of i18n/config.ts,
 * with the value found and the issue's parameters), else zod's kind of issue.
 */
function describeIssue(issue: z.core.$ZodIssue, t: Translate): string {
  const got = shown(issue.input);
  if (isMessageKey(issue.message)) {
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
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The line of the deepest node of `path` present in the document, or null. */
export function lineOf(file: YamlFile, path: readonly string[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = file.doc.getIn(
      path.slice(0, n).map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
      true,
    );
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range)
      return file.lines.linePos(node.range[0]).line;
  }
  return null;
}

/** "file:line: " of the deepest node of `path` present in the document. */
function where(file: YamlFile, path: readonly string[]): string {
  const line = lineOf(file, path);
  return line === null ? `${file.name}: ` : `${file.name}:${line}: `;
}
