/**
 * The test's side of the sandbox (sandbox.ts): starts it under
 * `unshare --mount`, sends commands, and tears it down (which also removes
 * every network namespace and veth it made).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../paths.js';
import { HANG_GUARD_MS } from '../wait.js';
import type { SandboxReply, SandboxRequest } from './sandbox.js';

type Request = SandboxRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

export class Sandbox {
  private next = 1;
  private readonly waiting = new Map<number, (r: SandboxReply) => void>();

  private constructor(
    readonly work: string,
    private readonly child: ChildProcess,
  ) {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      const reply = JSON.parse(text) as SandboxReply;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  static async start(): Promise<Sandbox> {
    const work = await mkdtemp(join(tmpdir(), 'sheriff-e2e-'));
    const child = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        process.execPath,
        join(REPO_ROOT, 'dist', 'testing', 'e2e', 'sandbox.js'),
        work,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const box = new Sandbox(work, child);
    // The first round trip proves the private /dev and rsyslogd are up.
    await box.run(['true']);
    return box;
  }

  private send(req: Request, timeoutMs = HANG_GUARD_MS): Promise<SandboxReply> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`sandbox: no answer to ${JSON.stringify(req)}`)),
        timeoutMs,
      );
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        if (r.ok) resolve(r);
        else reject(new Error(`sandbox: ${r.error}`));
      });
      this.child.stdin!.write(JSON.stringify({ ...req, id }) + '\n');
    });
  }

  /** Runs a program to its end; a non-zero exit is returned, not thrown. */
  async run(args: string[], opts: { input?: string; timeoutMs?: number } = {}) {
    const r = await this.send(
      { op: 'run', args, ...opts },
      (opts.timeoutMs ?? HANG_GUARD_MS) + 5000,
    );
    return { code: r.code ?? null, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Runs `args` and throws with its output when it fails. */
  async must(args: string[], opts: { input?: string } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async start(name: string, args: string[], env?: Record<string, string>): Promise<void> {
    await this.send({ op: 'start', name, args, env });
  }

  async stop(name: string, signal?: NodeJS.Signals): Promise<number | null> {
    return (await this.send({ op: 'stop', name, signal })).code ?? null;
  }

  /** Ends the sandbox: its processes, mounts and network namespaces go with it. */
  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.stdin!.end();
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    }
    // SHERIFF_KEEP_E2E=1 keeps logs and stores for a person to read after a failure.
    if (process.env.SHERIFF_KEEP_E2E)
      process.stderr.write(`e2e work directory kept: ${this.work}\n`);
    else await rm(this.work, { recursive: true, force: true });
  }
}
