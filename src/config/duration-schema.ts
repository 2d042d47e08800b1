/** The zod type of a duration setting, shared by every config section. */
import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A duration like "10m" or a number of seconds, as milliseconds; `example` goes in the error. */
export const duration = (example = '10m') =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    try {
      return parseDuration(v);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration like ${example}, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
  });
