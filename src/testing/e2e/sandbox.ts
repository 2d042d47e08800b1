/**
 * The end-to-end sandbox. Run as `unshare --mount --propagation private node
 * sandbox.js WORKDIR`: inside its own mount namespace it puts a private /dev
 * (so /dev/log is a socket of its own rsyslogd, never the machine's), starts
 * rsyslogd writing the auth facility to WORKDIR/auth.log, and then runs the
 * commands the test sends on stdin (one JSON object per line), answering on
 * stdout (the facilities local0–local7 go to WORKDIR/local<N>.log, one log per
 * server when several run). Network namespaces it creates live only in this mount namespace and
 * vanish with it, so a crashed test leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { run } from './exec.js';

export type SandboxRequest =
  | { id: number; op: 'run'; args: string[]; input?: string; timeoutMs?: number }
  | { id: number; op: 'start'; name: string; args: string[]; env?: Record<string, string> }
  | { id: number; op: 'stop'; name: string; signal?: NodeJS.Signals };

export interface SandboxReply {
  id: number;
  ok: boolean;
  code?: number | null;
  stdout?: string;
  stderr?: string;
  error?: string;
}

async function privateDev(work: string): Promise<void> {
  const old = join(work, 'host-dev');
  mkdirSync(old, { recursive: true });
  await run(['mount', '--bind', '/dev', old]);
  await run(['mount', '-t', 'tmpfs', '-o', 'mode=755', 'sheriff-dev', '/dev']);
  for (const node of ['null', 'zero', 'urandom', 'random', 'tty']) {
    writeFileSync(join('/dev', node), '');
    await run(['mount', '--bind', join(old, node), join('/dev', node)]);
  }
  // A devpts of its own, for sshpass's pseudo terminal.
  mkdirSync('/dev/pts');
  await run([
    'mount',
    '-t',
    'devpts',
    '-o',
    'newinstance,ptmxmode=0666,mode=620',
    'sheriff-pts',
    '/dev/pts',
  ]);
  symlinkSync('pts/ptmx', '/dev/ptmx');
  mkdirSync('/dev/shm');
  await run(['mount', '-t', 'tmpfs', 'sheriff-shm', '/dev/shm']);
  // A private /run too: `ip netns` keeps its namespaces there and sshd its privilege-separation dir.
  await run(['mount', '-t', 'tmpfs', '-o', 'mode=755', 'sheriff-run', '/run']);
  mkdirSync('/run/sshd', { mode: 0o755 });
}

function rsyslog(work: string): ChildProcess {
  const spool = join(work, 'rsyslog');
  mkdirSync(spool, { recursive: true });
  const conf = join(work, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${spool}")`,
      'module(load="imuxsock" SysSock.Name="/dev/log")',
      `auth,authpriv.* action(type="omfile" file="${join(work, 'auth.log')}" template="RSYSLOG_FileFormat")`,
      // One log per server for the fleet scenario: each sshd logs to its own local facility.
      ...[0, 1, 2, 3, 4, 5, 6, 7].map(
        (n) =>
          `local${n}.* action(type="omfile" file="${join(work, `local${n}.log`)}" template="RSYSLOG_FileFormat")`,
      ),
      '',
    ].join('\n'),
  );
  return spawn('rsyslogd', ['-n', '-f', conf, '-i', join(work, 'rsyslogd.pid')], {
    stdio: ['ignore', output(work, 'rsyslogd'), output(work, 'rsyslogd')],
  });
}

/** Children write to WORKDIR/<name>.out: this process's stdout is the reply channel. */
function output(work: string, name: string): number {
  return openSync(join(work, `${name}.out`), 'a');
}

async function main(): Promise<void> {
  const work = process.argv[2];
  if (work === undefined) throw new Error('usage: sandbox.js WORKDIR');
  await privateDev(work);
  const children = new Map<string, ChildProcess>([['rsyslogd', rsyslog(work)]]);
  const reply = (r: SandboxReply) => process.stdout.write(JSON.stringify(r) + '\n');
  const shutdown = () => {
    for (const c of children.values()) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.on('exit', shutdown);
  for await (const text of createInterface({ input: process.stdin })) {
    const req = JSON.parse(text) as SandboxRequest;
    try {
      if (req.op === 'run') {
        const r = await run(req.args, {
          input: req.input,
          timeoutMs: req.timeoutMs,
          allowFailure: true,
        });
        reply({ id: req.id, ok: true, ...r });
      } else if (req.op === 'start') {
        const child = spawn(req.args[0]!, req.args.slice(1), {
          stdio: ['ignore', output(work, req.name), output(work, req.name)],
          env: { ...process.env, ...req.env },
        });
        children.set(req.name, child);
        reply({ id: req.id, ok: true });
      } else {
        const child = children.get(req.name);
        if (child && child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill(req.signal ?? 'SIGTERM');
          await exited;
        }
        reply({ id: req.id, ok: true, code: child?.exitCode ?? null });
      }
    } catch (err) {
      reply({ id: req.id, ok: false, error: (err as Error).message });
    }
  }
  shutdown();
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${(err as Error).message}\n`);
  process.exit(1);
});
