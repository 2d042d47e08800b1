/**
 * `sheriff demo [--speed N] [--keep]`: the real daemon, in a temporary
 * directory, against a log that a scripted attack writes in real time. Nothing
 * outside that directory is read or changed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEMO_JAIL } from '../demo/scenario.js';
import { simulate } from '../demo/simulate.js';
import { ConsoleNotifier } from '../notify/console.js';
import { TimeZone } from '../parse/zone.js';
import { parseCount, type CliContext } from './common.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('demo')
    .description(t('demo.description'))
    .option('--speed <n>', t('demo.opt.speed'), '1')
    .option('--keep', t('demo.opt.keep'))
    .action(async (opts: { speed: string; keep?: boolean }) => {
      const speed = parseCount('--speed', opts.speed, 1, t) ?? 1;
      // yaml is CommonJS: its exports are the default's (the bundle gives only that).
      const { stringify } = (await import('yaml')).default;
      const { loadConfig } = await import('../app/load-config.js');
      const { Daemon } = await import('../app/daemon.js');
      const { createLogger } = await import('../log.js');
      const dir = await mkdtemp(join(tmpdir(), 'sheriff-demo-'));
      const log = join(dir, 'auth.log');
      const configPath = join(dir, 'sheriff.yaml');
      await writeFile(log, '');
      await writeFile(
        configPath,
        stringify({
          store: { path: join(dir, 'sheriff.db') },
          sources: [{ type: 'file', path: log, startAtBeginning: true, pollInterval: '200ms' }],
          jails: { sshd: { ...DEMO_JAIL, policy: 'auto', bantime: '10m' } },
          log: { level: 'error', format: 'json' },
        }),
      );
      const { config } = await loadConfig(configPath);
      const lang = program.opts<{ lang?: string }>().lang;
      if (lang === 'ko' || lang === 'en') config.language = lang;
      ctx.stdout.write(t('demo.intro', { dir, seconds: Math.ceil(60 / speed) }) + '\n\n');
      const logger = createLogger(config.log, ctx.stderr);
      const { DryRunFirewall } = await import('../respond/firewall/dry-run.js');
      const firewall = new DryRunFirewall({
        log: (action, entries) => {
          if (action === 'ban')
            for (const e of entries)
              ctx.stdout.write(t('demo.dryRunBan', { target: e.target.cidr }) + '\n');
        },
      });
      const daemon = Daemon.start({
        config,
        firewall,
        logger,
        t,
        notifiers: [new ConsoleNotifier(ctx.stdout, t)],
        sources: config.sources,
      });
      const abort = new AbortController();
      const interrupt = () => abort.abort();
      process.once('SIGINT', interrupt);
      try {
        await simulate({
          path: log,
          speed,
          start: Date.now(),
          zone: TimeZone.local(),
          signal: abort.signal,
        });
        // Let the last lines reach the detector.
        await new Promise((r) => setTimeout(r, 1000));
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      } finally {
        process.removeListener('SIGINT', interrupt);
        await daemon.stop();
        if (!opts.keep) await rm(dir, { recursive: true, force: true });
      }
      ctx.stdout.write(
        '\n' + t(opts.keep ? 'demo.kept' : 'demo.done', { dir, config: configPath }) + '\n',
      );
    });
}
