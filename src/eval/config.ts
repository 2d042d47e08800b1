/**
 * The `eval:` section of sheriff.yaml: the prompt programs `sheriff optimize`
 * wrote that the daemon and `sheriff eval` use, the price of tokens for cost
 * figures, and where model answers are cached.
 */
import { z } from 'zod';

const price = z.number({ error: 'config.error.number' }).min(0, { error: 'config.error.atLeast' });

export const evalConfigSchema = z
  .strictObject({
    agentProgram: z
      .string()
      .min(1)
      .optional()
      .describe('prompt program for the analyst, written by `sheriff optimize agent`'),
    triageProgram: z
      .string()
      .min(1)
      .optional()
      .describe('prompt program for model triage, written by `sheriff optimize triage`'),
    price: z
      .strictObject({
        input: price.default(0).describe('price of one million input tokens (0: unknown)'),
        output: price.default(0).describe('price of one million output tokens (0: unknown)'),
      })
      .prefault({}),
    cache: z
      .string()
      .min(1)
      .optional()
      .describe('directory of cached model answers (default ~/.cache/sheriff/llm)'),
  })
  .prefault({});

export type EvalConfig = z.output<typeof evalConfigSchema>;
