/** Request validation: a zod schema, and a 400 naming the field when it does not fit. */
import type { z } from 'zod';

export class BadRequest extends Error {
  readonly statusCode = 400;
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new BadRequest(`${i.path.join('.') || 'request'}: ${i.message}`);
  }
  return r.data;
}
