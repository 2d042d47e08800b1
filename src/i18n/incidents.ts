/** Messages of the incidents area, in English and Korean. */
import { defineMessages } from './define.js';

export const incidentsMessages = defineMessages({
  en: {},
  ko: {},
});
