/** Messages of the notify area, in English and Korean. */
import { defineMessages } from './define.js';

export const notifyMessages = defineMessages({
  en: {},
  ko: {},
});
