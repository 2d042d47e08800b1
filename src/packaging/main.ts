/**
 * Build-time only (not shipped): writes the man page and the shell
 * completions for the package, from the CLI's own commander program.
 *   node dist/packaging/main.js OUT_DIR  →  OUT_DIR/sheriff.1, sheriff.bash, _sheriff
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../cli/main.js';
import { translator } from '../i18n/index.js';
import { bashCompletion, zshCompletion } from './completions.js';
import { manualPage } from './manual.js';

export function documentedProgram(): Promise<Command> {
  return buildProgram({ t: translator('en'), stdout: process.stdout, stderr: process.stderr });
}

const out = process.argv[2];
if (out !== undefined) {
  const program = await documentedProgram();
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'sheriff.1'), manualPage(program, program.version() ?? ''));
  writeFileSync(join(out, 'sheriff.bash'), bashCompletion(program));
  writeFileSync(join(out, '_sheriff'), zshCompletion(program));
}
