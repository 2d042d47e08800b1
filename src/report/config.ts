/** The `report:` section of sheriff.yaml: when the daily report is made and what it includes. */
import { Cron } from 'croner';
import { z } from 'zod';

export const reportSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    schedule: z
      .string()
      .default('0 9 * * *')
      .refine(
        (s) => {
          try {
            new Cron(s, { paused: true }).stop();
            return true;
          } catch {
            return false;
          }
        },
        { error: 'config.error.cron' },
      )
      .describe('cron expression in the configured timezone (default: every day at 09:00)'),
    topAttackers: z.number().int().min(1).max(100).default(10),
    ports: z
      .boolean()
      .default(true)
      .describe('list listening TCP ports that appeared or vanished (ss -ltnpH)'),
    commentary: z
      .boolean()
      .default(true)
      .describe("add the LLM analyst's short commentary when an LLM is configured"),
  })
  .prefault({});

export type ReportConfig = z.output<typeof reportSchema>;
