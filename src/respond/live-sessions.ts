/**
 * Live login sessions: the addresses people are logged in from right now, so a
 * ban never cuts off the admin who is at the keyboard. Two sources:
 *
 * - `who --ips` (or plain `who` where --ips is unknown): the utmp sessions.
 *   The FROM column may be an address, a host name (not resolved: DNS answers
 *   are attacker-influenced, and the SSH connections below cover SSH logins),
 *   or an X display such as `:0`.
 * - `ss -tnH state established '( sport = :22 )'`: established TCP connections
 *   to the SSH port(s), whether or not a session was opened yet.
 *
 * Programs run with execFile and argument arrays (never a shell), a fixed PATH,
 * the C locale, a timeout, and no inherited environment (so no secrets).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Millis } from '../domain.js';
import { canonicalIp } from '../net/ip.js';

export interface LiveSession {
  /** Canonical address. */
  address: string;
  via: 'who' | 'ss';
  /** For messages: "alice on pts/0", "ssh connection 192.0.2.10:22". */
  detail: string;
  /** ss: the processes holding the connection (`ss -p`), to tell a login from an attempt. */
  pids?: number[];
}

/** Where Guardrails learns about live sessions. */
export interface SessionProbe {
  /** The live sessions at `now`. Rejects when nothing could be listed at all. */
  sessions(now: Millis): Promise<readonly LiveSession[]>;
}

/** Runs a program with arguments (no shell) and resolves with its standard output. */
export type Runner = (file: string, args: readonly string[]) => Promise<string>;

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The real runner: execFile, 3 s timeout, 1 MiB of output at most. */
export const execFileRunner: Runner = (file, args) =>
  new Promise((resolvePromise, reject) => {
    execFile(
      file,
      [...args],
      {
        encoding: 'utf8',
        timeout: 3000,
        maxBuffer: 1024 * 1024,
        env: { PATH: SAFE_PATH, LC_ALL: 'C' },
        windowsHide: true,
      },
      (err: Error | null, stdout: string, stderr: string) => {
        if (err === null) {
          resolvePromise(stdout);
          return;
        }
        // Keep the code (ENOENT, the exit status) and add what the program said.
        const detail = stderr.trim().split('\n')[0];
        if (detail) err.message = `${err.message.split('\n')[0]}: ${detail}`;
        reject(err);
      },
    );
  });

/**
 * Sessions in `who` or `who --ips` output. A line is
 * `NAME LINE TIME [FROM]` where FROM is `(host)`, `(host:display)`, `(:0)`, or —
 * with --ips — a bare address. Lines without an address are skipped.
 */
export function parseWho(output: string): LiveSession[] {
  const out: LiveSession[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    let from: string | undefined;
    if (line.endsWith(')')) {
      const open = line.lastIndexOf('(');
      if (open === -1) continue;
      from = line.slice(open + 1, -1).trim();
    } else {
      from = fields[fields.length - 1];
    }
    if (from === undefined || fields.length < 3) continue;
    const address = addressOfHost(from);
    if (address === null) continue;
    out.push({ address, via: 'who', detail: `${fields[0]} on ${fields[1]}` });
  }
  return out;
}

/** An address in a FROM field: "203.0.113.9", "2001:db8::5", "192.0.2.7:1.0" (an X display). */
function addressOfHost(host: string): string | null {
  const direct = canonicalIp(stripZone(host));
  if (direct !== null) return direct;
  const display = /^(.+):\d+(?:\.\d+)?$/.exec(host);
  if (display !== null) return canonicalIp(stripZone(display[1]!));
  return null;
}

/**
 * Peers in `ss -tnH` output (with or without the State column): each line is
 * `[STATE] RECV-Q SEND-Q LOCAL:PORT PEER:PORT [PROCESS]`; IPv6 endpoints are in
 * brackets, IPv4-mapped peers come back as IPv4.
 */
export function parseSs(output: string): LiveSession[] {
  const out: LiveSession[] = [];
  for (const raw of output.split('\n')) {
    const fields = raw.trim().split(/\s+/);
    const endpoints: string[] = [];
    for (const f of fields) {
      const address = endpointAddress(f);
      if (address !== null) endpoints.push(f);
      if (endpoints.length === 2) break;
    }
    if (endpoints.length < 2) continue;
    const address = endpointAddress(endpoints[1]!);
    if (address === null) continue;
    const pids = [...raw.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    const session: LiveSession = {
      address,
      via: 'ss',
      detail: `ssh connection to ${endpoints[0]!}`,
    };
    if (pids.length > 0) session.pids = pids;
    out.push(session);
  }
  return out;
}

/**
 * Whether an sshd connection is a logged-in session rather than an attempt: the
 * sshd process of an authenticated session is titled "sshd: user@pts/0" or
 * "sshd-session: user@notty", a pre-authentication one "sshd: [accepted]" or
 * "sshd: unknown [priv]". Without process information (an unprivileged daemon,
 * as the systemd unit runs it, cannot see root's sshd) the connection counts as
 * a session when its address logged in lately (`loggedIn`); without that
 * knowledge, always (the safe side: it is not banned).
 */
export function isLoggedIn(
  session: LiveSession,
  title: (pid: number) => string | null,
  loggedIn?: (address: string) => boolean,
): boolean {
  const unseen = () => loggedIn?.(session.address) ?? true;
  if (session.via !== 'ss') return true;
  if (session.pids === undefined || session.pids.length === 0) return unseen();
  let known = false;
  for (const pid of session.pids) {
    const t = title(pid);
    if (t === null) continue;
    known = true;
    if (/^sshd(?:-session)?: \S+@\S+/.test(t)) return true;
  }
  return known ? false : unseen();
}

/** A process's title (its argv as rewritten by setproctitle), or null. */
export function procTitle(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
  } catch {
    return null;
  }
}

/** The canonical address of "a.b.c.d:port", "[v6]:port", "[v6%zone]:port", or null. */
function endpointAddress(endpoint: string): string | null {
  let host: string;
  let port: string;
  if (endpoint.startsWith('[')) {
    const close = endpoint.lastIndexOf(']:');
    if (close === -1) return null;
    host = endpoint.slice(1, close);
    port = endpoint.slice(close + 2);
  } else {
    const colon = endpoint.lastIndexOf(':');
    if (colon <= 0) return null;
    host = endpoint.slice(0, colon);
    port = endpoint.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(port)) return null;
  return canonicalIp(stripZone(host));
}

function stripZone(host: string): string {
  const pct = host.indexOf('%');
  return pct === -1 ? host : host.slice(0, pct);
}

export interface SystemSessionProbeOptions {
  /** The SSH ports to watch with ss. Default [22]. */
  sshPorts?: readonly number[];
  /** How long one listing is reused, ms. Default 5000. */
  cacheMs?: number;
  run?: Runner;
  /** A process's title, to tell logged-in sshd sessions from attempts; default /proc/PID/cmdline. */
  title?: (pid: number) => string | null;
  /** Whether an address logged in lately (an `Accepted` line), for connections whose process is hidden. */
  loggedIn?: (address: string) => boolean;
}

/** Lists sessions with `who` and `ss`, caching the answer for a few seconds. */
export class SystemSessionProbe implements SessionProbe {
  private readonly sshPorts: readonly number[];
  private readonly cacheMs: number;
  private readonly run: Runner;
  private readonly title: (pid: number) => string | null;
  private readonly loggedIn: ((address: string) => boolean) | undefined;
  private cached: { at: Millis; sessions: readonly LiveSession[] } | null = null;
  private inFlight: Promise<readonly LiveSession[]> | null = null;

  constructor(options: SystemSessionProbeOptions = {}) {
    this.sshPorts = options.sshPorts ?? [22];
    if (
      this.sshPorts.length === 0 ||
      !this.sshPorts.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)
    ) {
      throw new RangeError(`sshPorts must be TCP ports (1–65535), not ${this.sshPorts.join(', ')}`);
    }
    this.cacheMs = options.cacheMs ?? 5000;
    this.run = options.run ?? execFileRunner;
    this.title = options.title ?? procTitle;
    this.loggedIn = options.loggedIn;
  }

  sessions(now: Millis): Promise<readonly LiveSession[]> {
    const c = this.cached;
    if (c !== null && now >= c.at && now - c.at < this.cacheMs) return Promise.resolve(c.sessions);
    if (this.inFlight !== null) return this.inFlight;
    const p = this.list().then(
      (sessions) => {
        this.cached = { at: now, sessions };
        this.inFlight = null;
        return sessions;
      },
      (err: unknown) => {
        this.inFlight = null;
        throw err;
      },
    );
    this.inFlight = p;
    return p;
  }

  /** Forgets the cached listing (after a login is known to have happened, for instance). */
  invalidate(): void {
    this.cached = null;
  }

  private async list(): Promise<LiveSession[]> {
    const filter = `( ${this.sshPorts.map((p) => `sport = :${p}`).join(' or ')} )`;
    const [who, ss] = await Promise.allSettled([
      this.who(),
      this.run('ss', ['-tnpH', 'state', 'established', filter]).then((out) =>
        parseSs(out).filter((s) => isLoggedIn(s, this.title, this.loggedIn)),
      ),
    ]);
    if (who.status === 'rejected' && ss.status === 'rejected') {
      throw new Error(
        `cannot list live sessions: who: ${messageOf(who.reason)}; ss: ${messageOf(ss.reason)}`,
      );
    }
    return [
      ...(who.status === 'fulfilled' ? who.value : []),
      ...(ss.status === 'fulfilled' ? ss.value : []),
    ];
  }

  private async who(): Promise<LiveSession[]> {
    try {
      return parseWho(await this.run('who', ['--ips']));
    } catch (err) {
      // A missing program stays missing; an old `who` without --ips gets a second try.
      if (codeOf(err) === 'ENOENT') throw err;
      return parseWho(await this.run('who', []));
    }
  }
}

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
