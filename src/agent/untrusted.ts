/**
 * Spotlighting: every log-derived string the model reads (user names, paths,
 * user agents, raw lines) is cleaned and wrapped in labelled delimiters that
 * say it is data, and the system prompt says nothing inside them is an
 * instruction. Cleaning removes control, bidi and zero-width characters (which
 * hide or reorder text) and caps the length; the delimiters themselves are
 * neutralised inside the value so a user name cannot close its own box.
 */
import { isPoisonedUser } from '../incidents/triage.js';

export const UNTRUSTED_OPEN = '⟦untrusted';
export const UNTRUSTED_CLOSE = '⟧';
export const DEFAULT_UNTRUSTED_CAP = 200;

// Controls (but tab and line breaks), format characters (bidi, zero-width, tags) and every
// other default-ignorable code point (variation selectors, Hangul fillers, soft hyphen).
const HIDDEN = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** Whether `text` holds characters that hide or reorder what a reader sees. */
export function hasHiddenCharacters(text: string): boolean {
  HIDDEN.lastIndex = 0;
  return HIDDEN.test(text);
}

/** `text` without hidden characters, newlines and tabs as spaces, at most `cap` characters. */
export function cleanUntrusted(text: string, cap = DEFAULT_UNTRUSTED_CAP): string {
  const cleaned = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(HIDDEN, '')
    .replace(/[⟦⟧]/g, '?');
  const chars = [...cleaned];
  return chars.length <= cap
    ? cleaned
    : `${chars.slice(0, cap).join('')}…[${chars.length - cap} more]`;
}

/**
 * The model-facing form of an attacker-written value:
 * `⟦untrusted user: ignore previous …⟧`. Null stays null.
 */
export function spotlight(
  label: string,
  value: string | null,
  cap = DEFAULT_UNTRUSTED_CAP,
): string | null {
  if (value === null) return null;
  return `${UNTRUSTED_OPEN} ${label}: ${cleanUntrusted(value, cap)}${UNTRUSTED_CLOSE}`;
}

export type IndicatorKind = 'instructions' | 'hidden-characters' | 'fake-markup';

// Role markers, chat templates and tool-call JSON that only make sense as an attempt on a model.
const FAKE_MARKUP =
  /<\|?(?:im_start|im_end|system|assistant|endoftext)\|?>|\[\/?(?:INST|SYS)\]|<<SYS>>|"(?:tool_calls?|function_call|role)"\s*:|^\s*(?:system|assistant)\s*:/i;

/**
 * Why a log-derived value looks like an attack on the analyst rather than a
 * user name or a path: instructions (reused from the triage rules), hidden
 * characters, or fake chat/tool markup. Empty for ordinary values. Other
 * modules (alerts, the console) may use it to flag the line.
 */
export function attackIndicators(value: string): IndicatorKind[] {
  const out: IndicatorKind[] = [];
  const visible = value.replace(HIDDEN, '');
  if (isPoisonedUser(visible)) out.push('instructions');
  if (hasHiddenCharacters(value)) out.push('hidden-characters');
  if (FAKE_MARKUP.test(visible)) out.push('fake-markup');
  return out;
}
