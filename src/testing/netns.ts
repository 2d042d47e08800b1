/**
 * Throwaway network namespaces for the firewall tests and the benchmark: every nft, iptables,
 * ipset and ufw command they run goes into a namespace created here (never the machine's own),
 * named uniquely per run, and deleted by the caller in a `finally`/`after`.
 * Not used by the daemon.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hasProgram } from '../respond/firewall/choose-backend.js';
import { HANG_GUARD_MS } from './wait.js';

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv (no shell); resolves with the exit code, never rejects for a non-zero one. A hang is killed. */
export function sh(
  argv: readonly string[],
  input?: string,
  timeoutMs = HANG_GUARD_MS,
): Promise<Result> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    const child = execFile(
      file!,
      args,
      {
        encoding: 'utf8',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 512 * 2 ** 20,
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      },
      (error, stdout, stderr) => {
        const code =
          error === null
            ? 0
            : typeof error.code === 'number'
              ? error.code
              : error.killed
                ? 137
                : 127;
        resolve({ code, stdout, stderr: error !== null && code === 127 ? error.message : stderr });
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/** Runs argv and throws (with its stderr) unless it exits 0. */
export async function must(argv: readonly string[], input?: string): Promise<Result> {
  const r = await sh(argv, input);
  if (r.code !== 0)
    throw new Error(
      `${argv.join(' ')} exited with ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
    );
  return r;
}

const RUN = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
let serial = 0;

/** A name no other run uses: sheriff-fw-<pid+random>-<n>-<label>. */
export function uniqueName(label: string): string {
  return `sheriff-fw-${RUN}-${++serial}-${label}`;
}

/** Packages (Debian) providing the programs the firewall tests run. */
export const TEST_PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  ss: 'iproute2',
  nft: 'nftables',
  iptables: 'iptables',
  ip6tables: 'iptables',
  ipset: 'ipset',
  ufw: 'ufw',
  unshare: 'util-linux',
};

/**
 * Fails (never skips) with a clear message when the tests cannot create namespaces: they
 * need root and the programs above.
 */
export async function requireNamespaces(programs: readonly string[]): Promise<void> {
  const missing = programs.filter((p) => !hasProgram(p));
  if (missing.length > 0)
    throw new Error(
      `the firewall tests need ${missing.join(', ')} (Debian: apt-get install ${[
        ...new Set(missing.map((p) => TEST_PACKAGES[p] ?? p)),
      ].join(' ')})`,
    );
  if (process.getuid?.() !== 0)
    throw new Error('the firewall tests need root: they create network namespaces (ip netns add)');
  const r = await sh(['ip', 'netns', 'list']);
  if (r.code !== 0)
    throw new Error(`ip netns is not usable here (${r.stderr.trim()}): the firewall tests need it`);
}

export class Netns {
  private deleted = false;
  private constructor(readonly name: string) {}

  /** Creates a namespace with its loopback up. */
  static async create(label: string): Promise<Netns> {
    const ns = new Netns(uniqueName(label));
    await must(['ip', 'netns', 'add', ns.name]);
    try {
      await ns.must(['ip', 'link', 'set', 'lo', 'up']);
    } catch (err) {
      await ns.delete();
      throw err;
    }
    return ns;
  }

  /** The prefix that runs a program inside. */
  get prefix(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  run(argv: readonly string[], input?: string): Promise<Result> {
    return sh([...this.prefix, ...argv], input);
  }

  must(argv: readonly string[], input?: string): Promise<Result> {
    return must([...this.prefix, ...argv], input);
  }

  /** Deletes the namespace (its interfaces go with it). Safe to call twice. */
  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    await sh(['ip', 'netns', 'delete', this.name]);
  }
}

/**
 * Joins two namespaces with a veth pair created inside `a` (its peer goes straight into `b`),
 * so no interface ever appears in the machine's own namespace.
 */
export async function link(a: Netns, ifA: string, b: Netns, ifB: string): Promise<void> {
  await a.must(['ip', 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', b.name]);
  await a.must(['ip', 'link', 'set', ifA, 'up']);
  await b.must(['ip', 'link', 'set', ifB, 'up']);
}
