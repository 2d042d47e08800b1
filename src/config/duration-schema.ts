/**
 * The zod type of a duration setting, shared by every config section. Like
 * every config schema, it names its error by message key (i18n/config.ts); the
 * loader renders it in the chosen language.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** The definitions of every duration schema: `.describe()` and `.default()` keep the definition. */
const DURATIONS = new WeakSet<object>();

/** A duration like "10m" or a number of seconds, as milliseconds; `example` goes in the error. */
export const duration = (example = '10m') => {
  const schema = z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'config.error.duration', params: { example } });
      return z.NEVER;
    }
  });
  DURATIONS.add(schema._zod.def);
  return schema;
};

/** Whether `schema` is a `duration()` (its `.describe()`d copies included). */
export function isDuration(schema: z.core.$ZodType): boolean {
  return DURATIONS.has(schema._zod.def);
}
