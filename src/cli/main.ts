/**
 * The `sheriff` command. Each subcommand lives in its own file and only parses
 * flags and calls the modules; errors in how Sheriff was called exit with 2.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { detectLang, isLang, translator } from '../i18n/index.js';
import { UsageError, type CliContext } from './common.js';
import { localizeHelp, outputConfiguration } from './help.js';
import { ConfigError, SetupError } from '../config/errors.js';
import { isStoreError, storeErrorText } from './store-error.js';

/** --lang is needed before the help texts are built, so it is read from argv first. */
function langFromArgv(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (i === -1) return undefined;
  const a = argv[i]!;
  return a.includes('=') ? a.slice(7) : argv[i + 1];
}

/** The installed version, from the package.json that ships beside dist/. */
function packageVersion(): string {
  const pkg = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

type Register = (program: Command, ctx: CliContext) => void;

/**
 * The modules that register the commands, in the order help lists them, each with
 * the top-level commands it adds: a command loads its own module only (and what
 * that imports), not every other command's.
 */
export const COMMAND_MODULES: readonly {
  commands: readonly string[];
  load: () => Promise<Register>;
}[] = [
  { commands: ['watch'], load: async () => (await import('./watch.js')).registerWatch },
  { commands: ['hub'], load: async () => (await import('./watch.js')).registerHub },
  { commands: ['hosts'], load: async () => (await import('./hosts.js')).registerHosts },
  { commands: ['demo'], load: async () => (await import('./demo.js')).registerDemo },
  { commands: ['status'], load: async () => (await import('./status.js')).registerStatus },
  { commands: ['events'], load: async () => (await import('./events.js')).registerEvents },
  {
    commands: ['incidents', 'incident'],
    load: async () => (await import('./incidents.js')).registerIncidents,
  },
  { commands: ['report'], load: async () => (await import('./report.js')).registerReport },
  {
    commands: ['approvals', 'approve', 'deny', 'isolate', 'ban', 'unban', 'bans', 'audit'],
    load: async () => (await import('./respond.js')).registerRespond,
  },
  {
    commands: ['test-filter'],
    load: async () => (await import('./test-filter.js')).registerTestFilter,
  },
  { commands: ['filters'], load: async () => (await import('./filters.js')).registerFilters },
  { commands: ['replay'], load: async () => (await import('./replay.js')).registerReplay },
  { commands: ['config'], load: async () => (await import('./config.js')).registerConfig },
  { commands: ['import'], load: async () => (await import('./import.js')).registerImport },
  { commands: ['web'], load: async () => (await import('./web.js')).registerWeb },
  { commands: ['eval'], load: async () => (await import('./eval.js')).registerEval },
  { commands: ['optimize'], load: async () => (await import('./optimize.js')).registerOptimize },
  { commands: ['ask'], load: async () => (await import('./ask.js')).registerAsk },
  { commands: ['chat'], load: async () => (await import('./chat.js')).registerChat },
  { commands: ['fleet'], load: async () => (await import('./fleet.js')).registerFleet },
];

/** Root options that take a value, so the word after them is not the command. */
const VALUE_OPTIONS = new Set(['--lang', '--config']);

/**
 * The module of the command `argv` runs, or null when every command is needed:
 * help, --version, no command, or a word that is no command (commander's error
 * then suggests the nearest one).
 */
export function commandModule(argv: readonly string[]): (typeof COMMAND_MODULES)[number] | null {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return COMMAND_MODULES.find((m) => m.commands.includes(a)) ?? null;
    else if (!a.includes('=') || !VALUE_OPTIONS.has(a.slice(0, a.indexOf('=')))) return null;
  }
  return null;
}

/**
 * Every command and option (or, for `main`, only those of `only`); also read by the
 * build to write the man page and the shell completions (packaging/), so they never
 * drift from the CLI.
 */
export async function buildProgram(
  full: CliContext,
  only: (typeof COMMAND_MODULES)[number] | null = null,
): Promise<Command> {
  const program = new Command('sheriff')
    .description(full.t('cli.description'))
    .version(packageVersion(), '-V, --version', full.t('cli.opt.version'))
    .option('--lang <lang>', full.t('cli.opt.lang'))
    .option('--config <path>', full.t('cli.opt.config'))
    .addHelpText('after', `\n${full.t('cli.help.exitStatus')}`)
    .exitOverride()
    .configureOutput(outputConfiguration(full));
  // Before the subcommands: they inherit the help option, help command and help wording.
  localizeHelp(program, full.t);
  const modules = only === null ? COMMAND_MODULES : [only];
  for (const register of await Promise.all(modules.map((m) => m.load()))) register(program, full);
  return program;
}

export async function main(argv: readonly string[], ctx: Omit<CliContext, 't'>): Promise<number> {
  const requested = langFromArgv(argv);
  const lang = requested !== undefined && isLang(requested) ? requested : detectLang();
  const full: CliContext = { ...ctx, t: translator(lang) };
  const program = await buildProgram(full, commandModule(argv));
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError) {
      // --lang first, then the file's own `language:` (or SHERIFF_LANG), then the locale.
      const errLang =
        requested !== undefined && isLang(requested) ? requested : (err.language ?? lang);
      const lines = err.problemsIn(errLang).map((p) => `  ${p}`);
      ctx.stderr.write(`${translator(errLang)('config.error.title')}\n${lines.join('\n')}\n`);
      return err.exitCode;
    }
    if (err instanceof SetupError) {
      ctx.stderr.write(`${full.t('config.error.title')}\n  ${err.message}\n`);
      return err.exitCode;
    }
    if (isStoreError(err)) {
      ctx.stderr.write(full.t('cli.error.prefix', { message: storeErrorText(err, full.t) }) + '\n');
      return err.exitCode;
    }
    if (err instanceof UsageError) {
      ctx.stderr.write(full.t('cli.error.prefix', { message: err.message }) + '\n');
      return err.exitCode;
    }
    throw err;
  }
}
