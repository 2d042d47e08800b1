/** commander's help and errors: each default said once, required options marked, the reader's language. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { CLI } from '../testing/paths.js';
import { runCli } from '../testing/run-cli.js';

describe('help', () => {
  it('says each default once and marks required options', async () => {
    const replay = await runCli(['replay', '--help']);
    assert.equal(replay.stdout.split('sheriff.yaml').length - 1, 1, replay.stdout);
    assert.doesNotMatch(replay.stdout, /default: "/);
    assert.match(
      replay.stdout,
      /--jail <names> +jails to run, comma separated \(default: the enabled\s+jails of sheriff\.yaml\)/,
    );
    const ban = await runCli(['ban', '--help']);
    assert.match(ban.stdout, /--reason <text> +why, for the audit log \(required\)/);
    const ko = await runCli(['--lang', 'ko', 'ban', '--help']);
    assert.match(ko.stdout, /^사용법: sheriff ban/m);
    assert.match(ko.stdout, /\(필수\)/);
  });

  it('reports a usage error as sheriff does, with the suggestion', async () => {
    const r = await runCli(['status', '--jsn']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'sheriff: unknown option --jsn (did you mean --json?)\n');
  });

  it('stops quietly when its reader closes the pipe (sheriff --help | head -1)', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // Like head after its lines, before Sheriff has written: the write meets a closed pipe.
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });
});
