/** `sheriff watch` as a real child process, for tests that kill, signal and read it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './paths.js';

export type WatchProcess = ChildProcess & {
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
};

/** Starts `sheriff --config CONFIG watch [...args]`; the caller kills it (see `exited`). */
export function startWatch(
  config: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): WatchProcess {
  const child = spawn(process.execPath, [CLI, '--config', config, 'watch', ...args], {
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
