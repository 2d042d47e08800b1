/**
 * One fail2ban configuration file read the way Python's configparser reads it
 * with fail2ban's settings: `=` or `:` between name and value, `#`/`;` comment
 * lines, `;` inline comments after white space, indented continuation lines
 * (blank lines inside a value kept, trailing ones dropped), option names in
 * lower case, `[DEFAULT]` apart, and a name or section twice in one file an
 * error (configparser's strict mode).
 */

/** A value with the place it was written, for the import report. */
export interface Located {
  value: string;
  file: string;
  line: number;
}

export type Section = Map<string, Located>;

export interface IniFile {
  file: string;
  defaults: Section;
  /** In file order; names keep their case (fail2ban's section names are case-sensitive). */
  sections: Map<string, Section>;
}

export class IniError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

/** Where an inline `;` comment starts (at the line's start or after white space), or -1. */
function inlineComment(line: string): number {
  for (let i = line.indexOf(';'); i !== -1; i = line.indexOf(';', i + 1))
    if (i === 0 || /\s/.test(line[i - 1]!)) return i;
  return -1;
}

export function parseIni(text: string, file: string): IniFile {
  const defaults: Section = new Map();
  const sections = new Map<string, Section>();
  const seen = new Set<string>();
  let current: Section | null = null;
  let sectionName = '';
  let option: { name: string; parts: string[] } | null = null;
  let indent = Number.MAX_SAFE_INTEGER;
  const finish = () => {
    if (option !== null && current !== null) {
      const at = current.get(option.name)!;
      at.value = option.parts.join('\n').trimEnd();
    }
  };
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    let cut = inlineComment(raw);
    const stripped = raw.trim();
    if (stripped.startsWith('#') || stripped.startsWith(';')) cut = 0;
    const value = (cut === -1 ? raw : raw.slice(0, cut)).trim();
    if (value === '') {
      // configparser keeps a blank line inside a value, but not a comment line.
      if (cut === -1 && option !== null) option.parts.push('');
      return;
    }
    const level = raw.search(/\S/);
    if (option !== null && level > indent) {
      option.parts.push(value);
      return;
    }
    indent = level;
    const header = SECTION.exec(value);
    if (header !== null) {
      finish();
      option = null;
      sectionName = header[1]!;
      if (sectionName === 'DEFAULT') current = defaults;
      else {
        if (seen.has(sectionName))
          throw new IniError(file, lineNo, `section [${sectionName}] appears twice`);
        seen.add(sectionName);
        current = sections.get(sectionName) ?? new Map();
        sections.set(sectionName, current);
      }
      return;
    }
    if (current === null) throw new IniError(file, lineNo, 'an option before any [section]');
    const m = OPTION.exec(value);
    if (m === null || m[1]!.trimEnd() === '')
      throw new IniError(file, lineNo, `not "name = value": ${value.slice(0, 60)}`);
    finish();
    const name = m[1]!.trimEnd().toLowerCase();
    const key = `${sectionName}\n${name}`;
    if (seen.has(key))
      throw new IniError(file, lineNo, `option "${name}" appears twice in [${sectionName}]`);
    seen.add(key);
    current.set(name, { value: m[3]!.trim(), file, line: lineNo });
    option = { name, parts: [m[3]!.trim()] };
  });
  finish();
  return { file, defaults, sections };
}
