/**
 * commander's own words in the reader's language: the help's headings, its
 * default and required notes (said once, by us, not restated by commander), and
 * its usage errors. Colour only where the stream takes it (see colorWanted).
 */
import type { Argument, Command, HelpConfiguration, Option, OutputConfiguration } from 'commander';
import type { MessageKey, Translate } from '../i18n/index.js';
import { colorWanted } from '../color.js';
import type { CliContext } from './common.js';

const HEADINGS: Record<string, MessageKey> = {
  'Usage:': 'cli.help.usage',
  'Arguments:': 'cli.help.arguments',
  'Options:': 'cli.help.options',
  'Global Options:': 'cli.help.globalOptions',
  'Commands:': 'cli.help.commands',
};

/** "(default: 50)" once, from commander's default value; "(required)" for a required option. */
function withNotes(
  description: string,
  item: { defaultValue?: string | number | boolean; defaultValueDescription?: string },
  required: boolean,
  t: Translate,
): string {
  const notes: string[] = [];
  if (item.defaultValue !== undefined && typeof item.defaultValue !== 'boolean')
    notes.push(
      t('cli.help.default', {
        value: item.defaultValueDescription ?? String(item.defaultValue),
      }),
    );
  if (required) notes.push(t('cli.help.required'));
  return [description, ...notes].filter((s) => s !== '').join(' ');
}

export function helpConfiguration(t: Translate): HelpConfiguration {
  return {
    styleTitle: (heading) => {
      const key = HEADINGS[heading];
      return key === undefined ? heading : t(key);
    },
    optionDescription: (o: Option) => withNotes(o.description, o, o.mandatory, t),
    argumentDescription: (a: Argument) => withNotes(a.description, a, false, t),
  };
}

/** commander's usage errors, by their fixed English wording, in the reader's language. */
const ERRORS: [RegExp, (m: RegExpMatchArray, t: Translate) => string][] = [
  [
    /^error: missing required argument '(.+)'$/,
    (m, t) => t('cli.usage.missingArgument', { name: m[1]! }),
  ],
  [
    /^error: option '(.+)' argument missing$/,
    (m, t) => t('cli.usage.optionValue', { option: m[1]! }),
  ],
  [
    /^error: required option '(.+)' not specified$/,
    (m, t) => t('cli.usage.requiredOption', { option: m[1]! }),
  ],
  [/^error: unknown option '(.+)'$/, (m, t) => t('cli.usage.unknownOption', { option: m[1]! })],
  [/^error: unknown command '(.+)'$/, (m, t) => t('cli.usage.unknownCommand', { command: m[1]! })],
  [
    /^error: too many arguments(?: for '.+')?\. Expected (\d+) arguments? but got (\d+)\.$/,
    (m, t) => t('cli.usage.tooMany', { expected: m[1]!, got: m[2]! }),
  ],
];

export function commanderErrorText(text: string, t: Translate): string {
  const [first = '', ...rest] = text.trimEnd().split('\n');
  const suggestion = /^\(Did you mean (.+)\?\)$/.exec(rest.join(' ').trim());
  for (const [re, render] of ERRORS) {
    const m = re.exec(first);
    if (m === null) continue;
    const message = render(m, t);
    const hint =
      suggestion === null ? '' : ` ${t('cli.usage.didYouMean', { suggestion: suggestion[1]! })}`;
    return `${t('cli.error.prefix', { message: message + hint })}\n`;
  }
  return text;
}

export function outputConfiguration(ctx: CliContext): OutputConfiguration {
  return {
    writeOut: (s) => ctx.stdout.write(s),
    writeErr: (s) => ctx.stderr.write(s),
    getOutHasColors: () => colorWanted(ctx.stdout),
    getErrHasColors: () => colorWanted(ctx.stderr),
    outputError: (s, write) => write(commanderErrorText(s, ctx.t)),
  };
}

/** The help option and the help command, described in the reader's language. */
export function localizeHelp(program: Command, t: Translate): Command {
  return program
    .helpOption('-h, --help', t('cli.opt.help'))
    .helpCommand('help [command]', t('cli.help.command'))
    .configureHelp(helpConfiguration(t));
}
