/** The zod type of a count setting (a whole number with a floor), shared by every config section. */
import { z } from 'zod';

export const count = (min: number) =>
  z
    .number({ error: 'config.error.wholeNumber' })
    .int({ error: 'config.error.wholeNumber' })
    .min(min, { error: 'config.error.atLeast' });
