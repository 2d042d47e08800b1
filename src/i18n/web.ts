/** Messages of the web area, in English and Korean. */
import { defineMessages } from './define.js';

export const webMessages = defineMessages({
  en: {},
  ko: {},
});
