/** The zod type of an address or network setting: canonical CIDR text ("10.0.0.0/8"). */
import { z } from 'zod';
import { parseCidr } from './cidr.js';

export const cidrSchema = z.string().transform((v, ctx) => {
  try {
    return parseCidr(v).text;
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: 'config.error.cidr',
      params: { reason: (err as Error).message },
    });
    return z.NEVER;
  }
});
