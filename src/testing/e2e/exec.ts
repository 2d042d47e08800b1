/** Runs a program with an argument list (never a shell) and collects its output. */
import { execFile } from 'node:child_process';
import { HANG_GUARD_MS } from '../wait.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number; allowFailure?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      args[0]!,
      args.slice(1),
      { timeout: opts.timeoutMs ?? HANG_GUARD_MS, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        if (err !== null && !opts.allowFailure)
          return reject(new Error(`${args.join(' ')} failed (${err.message}): ${stderr.trim()}`));
        resolve({ code, stdout, stderr });
      },
    );
    // A program that does not read its input may exit first: that is not an error.
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  });
}
