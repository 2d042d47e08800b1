/** The `store:` section of sheriff.yaml: the SQLite file and how long its history is kept. */
import { z } from 'zod';
import { count } from '../config/count-schema.js';
import { duration } from '../config/duration-schema.js';

export const storeSchema = z
  .strictObject({
    path: z
      .string()
      .optional()
      .describe(
        'SQLite file (default: /var/lib/sheriff/sheriff.db as root, else ~/.local/state/sheriff/sheriff.db)',
      ),
    retention: z
      .strictObject({
        maxAge: duration('90d').default(90 * 86_400_000),
        maxEvents: count(1000).default(5_000_000),
      })
      .prefault({}),
  })
  .prefault({});

export type StoreConfig = z.output<typeof storeSchema>;
