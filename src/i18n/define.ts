/**
 * One area's messages in both languages. The Korean side must have exactly the
 * English side's keys, so a missing translation is a compile error.
 */
export type Catalog<K extends string> = Readonly<Record<K, string>>;

export function defineMessages<const E extends Record<string, string>>(messages: {
  en: E;
  ko: Catalog<keyof E & string>;
}): { en: Catalog<keyof E & string>; ko: Catalog<keyof E & string> } {
  return messages;
}
