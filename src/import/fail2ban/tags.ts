/**
 * fail2ban's `<tag>` substitution and `name[opt=value, …]` option syntax
 * (helpers.py: substituteRecursiveTags, extractOptions, splitWithOptions).
 */

const MAX_TAG_REPLACE_COUNT = 25;
const TAG = /<([^ <>]+)>/g;

export class TagError extends Error {}

/**
 * Replaces `<tag>` in every value with the value of that tag (again and again,
 * as tags build tag names such as `<mdre-<mode>>`). Tags nobody defines stay
 * (`<HOST>` is the regex builder's). `extra` answers tags missing from `tags`.
 */
export function substituteTags(
  input: ReadonlyMap<string, string>,
  ignore: ReadonlySet<string>,
  extra: (tag: string) => string | undefined,
): Map<string, string> {
  const tags = new Map(input);
  const done = new Set<string>();
  const counts = new Map<string, Map<string, number>>();
  for (;;) {
    let again = false;
    for (const tag of tags.keys()) {
      if (ignore.has(tag) || done.has(tag)) continue;
      const orig = tags.get(tag)!;
      let value = orig;
      const count = counts.get(tag) ?? new Map<string, number>();
      TAG.lastIndex = 0;
      let m = TAG.exec(value);
      while (m !== null) {
        const rtag = m[1]!;
        if (ignore.has(rtag)) {
          TAG.lastIndex = m.index + m[0].length;
          m = TAG.exec(value);
          continue;
        }
        if (rtag === tag || (count.get(rtag) ?? 1) > MAX_TAG_REPLACE_COUNT)
          throw new TagError(`<${tag}> refers to itself through <${rtag}>`);
        const repl = tags.get(rtag) ?? extra(rtag);
        if (repl === undefined) {
          TAG.lastIndex = m.index + m[0].length;
          m = TAG.exec(value);
          continue;
        }
        value = value.split(`<${rtag}>`).join(repl);
        count.set(rtag, (count.get(rtag) ?? 0) + 1);
        TAG.lastIndex = m.index;
        m = TAG.exec(value);
      }
      if (value !== orig) {
        TAG.lastIndex = 0;
        if (TAG.test(value)) {
          counts.set(tag, count);
          again = true;
        }
        tags.set(tag, value);
      }
      if (!value.includes('<')) done.add(tag);
    }
    if (!again) return tags;
  }
}

const OPTION = /^([^[]+)(?:\[([\s\S]*)\])?\s*$/;
const OPTION_EXTRACT =
  /\s*([\w\-_.]+)=(?:"([^"]*)"|'([^']*)'|([^,\]]*))(?:,|\]\s*\[|$|(?<wrongA>[\s\S]+))|,?\s*$|(?<wrongB>[\s\S]+)/g;

/** `sshd[mode=aggressive, port="22"]` → name and options. */
export function extractOptions(text: string): { name: string; options: Map<string, string> } {
  const m = OPTION.exec(text);
  if (m === null) throw new TagError('unexpected option syntax');
  const options = new Map<string, string>();
  if (m[2]) {
    for (const o of m[2].matchAll(OPTION_EXTRACT)) {
      if (o.groups?.wrongA) throw new TagError(`unexpected syntax after option ${o[1]}`);
      if (o.groups?.wrongB)
        throw new TagError(`expected an option: ${o.groups.wrongB.slice(0, 25)}`);
      if (!o[1]) continue;
      options.set(o[1].trim(), (o[2] ?? o[3] ?? o[4] ?? '').trim());
    }
  }
  return { name: m[1]!.trim(), options };
}
