/**
 * `sheriff import fail2ban [--dir /etc/fail2ban] --out DIR [--json]`: writes
 * DIR/sheriff.yaml and DIR/filters.d/*.yaml, and prints what could not be
 * carried over (file:line, why). The --json form is one object: the files
 * written and every issue with its message in the chosen language.
 */
import type { Command } from 'commander';
import type { MessageKey, Translate } from '../i18n/index.js';
import type { ImportResult } from '../import/fail2ban/import.js';
import type { Issue } from '../import/fail2ban/issues.js';
import { UsageError, type CliContext } from './common.js';

interface Options {
  dir: string;
  out: string;
  json?: boolean;
}

export function registerImport(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  const cmd = program.command('import').description(t('import.description'));
  cmd
    .command('fail2ban')
    .description(t('import.fail2ban.description'))
    .option('--dir <dir>', t('import.fail2ban.opt.dir'), '/etc/fail2ban')
    .requiredOption('--out <dir>', t('import.fail2ban.opt.out'))
    .option('--json', t('import.fail2ban.opt.json'))
    .action((opts: Options) => runImport(opts, ctx));
}

export function issueText(t: Translate, i: Issue): string {
  return t(`import.issue.${i.kind}` as MessageKey, { detail: i.detail });
}

async function runImport(opts: Options, ctx: CliContext): Promise<void> {
  const { t } = ctx;
  // Loaded here, not at start-up: only this command needs the importer and YAML.
  const { importFail2ban } = await import('../import/fail2ban/import.js');
  const { NoJailConfError } = await import('../import/fail2ban/jail.js');
  const { OutputExistsError, writeImport } = await import('../import/fail2ban/write.js');
  let result: ImportResult;
  let files: string[];
  try {
    result = importFail2ban(opts.dir);
    files = writeImport(result, opts.out);
  } catch (err) {
    if (err instanceof NoJailConfError)
      throw new UsageError(t('import.error.noJailConf', { path: opts.dir }));
    if (err instanceof OutputExistsError)
      throw new UsageError(t('import.error.exists', { path: err.path }));
    throw err;
  }
  const imported = Object.keys(result.config.jails).length;
  if (opts.json) {
    const out = {
      dir: result.dir,
      out: opts.out,
      jails: { enabled: result.jails, imported: Object.keys(result.config.jails) },
      filters: result.filters.map((f) => f.name),
      files,
      issues: result.issues.map((i) => ({ ...i, message: issueText(t, i) })),
    };
    ctx.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const lines = [
    t('import.summary', {
      imported,
      enabled: result.jails.length,
      filters: result.filters.length,
      dir: result.dir,
    }),
    t('import.wrote'),
    ...files.map((f) => `  ${f}`),
  ];
  const where = (i: Issue) => (i.file === '' ? '' : `${i.file}:${i.line}  `);
  const subject = (i: Issue) => (i.subject === '' ? '' : `[${i.subject}] `);
  for (const loss of [true, false]) {
    const list = result.issues.filter((i) => i.loss === loss);
    if (list.length === 0) continue;
    lines.push(t(loss ? 'import.losses' : 'import.notes', { count: list.length }));
    for (const i of list) lines.push(`  ${where(i)}${subject(i)}${issueText(t, i)}`);
  }
  if (!result.issues.some((i) => i.loss)) lines.push(t('import.clean'));
  lines.push(t('import.next', { config: files[0]! }));
  ctx.stdout.write(lines.join('\n') + '\n');
}
