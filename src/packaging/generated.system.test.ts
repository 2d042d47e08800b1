/**
 * The man page and the completions are written from the CLI's own commander
 * program: they must name every command and option, and be valid roff, bash
 * and zsh (checked by the real programs).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bashCompletion, levels, zshCompletion } from './completions.js';
import { documentedProgram } from './main.js';
import { manualPage, roffText } from './manual.js';

const run = promisify(execFile);
const program = await documentedProgram();

describe('man page', () => {
  const page = manualPage(program, '9.8.7');

  it('is roff that groff reads without a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sheriff-man-'));
    try {
      await writeFile(join(dir, 'sheriff.1'), page);
      const { stdout, stderr } = await run(
        'groff',
        ['-man', '-Tutf8', '-ww', join(dir, 'sheriff.1')],
        {
          env: { ...process.env, MANWIDTH: '200' },
        },
      );
      assert.equal(stderr, '');
      const text = stdout.replace(/.\x08/g, '');
      assert.match(text, /sheriff 9\.8\.7/);
      assert.match(text, /sheriff config check/);
      assert.match(text, /--web-port <port>/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has a section for every command, nested ones included (not `help`)', () => {
    for (const level of levels(program)
      .slice(1)
      .filter((l) => !l.path.endsWith(' help')))
      assert.ok(page.includes(`.SS "${roffText(level.path)}`), level.path);
  });

  it('keeps roff requests and escapes out of the text it quotes', () => {
    assert.equal(roffText('.TH x\n\\fB-a'), '\\&.TH x\n\\efB\\-a');
    assert.equal(roffText('정상 …'), '\\[uC815]\\[uC0C1] \\[u2026]');
  });
});

describe('shell completions', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sheriff-completion-'));
    await writeFile(join(dir, 'sheriff.bash'), bashCompletion(program));
    await writeFile(join(dir, '_sheriff'), zshCompletion(program));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** What bash offers after the typed words (the last one is being completed). */
  async function bash(...typed: string[]): Promise<string[]> {
    const script = `source "$1"; shift; COMP_WORDS=(sheriff "$@"); COMP_CWORD=$#; _sheriff; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await run('bash', [
      '-c',
      script,
      'bash',
      join(dir, 'sheriff.bash'),
      ...typed,
    ]);
    return stdout.split('\n').filter(Boolean);
  }

  it('bash: commands, nested commands and their options', async () => {
    assert.deepEqual(await bash('con'), ['config']);
    assert.deepEqual(await bash('config', ''), ['check', 'print', 'help', '--help', '-h']);
    assert.deepEqual(await bash('demo', '--sp'), ['--speed']);
  });

  it("bash: an option's value is not taken for a command, and is left to file completion", async () => {
    assert.deepEqual(await bash('--config', 'demo', 'con'), ['config']);
    assert.deepEqual(await bash('--config', ''), []);
  });

  it('zsh: parses, and offers the same words with their descriptions', async () => {
    // scripts/test.sh installs zsh: a missing one fails here instead of being skipped.
    const file = join(dir, '_sheriff');
    await run('zsh', ['-n', file]);
    // _describe and compdef stand in for zsh's completion system: they print what would be offered.
    const script = `compdef() { :; }; _files() { print FILES; }
      _describe() { print -l -- "\${(@P)\${@[-1]}}"; }
      source "$1"; shift; words=(sheriff "$@"); CURRENT=$(( $# + 1 )); _sheriff`;
    const offered = async (...typed: string[]) =>
      (await run('zsh', ['-c', script, 'zsh', file, ...typed])).stdout.split('\n').filter(Boolean);
    const config = await offered('config', '');
    assert.ok(
      config.some((l) => l.startsWith('check:Validate the configuration')),
      config.join('\n'),
    );
    assert.ok(
      (await offered('demo', '')).includes(
        '--keep:' +
          program.commands
            .find((c) => c.name() === 'demo')!
            .options.find((o) => o.long === '--keep')!.description,
      ),
    );
    assert.deepEqual(await offered('--config', ''), ['FILES']);
  });
});
