/** The configuration error every command reports the same way (exit status 2). Kept apart from
 * the schema so that commands which need no configuration do not load it. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}
