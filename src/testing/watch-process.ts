/** `sheriff watch` as a real child process, for tests that kill, signal and read it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, REPO_ROOT } from './paths.js';

export type WatchProcess = ChildProcess & {
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
};

/**
 * Starts `sheriff --config CONFIG watch [...args]`; the caller kills it (see `exited`).
 * `asInstalled`: through bin/sheriff, with the Node.js and the V8 flags it gives the daemon.
 */
export function startWatch(
  config: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  asInstalled = false,
): WatchProcess {
  const command = ['--config', config, 'watch', ...args];
  const [file, argv] = asInstalled
    ? [join(REPO_ROOT, 'bin', 'sheriff'), command]
    : [process.execPath, [CLI, ...command]];
  const child = spawn(file, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SHERIFF_LANG: 'en', ...env },
  });
  let text = '';
  child.stdout.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr.on('data', (b: Buffer) => (text += b.toString()));
  return Object.assign(child, { output: () => text });
}

/** Its exit status (null when a signal ended it), once it has exited. */
export const exited = (c: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    c.exitCode !== null || c.signalCode !== null ? resolve(c.exitCode) : c.once('exit', resolve),
  );

/**
 * A configuration for `sheriff watch` with the defaults (the console on), reading an
 * empty log, with everything in `dir` (`name`.yaml, `name`.db, `name`.log); its path.
 */
export async function idleWatchConfig(dir: string, name: string): Promise<string> {
  const log = join(dir, `${name}.log`);
  await writeFile(log, '');
  const config = join(dir, `${name}.yaml`);
  await writeFile(
    config,
    [
      `sources: [{ type: file, path: ${JSON.stringify(log)} }]`,
      `store: { path: ${JSON.stringify(join(dir, `${name}.db`))} }`,
      'log: { level: info, format: json }',
      'response: { firewall: dry-run }',
      'web: { port: 0 }', // on, as by default
      '',
    ].join('\n'),
  );
  return config;
}
