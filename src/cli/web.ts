/**
 * `sheriff web passwd`: prints the `passwordHash:` line for the web console.
 * The password is read from stdin (first line), never from arguments, so it
 * stays out of shell history and the process list.
 */
import type { Command } from 'commander';
import { UsageError, type CliContext } from './common.js';

const MIN_LENGTH = 12;

async function firstLine(input: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

export function registerWeb(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  const web = program.command('web').description(t('web.command.description'));
  web
    .command('passwd')
    .description(t('web.passwd.description'))
    .action(async () => {
      if (process.stdin.isTTY) ctx.stderr.write(t('web.passwd.prompt'));
      const password = await firstLine(process.stdin);
      if ([...password].length < MIN_LENGTH)
        throw new UsageError(t('web.passwd.tooShort', { min: MIN_LENGTH }));
      const { hashPassword } = await import('../web/password.js');
      const hash = await hashPassword(password);
      ctx.stdout.write(`${t('web.passwd.done')}\n  passwordHash: "${hash}"\n`);
    });
}
