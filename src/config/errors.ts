/** The configuration error every command reports the same way (exit status 2). Kept apart from
 * the schema so that commands which need no configuration do not load it. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
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
