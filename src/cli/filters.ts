/**
 * `sheriff filters [--json]`: the filters in force (built-in, the admin's, and
 * imported from fail2ban), with their modes and sample counts. The only command
 * that reads every filter file; the others read those their jails use.
 */
import type { Command } from 'commander';
import type { CliContext } from './common.js';

export function registerFilters(program: Command, ctx: CliContext): void {
  const { t } = ctx;
  program
    .command('filters')
    .description(t('filters.description'))
    .option('--json', t('filters.opt.json'))
    .action(async (opts: { json?: boolean }) => {
      // Loaded when the command runs: startup loads no package but commander.
      const [{ loadConfig }, { BUILTIN_FILTER_DIR, FilterRegistry }] = await Promise.all([
        import('../app/load-config.js'),
        import('../filters/registry.js'),
      ]);
      const { config } = await loadConfig(program.opts<{ config?: string }>().config);
      // Every filter's samples are counted: each file read once, samples and all.
      const filters = new FilterRegistry(config.filters.dir, BUILTIN_FILTER_DIR, false);
      const rows = filters.all().map((f) => ({
        name: f.spec.name,
        origin: f.origin,
        path: f.path,
        modes: f.spec.modes,
        defaultMode: f.spec.defaultMode,
        samples: f.samples.length,
        description: f.spec.description,
      }));
      if (opts.json) {
        ctx.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      const table = [
        t('filters.header').split('\t'),
        ...rows.map((r) => [
          r.name,
          t(`filters.origin.${r.origin}`),
          r.modes.join(','),
          String(r.samples),
          r.description,
        ]),
      ];
      const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => width(row[i]!))));
      const lines = table.map((row) =>
        row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i]!))).join('  '),
      );
      for (const o of filters.overrides()) lines.push(t('filters.overrides', o));
      ctx.stdout.write(lines.join('\n') + '\n');
    });
}

/** Columns a cell takes on a terminal: Korean syllables take two. */
function width(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/.test(ch) ? 2 : 1;
  return w;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}
