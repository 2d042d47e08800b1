/**
 * `sheriff watch` with no source configured on a machine with nothing to read
 * (the detection pointed at a temporary tree with SHERIFF_PROBE_ROOT): it says
 * so loudly at start, keeps running, and `sheriff status` shows it.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../testing/run-cli.js';
import { waitFor } from '../testing/wait.js';
import { exited, startWatch, type WatchProcess } from '../testing/watch-process.js';

let dir: string;
const children: WatchProcess[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-nothing-'));
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A configuration without sources, and an empty tree to probe (with these files in it). */
async function setup(name: string, files: string[] = []) {
  const root = join(dir, `${name}-root`);
  await mkdir(root);
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
  const config = join(dir, `${name}.yaml`);
  await writeFile(
    config,
    `store: { path: ${join(dir, `${name}.db`)} }\nlog: { level: info, format: json }\nresponse: { firewall: dry-run }\nweb: { enabled: false }\n`,
  );
  return { root, config };
}

async function watchedStatus(config: string, root: string, lang: string, expected: RegExp) {
  const child = startWatch(config, [], { SHERIFF_PROBE_ROOT: root, SHERIFF_LANG: lang });
  children.push(child);
  const status = await waitFor('status from the running daemon', async () => {
    const r = await runCli(['--config', config, 'status'], { env: { SHERIFF_LANG: lang } });
    return expected.test(r.stdout) && r.stdout;
  });
  return { child, status };
}

describe('sheriff watch with nothing to read', () => {
  it('names what it looked for at start, keeps running, and status says NOTHING IS READ', async () => {
    const { root, config } = await setup('none');
    const { child, status } = await watchedStatus(config, root, 'en', /NOTHING IS READ/);
    const start = child.output();
    assert.match(start, /"event":"no_source","code":"none-found"/);
    for (const looked of ['/var/log/auth.log', '/var/log/secure', '/run/systemd/journal/socket'])
      assert.ok(start.includes(looked), `the warning names ${looked}`);
    assert.match(start, /sources:\\n {2}- type: file/);
    assert.match(status, /^Sheriff is running/m);
    assert.match(status, /^Sources: NOTHING IS READ/m);
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
  });

  it('an empty journal: reads it, but says it holds no sshd line, in Korean too', async () => {
    const { root, config } = await setup('journal', ['run/systemd/journal/socket']);
    const { child, status } = await watchedStatus(
      config,
      root,
      'ko',
      /저널에 sshd 기록이 없었습니다/,
    );
    assert.match(child.output(), /"code":"journal-empty","msg":"저널에 sshd 기록이 없습니다/);
    assert.match(status, /^ {2}journald: /m);
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
  });
});
