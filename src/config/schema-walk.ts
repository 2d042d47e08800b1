/**
 * Walks a config schema beside a value it parsed, for `sheriff config print`:
 * durations written back as people write them ("10m", not 600000), and the
 * settings' descriptions (`--explain`).
 */
import { z } from 'zod';
import { formatDuration } from './duration.js';
import { isDuration } from './duration-schema.js';

/** The parts of a zod definition the walk reads. */
interface Def {
  type: string;
  innerType?: z.core.$ZodType;
  out?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  values?: unknown[];
}

const defOf = (schema: z.core.$ZodType) => schema._zod.def as unknown as Def;

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly']);

/** The schema under defaults and optionals (a transform's input stays: its output has no schema). */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (isDuration(s)) return s;
    if (WRAPPERS.has(def.type)) s = def.innerType!;
    else if (def.type === 'pipe' && defOf(def.out!).type !== 'transform') s = def.out!;
    else return s;
  }
}

/** The schema of `value[key]` within `schema`, or undefined when it has none. */
export function fieldSchema(
  schema: z.core.$ZodType,
  value: unknown,
  key: string | number,
): z.core.$ZodType | undefined {
  const def = defOf(unwrap(schema));
  if (def.type === 'array') return def.element;
  if (def.type === 'record') return def.valueType;
  if (def.type === 'object') return def.shape![key];
  if (def.type === 'union' && isMapping(value)) {
    const option = def.options!.find((o) => describes(o, value));
    return option === undefined ? undefined : fieldSchema(option, value, key);
  }
  return undefined;
}

/** The description of a setting (`.describe()` on it or on what it wraps). */
export function descriptionOf(schema: z.core.$ZodType): string | undefined {
  for (let s: z.core.$ZodType | undefined = schema; s !== undefined;) {
    const text = z.globalRegistry.get(s)?.description;
    if (text !== undefined) return text;
    const def = defOf(s);
    s = WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return undefined;
}

/** `value`, as `schema` parsed it, with every duration written back like "10m". */
export function formatDurations(schema: z.core.$ZodType, value: unknown): unknown {
  if (isDuration(unwrap(schema))) return typeof value === 'number' ? formatDuration(value) : value;
  if (Array.isArray(value)) return value.map((v, i) => within(schema, value, i, v));
  if (isMapping(value))
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, within(schema, value, k, v)]),
    );
  return value;
}

function within(schema: z.core.$ZodType, parent: unknown, key: string | number, v: unknown) {
  const field = fieldSchema(schema, parent, key);
  return field === undefined ? v : formatDurations(field, v);
}

/** Whether an object option of a union is the one `value` came from (its literal fields match). */
function describes(option: z.core.$ZodType, value: Record<string, unknown>): boolean {
  const def = defOf(unwrap(option));
  if (def.type !== 'object') return false;
  return Object.entries(def.shape!).every(([k, field]) => {
    const f = defOf(field);
    return f.type !== 'literal' || f.values!.includes(value[k]);
  });
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
