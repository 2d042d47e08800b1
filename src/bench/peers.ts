/**
 * The programs the benchmark runs, how to find them and their versions, and a
 * timed runner. Every program is started with an argument array, never a shell.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';

export interface Command {
  file: string;
  args: string[];
  /** A file fed to standard input (`prog < FILE`). */
  stdin?: string;
}

export interface Tool {
  id: string;
  label: string;
  /** Null when the program is not installed: the reason. */
  missing: string | null;
  version: string;
  command(input: string): Command;
  /** What the program found, read from its output (for the reader to see it did the work). */
  found(output: string): string;
}

export const FIXED_NOW = '2024-12-01T00:00:00Z';
const GNU_TIME = '/usr/bin/time';
const F2B_SSHD = '/etc/fail2ban/filter.d/sshd.conf';

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
const isExecutable = (path: string) => canAccess(path, constants.X_OK);
const isReadable = (path: string) => canAccess(path, constants.R_OK);

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir !== '' && isExecutable(p)) return p;
  }
  return null;
}

/** Standard output of a program, or null if it fails or is missing. */
function capture(file: string, args: string[]): Promise<string | null> {
  return new Promise((done) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) =>
      done(err ? null : (stdout || stderr).trim()),
    );
  });
}

const dpkgVersion = (pkg: string) => capture('dpkg-query', ['-W', '-f=${Version}', pkg]);
const thousands = (n: number) => n.toLocaleString('en-US');

export interface ToolOptions {
  /** The regex floor's plan (regex-floor.ts, `writeRegexPlan`); without it that tool is missing. */
  regexPlan?: string;
}

export async function findTools(root: string, options: ToolOptions = {}): Promise<Tool[]> {
  const sheriff = resolve(root, 'bin/sheriff');
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  const rev = await capture('git', ['-C', root, 'describe', '--always', '--dirty']);
  const sheriffVersion = `sheriff ${pkg.version}${rev ? ` (${rev})` : ''}, node ${process.version}`;

  const f2b = onPath('fail2ban-regex');
  let f2bVersion = '';
  if (f2b !== null) {
    const shebang = /^#!\s*(\S+)/.exec(readFileSync(f2b, 'utf8').split('\n', 1)[0] ?? '')?.[1];
    const python = shebang ? await capture(shebang, ['--version']) : null;
    const own = await capture(f2b, ['--version']);
    const deb = await dpkgVersion('fail2ban');
    f2bVersion = [own, deb && `Debian ${deb}`, python].filter(Boolean).join(', ');
  }

  const listed = (await capture('dpkg', ['-L', 'sshguard']))
    ?.split('\n')
    .find((l) => l.endsWith('/sshg-parser'));
  const sshg = [listed, '/usr/libexec/sshguard/sshg-parser', '/usr/lib/sshguard/sshg-parser'].find(
    (p): p is string => p !== undefined && isExecutable(p),
  );
  const sshgDeb = await dpkgVersion('sshguard');

  const fixed = ['--now', FIXED_NOW, '--timezone', 'UTC'];
  return [
    {
      id: 'sheriff-test-filter',
      label: 'sheriff test-filter --filter sshd',
      missing: null,
      version: sheriffVersion,
      command: (input) => ({
        file: sheriff,
        args: ['test-filter', input, '--filter', 'sshd', ...fixed],
      }),
      found: (out) => {
        const m = /Results: (\d+) failures/.exec(out);
        return m ? `${thousands(Number(m[1]))} failures` : '?';
      },
    },
    {
      id: 'sheriff-replay',
      label: 'sheriff replay --json',
      missing: null,
      version: sheriffVersion,
      command: (input) => ({ file: sheriff, args: ['replay', input, '--json', ...fixed] }),
      found: (out) => {
        const last = out.trimEnd().split('\n').pop() ?? '';
        try {
          const s = JSON.parse(last) as {
            events: { fail: number };
            findings: Record<string, number>;
          };
          const findings = Object.values(s.findings).reduce((a, b) => a + b, 0);
          return `${thousands(s.events.fail)} failures, ${thousands(findings)} findings`;
        } catch {
          return '?';
        }
      },
    },
    {
      id: 'fail2ban-regex',
      label: 'fail2ban-regex (filter.d/sshd.conf)',
      missing:
        f2b === null
          ? 'not installed (apt-get install fail2ban)'
          : isReadable(F2B_SSHD)
            ? null
            : `not installed (${F2B_SSHD} missing)`,
      version: f2bVersion,
      command: (input) => ({ file: f2b ?? 'fail2ban-regex', args: [input, F2B_SSHD] }),
      found: (out) => {
        const m = /Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed/.exec(out);
        return m ? `${thousands(Number(m[3]))} matched, ${thousands(Number(m[4]))} missed` : '?';
      },
    },
    {
      id: 'sshg-parser',
      label: 'sshg-parser < FILE',
      missing: sshg === undefined ? 'not installed (apt-get install sshguard)' : null,
      version: `sshguard ${sshgDeb ? `Debian ${sshgDeb}` : '(version unknown)'}${sshg ? `, ${sshg}` : ''}`,
      command: (input) => ({ file: sshg ?? 'sshg-parser', args: [], stdin: input }),
      found: (out) => `${thousands(out.split('\n').filter((l) => l !== '').length)} attacks`,
    },
    {
      id: 'floor',
      label: 'floor (Node: read + split lines)',
      missing: null,
      version: `node ${process.version}`,
      command: (input) => ({
        file: process.execPath,
        args: [resolve(root, 'dist/bench/floor.js'), input],
      }),
      found: (out) => `${thousands(parseInt(out, 10))} lines`,
    },
    {
      id: 'regex-floor',
      label: 'regex floor (the floor + the sshd rules’ regexes)',
      missing: options.regexPlan === undefined ? 'no regex plan written' : null,
      version: `node ${process.version}`,
      command: (input) => ({
        file: process.execPath,
        args: [resolve(root, 'dist/bench/regex-floor.js'), options.regexPlan ?? '', input],
      }),
      found: (out) => {
        const m = /(\d+) matched/.exec(out);
        return m ? `${thousands(Number(m[1]))} matched` : '?';
      },
    },
  ];
}

export interface RunResult {
  seconds: number;
  /** Peak resident set size in bytes, or null when it could not be read. */
  peakRss: number | null;
  exitCode: number | null;
  timedOut: boolean;
  stderr: string;
}

/** A run that takes longer than this is killed and reported as timed out. */
export const RUN_TIMEOUT_S = 1200;

export const RSS_METHOD = isExecutable(GNU_TIME)
  ? 'GNU time -f %M (the child’s ru_maxrss)'
  : 'VmHWM from /proc/<pid>/status, polled every 10 ms';

/**
 * Runs `cmd` once with its standard output going to `stdoutPath` and times it from
 * spawn to exit (start-up included, as a user would see it). Wrapped in GNU time
 * when installed, for the peak RSS.
 */
export async function runTimed(
  cmd: Command,
  stdoutPath: string,
  scratch: string,
): Promise<RunResult> {
  const useTime = isExecutable(GNU_TIME);
  const rssFile = `${scratch}.rss`;
  const [file, args] = useTime
    ? [GNU_TIME, ['-f', '%M', '-o', rssFile, cmd.file, ...cmd.args]]
    : [cmd.file, cmd.args];
  const stdin = cmd.stdin === undefined ? 'ignore' : openSync(cmd.stdin, 'r');
  const stdout = openSync(stdoutPath, 'w');
  let hwmKb = 0;
  const started = process.hrtime.bigint();
  const child = spawn(file, args, {
    stdio: [stdin, stdout, 'pipe'],
    env: { ...process.env, SHERIFF_LANG: 'en', LC_ALL: 'C.UTF-8' },
    detached: true, // its own process group, so a timeout ends GNU time and the tool alike
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, RUN_TIMEOUT_S * 1000);
  const poll = useTime
    ? null
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
        } catch {
          // exited between two polls
        }
      }, 10);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 10_000) stderr += s;
  });
  const exitCode = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done(code));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  if (typeof stdin === 'number') closeSync(stdin);
  closeSync(stdout);
  let peakKb: number | null = hwmKb > 0 ? hwmKb : null;
  if (useTime) {
    // GNU time writes "Command exited with non-zero status N" first when it did.
    const text = await readFile(rssFile, 'utf8').catch(() => '');
    const last = text.trim().split('\n').pop();
    peakKb = last && /^\d+$/.test(last) ? Number(last) : null;
    await rm(rssFile, { force: true });
  }
  const peakRss = peakKb === null ? null : peakKb * 1024;
  return { seconds, peakRss, exitCode, timedOut, stderr };
}
