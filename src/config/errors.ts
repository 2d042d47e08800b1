import { translator, type Lang, type Translate } from '../i18n/index.js';

/** The configuration error every command reports the same way (exit status 2). Kept apart from
 * the schema so that commands which need no configuration do not load it. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  /**
   * `problems` in English, one line each. `language` is the one the file asks
   * for (its `language:` key, or SHERIFF_LANG) when it could be read, and
   * `render` gives the problems in either language.
   */
  constructor(
    readonly problems: string[],
    private readonly localized: {
      language?: 'ko' | 'en';
      render: (lang: 'ko' | 'en') => string[];
    } = { render: () => problems },
  ) {
    super(problems.join('\n'));
  }

  /** The language the configuration asks for, when it could be read. */
  get language(): 'ko' | 'en' | undefined {
    return this.localized.language;
  }

  problemsIn(lang: 'ko' | 'en'): string[] {
    return this.localized.render(lang);
  }
}

/**
 * A setting that is well-formed but cannot work on this machine: a missing API
 * key, a key file others can read, an unreadable database or list. Reported
 * like a configuration error (exit status 2); the message names the setting,
 * the variable or the file, never a secret's value.
 */
export class SetupError extends Error {
  readonly exitCode = 2;
}

/** One problem, written in the language asked for. */
export type Problem = (t: Translate) => string;

/** The problems as a ConfigError: English by default, Korean on request. */
export function configError(problems: Problem[], language: Lang | undefined): ConfigError {
  const render = (lang: Lang) => problems.map((p) => p(translator(lang)));
  return new ConfigError(render('en'), language === undefined ? { render } : { language, render });
}
