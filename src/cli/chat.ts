/**
 * `sheriff chat`: a conversation with the analyst in the terminal, with memory
 * (conversation `cli:<user>`) and approval requests shown inline; decide them
 * with `sheriff approve ID` in another terminal.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { openAnalyst } from './ask.js';
import type { CliContext } from './common.js';

export function registerChat(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('chat')
    .description(t('cli.chat.description'))
    .action(async () => {
      const { analyst, store, lang, user } = await openAnalyst(program);
      const mode =
        analyst.model === null
          ? t('cli.chat.mode.command')
          : t('cli.chat.mode.llm', { model: analyst.model });
      ctx.stdout.write(`${t('cli.chat.welcome', { mode })}\n`);
      const rl = createInterface({ input: process.stdin, terminal: false });
      const prompt = () => ctx.stdout.write('> ');
      try {
        prompt();
        for await (const line of rl) {
          const text = line.trim();
          if (text === 'exit' || text === 'quit') break;
          if (text !== '') {
            const reply = await analyst.ask({
              conversation: `cli:${user}`,
              text,
              lang,
              channel: 'cli',
              identity: user,
            });
            ctx.stdout.write(`${reply.text}\n`);
          }
          prompt();
        }
      } finally {
        rl.close();
        store.close();
      }
      ctx.stdout.write('\n');
    });
}
