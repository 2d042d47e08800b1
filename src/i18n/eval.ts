/** Messages of the eval area, in English and Korean. */
import { defineMessages } from './define.js';

export const evalMessages = defineMessages({
  en: {},
  ko: {},
});
