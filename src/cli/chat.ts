/**
 * `sheriff chat`: a conversation with the analyst in the terminal, with memory
 * (conversation `cli:<user>`) and approval requests shown inline. `approve ID`
 * and `deny ID` decide one, exactly as `sheriff approve ID` / `deny ID` do.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { openAnalyst } from './ask.js';
import { UsageError, type CliContext } from './common.js';
import { decideOne } from './respond.js';

/** `approve ID` / `deny ID` (or 승인 / 거부), else null: a question for the analyst. */
export function chatDecision(text: string): { decision: 'approve' | 'deny'; id: string } | null {
  const m = /^(approve|deny|승인|거부)\s+(\S+)$/i.exec(text);
  if (m === null) return null;
  const word = m[1]!.toLowerCase();
  return { decision: word === 'approve' || word === '승인' ? 'approve' : 'deny', id: m[2]! };
}

export function registerChat(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('chat')
    .description(t('cli.chat.description'))
    .action(async () => {
      const { analyst, close, lang, user, telemetry } = await openAnalyst(program);
      const mode =
        analyst.model === null
          ? t('cli.chat.mode.command')
          : t('cli.chat.mode.llm', { model: analyst.model });
      ctx.stdout.write(`${t('cli.chat.welcome', { mode })}\n`);
      // Said once here, not after every answer.
      if (analyst.model === null) ctx.stdout.write(`${t('agent.cmd.enable')}\n`);
      ctx.stdout.write(`${t('cli.chat.decide')}\n`);
      const rl = createInterface({ input: process.stdin, terminal: false });
      const prompt = () => ctx.stdout.write('> ');
      try {
        prompt();
        for await (const line of rl) {
          const text = line.trim();
          if (text === 'exit' || text === 'quit') break;
          const decision = chatDecision(text);
          if (decision !== null) {
            // Only what the approvals and guardrails said: never "approved" unless it is.
            try {
              ctx.stdout.write(
                `${await decideOne(program, ctx, decision.decision, decision.id)}\n`,
              );
            } catch (err) {
              if (!(err instanceof UsageError)) throw err;
              ctx.stdout.write(`${t('cli.error.prefix', { message: err.message })}\n`);
            }
          } else if (text !== '') {
            const reply = await analyst.ask({
              conversation: `cli:${user}`,
              text,
              lang,
              channel: 'cli',
              identity: user,
              llmOffNote: false,
            });
            ctx.stdout.write(`${reply.text}\n`);
          }
          prompt();
        }
      } finally {
        rl.close();
        await close();
        await telemetry.shutdown();
      }
      ctx.stdout.write('\n');
    });
}
