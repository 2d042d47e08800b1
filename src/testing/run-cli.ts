/** Runs the real `bin/sheriff` in a child process, as a user would. */
import { execFile } from 'node:child_process';
import { CLI } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: {
    input?: string | Buffer;
    env?: NodeJS.ProcessEnv;
    /** Run as this user (and group), with no supplementary groups: e.g. 65534, nobody. */
    uid?: number;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { ...process.env, SHERIFF_LANG: 'en', ...opts.env },
        maxBuffer: 256 * 1024 * 1024,
        ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(new Error(err.message));
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}
