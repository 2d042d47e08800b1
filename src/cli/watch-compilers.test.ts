/**
 * Which of V8's optimising compilers an idle `sheriff watch` brings in. Once one
 * has compiled anything its code and memory stay in the process for good (some
 * 5 MiB for TurboFan, 3 for Maglev: src/bench/idle.ts measures), so a daemon
 * that has only started, with nothing to read, must not have used either:
 * bin/sheriff's flags for watch and start-up code without long JavaScript loops
 * see to it. Structure only: V8's own trace says what it compiled.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../testing/paths.js';
import { waitFor } from '../testing/wait.js';
import { exited, idleWatchConfig, startWatch } from '../testing/watch-process.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sheriff-compilers-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * What the shipped daemon runs is the bundle (bin/launch.js takes it unless tsc's output is
 * newer): tsc's hundreds of modules take so much more resolving that Node's path code
 * reaches even the daemon's raised TurboFan threshold.
 */
const mtime = (path: string) => statSync(join(REPO_ROOT, path), { throwIfNoEntry: false })?.mtimeMs;
const bundled = (mtime('dist/bundle/run.js') ?? -1) >= (mtime('dist/cli/run.js') ?? -1);

/** V8's lines when it decides to optimise a function, or starts to (on-stack replacement too). */
const OPTIMISING = /^\[(marking|compiling method|OSR - compilation started)\b.*$/gm;

describe('an idle sheriff watch', () => {
  it(
    'has compiled nothing with Maglev or TurboFan once it reads and its console listens',
    {
      skip: bundled ? false : 'tsc output newer than the bundle: run `npm run build`',
    },
    async () => {
      const config = await idleWatchConfig(dir, 'idle');
      // V8 traces what it optimises from the first module on; bin/sheriff adds watch's flags.
      const hook = join(dir, 'trace-opt.mjs');
      await writeFile(
        hook,
        "process.getBuiltinModule('node:v8').setFlagsFromString('--trace-opt');\n",
      );
      const child = startWatch(
        config,
        [],
        { NODE_OPTIONS: `--import ${pathToFileURL(hook).href}` },
        true,
      );
      try {
        await waitFor(
          'the daemon reading and its console listening',
          () => /"source_ready"/.test(child.output()) && /"web_listening"/.test(child.output()),
        );
        assert.deepEqual(child.output().match(OPTIMISING) ?? [], []);
      } finally {
        child.kill('SIGTERM');
        await exited(child);
      }
    },
  );
});
