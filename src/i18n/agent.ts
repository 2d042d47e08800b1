/** Messages of the agent area, in English and Korean. */
import { defineMessages } from './define.js';

export const agentMessages = defineMessages({
  en: {},
  ko: {},
});
