/**
 * Runs firewall programs: `execFile` with an argument array (never a shell), optional stdin
 * (`nft -f -`, `ipset restore`), a timeout, the C locale (ufw translates its output), and a
 * FirewallError naming the command and its stderr on failure. A `prefix` (or `netns`) puts
 * every command inside a network namespace, which is how the tests and the e2e run.
 */
import { execFile } from 'node:child_process';
import { FirewallError } from './firewall.js';

/** Program paths a backend runs; each may be replaced (tests, unusual installs). */
export interface Programs {
  nft: string;
  iptables: string;
  ip6tables: string;
  ipset: string;
  ufw: string;
  ss: string;
  ip: string;
}

export const DEFAULT_PROGRAMS: Readonly<Programs> = {
  nft: 'nft',
  iptables: 'iptables',
  ip6tables: 'ip6tables',
  ipset: 'ipset',
  ufw: 'ufw',
  ss: 'ss',
  ip: 'ip',
};

export function programs(overrides?: Partial<Programs>): Programs {
  return { ...DEFAULT_PROGRAMS, ...overrides };
}

export interface ExecOptions {
  /** Prepended to every command, e.g. `['ip', 'netns', 'exec', 'sheriff-test']`. */
  prefix?: readonly string[];
  /** Shorthand for the prefix `ip netns exec <netns>` (after `prefix`, when both are given). */
  netns?: string;
  /** The `ip` program for `netns`. */
  ipPath?: string;
  /** Default time limit per command (ms). */
  timeoutMs?: number;
  /** Largest stdout/stderr kept (bytes); a 100,000-element listing is ~10 MB. */
  maxBuffer?: number;
}

export interface RunOptions {
  /** Written to the program's stdin (then closed); without it stdin is closed at once. */
  input?: string;
  timeoutMs?: number;
  /** Exit codes that resolve instead of rejecting (e.g. 1 for `iptables -C` "no such rule"). */
  allowExit?: readonly number[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** What a backend calls; tests wrap it to count or record commands. */
export interface Runner {
  run(program: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BUFFER = 512 * 2 ** 20;
const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/;

/** The first lines of a program's stderr, for an error message (the whole text stays on the error). */
export function brief(text: string, max = 400): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export function createRunner(backend: string, options: ExecOptions = {}): Runner {
  const prefix = [...(options.prefix ?? [])];
  if (options.netns !== undefined) {
    if (!NETNS_NAME.test(options.netns))
      throw new FirewallError(backend, `invalid network namespace name "${options.netns}"`);
    prefix.push(options.ipPath ?? DEFAULT_PROGRAMS.ip, 'netns', 'exec', options.netns);
  }
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  return {
    run(program, args, runOptions = {}) {
      const argv = [...prefix, program, ...args];
      return execArgv(backend, argv, {
        input: runOptions.input,
        timeoutMs: runOptions.timeoutMs ?? defaultTimeout,
        allowExit: runOptions.allowExit ?? [],
        maxBuffer,
      });
    },
  };
}

interface ExecArgvOptions {
  input: string | undefined;
  timeoutMs: number;
  allowExit: readonly number[];
  maxBuffer: number;
}

function execArgv(backend: string, argv: string[], o: ExecArgvOptions): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new FirewallError(backend, 'empty command'));
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        encoding: 'utf8',
        timeout: o.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: o.maxBuffer,
        windowsHide: true,
        // ufw and ip translate their messages; the parsers read the C locale.
        env: { ...process.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: 'C' },
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const code = typeof error.code === 'number' ? error.code : null;
        if (code !== null && !error.killed && o.allowExit.includes(code)) {
          resolve({ stdout, stderr, code });
          return;
        }
        let why: string;
        if (error.code === 'ENOENT') why = `${file} not found (is it installed and in PATH?)`;
        else if (error.code === 'EACCES') why = `${file} is not executable`;
        else if (error.killed || error.signal !== null)
          why = `timed out or was killed after ${o.timeoutMs} ms (${error.signal ?? 'signal'})`;
        else if (code !== null) why = `exited with status ${code}`;
        else why = error.message;
        const detail = brief(stderr);
        reject(
          new FirewallError(
            backend,
            `${argv.join(' ')}: ${why}${detail ? `: ${detail}` : ''}`,
            argv,
            stderr,
          ),
        );
      },
    );
    // A program that exits before reading its input closes the pipe: not our error, its status says.
    child.stdin?.on('error', () => {});
    child.stdin?.end(o.input);
  });
}
