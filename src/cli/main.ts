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
import { registerAsk } from './ask.js';
import { registerChat } from './chat.js';
import { registerConfig } from './config.js';
import { registerDemo } from './demo.js';
import { registerEvents } from './events.js';
import { registerImport } from './import.js';
import { registerIncidents } from './incidents.js';
import { registerReplay } from './replay.js';
import { registerReport } from './report.js';
import { registerRespond } from './respond.js';
import { registerStatus } from './status.js';
import { isStoreError, storeErrorText } from './store-error.js';
import { registerHub, registerWatch } from './watch.js';
import { registerHosts } from './hosts.js';
import { registerWeb } from './web.js';
import { registerTestFilter } from './test-filter.js';
import { registerFilters } from './filters.js';
import { registerEval } from './eval.js';
import { registerOptimize } from './optimize.js';

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

/**
 * Every command and option; also read by the build to write the man page and
 * the shell completions (packaging/), so they never drift from the CLI.
 */
export function buildProgram(full: CliContext): Command {
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
  registerWatch(program, full);
  registerHub(program, full);
  registerHosts(program, full);
  registerDemo(program, full);
  registerStatus(program, full);
  registerEvents(program, full);
  registerIncidents(program, full);
  registerReport(program, full);
  registerRespond(program, full);
  registerTestFilter(program, full);
  registerFilters(program, full);
  registerReplay(program, full);
  registerConfig(program, full);
  registerImport(program, full);
  registerWeb(program, full);
  registerEval(program, full);
  registerOptimize(program, full);
  registerAsk(program, full);
  registerChat(program, full);
  return program;
}

export async function main(argv: readonly string[], ctx: Omit<CliContext, 't'>): Promise<number> {
  const requested = langFromArgv(argv);
  const lang = requested !== undefined && isLang(requested) ? requested : detectLang();
  const full: CliContext = { ...ctx, t: translator(lang) };
  const program = buildProgram(full);
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
