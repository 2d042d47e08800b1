/**
 * Deterministic Debian-style /var/log/auth.log files for the benchmark.
 *
 * - `writeAuthLog`: a realistic day-to-day mix. Mostly OpenSSH connections from a few
 *   hundred attacking addresses (documentation ranges only), interleaved as a busy server
 *   logs them; the first part of the file is OpenSSH 9.2 (`sshd[pid]`), the rest after an
 *   upgrade is OpenSSH 9.8+ (`sshd-session[pid]`). Plus a few legitimate users, CRON,
 *   sudo, su and systemd-logind.
 * - `writeMixedAuthLog`: a second, differently shaped log, so speed is not tuned to one
 *   file: RFC 3339 high-precision times (rsyslog's default template), thousands of
 *   attackers, half of them IPv6, mostly invalid users, and 30% of the lines from
 *   programs no sshd rule reads (kernel firewall, postfix, systemd, nginx, dhclient).
 * - `writeDistinctFailures`: one failure line per address, every address different.
 *
 * Same seed, same bytes: a seeded PRNG (mulberry32), never Math.random.
 */
import { createWriteStream } from 'node:fs';
import { seededRandom, type Random } from '../random.js';

export class Rng {
  private readonly random: Random;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }
  /** A float in [0, 1). */
  next(): number {
    return this.random();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(digits: number): string {
    let s = '';
    for (let i = 0; i < digits; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

/** "Nov  5 07:51:41": BSD syslog time, day padded with a space, in UTC. */
export function bsdTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ' ' : ''}${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** Writes lines through a large buffer; `close()` resolves once the file is complete. */
class LineWriter {
  private readonly out;
  private parts: string[] = [];
  private size = 0;
  lines = 0;
  constructor(path: string) {
    this.out = createWriteStream(path);
  }
  /** True when the buffer is full: the caller awaits `flush()`. */
  write(line: string): boolean {
    this.parts.push(line);
    this.size += line.length + 1;
    this.lines++;
    return this.size >= 1 << 20;
  }
  async flush(): Promise<void> {
    const text = this.parts.join('\n') + '\n';
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }
  async close(): Promise<void> {
    if (this.parts.length > 0) await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }
}

export interface GenerateOptions {
  lines: number;
  seed: number;
  /** First timestamp, Unix seconds (UTC). */
  start: number;
  host?: string;
}

/** 2024-11-01T00:00:00Z: with --now 2024-12-01 every BSD date falls in 2024. */
export const DEFAULT_START = Date.UTC(2024, 10, 1) / 1000;

const INVALID_USERS = [
  'admin', 'test', 'user', 'oracle', 'postgres', 'ubuntu', 'git', 'ftpuser', 'guest', 'support',
  'pi', 'hadoop', 'mysql', 'nagios', 'dev', 'www', 'minecraft', 'steam', 'jenkins', 'tomcat',
  'deployer', 'test1', 'user1', 'administrator', 'ansible', 'centos', 'debian', 'docker', 'elastic',
  'es', 'ftp', 'gitlab', 'hduser', 'kafka', 'mongodb', 'odoo', 'redis', 'sammy', 'solana', 'sol',
  'student', 'sysadmin', 'teamspeak', 'testuser', 'vagrant', 'web', 'wordpress', 'zabbix', '1234',
  'Admin', 'alex', 'bitcoin', 'customer', 'demo', 'ec2-user', 'fa', 'node', 'ts3', 'validator',
]; // prettier-ignore
const REAL_SYSTEM_USERS = ['root', 'root', 'root', 'root', 'daemon', 'bin', 'mail', 'www-data'];

interface Legit {
  user: string;
  uid: number;
  ip: string;
}
const LEGIT: Legit[] = [
  { user: 'deploy', uid: 1001, ip: '198.51.100.10' },
  { user: 'alice', uid: 1002, ip: '203.0.113.200' },
  { user: 'bob', uid: 1003, ip: '2001:db8:1::10' },
];
const SUDO_COMMANDS = [
  '/usr/bin/systemctl restart nginx',
  '/usr/bin/apt-get update',
  '/usr/bin/journalctl -u ssh --since today',
  '/usr/bin/tail -n 100 /var/log/auth.log',
  '/usr/sbin/nft list ruleset',
];

/** How attacks look: how many addresses, how many IPv6, how many invalid user names. */
interface AttackShape {
  attackers: number;
  /** Share of IPv4 addresses. */
  ipv4: number;
  /**
   * Where each kind of attack ends in [0, 1): invalid users trying passwords, existing
   * accounts guessed, user-name probes, root key probes; bare scans take the rest.
   */
  kinds: readonly [number, number, number, number];
}
const AUTH_LOG_SHAPE: AttackShape = { attackers: 300, ipv4: 0.8, kinds: [0.55, 0.85, 0.93, 0.97] };
const MIXED_SHAPE: AttackShape = { attackers: 5000, ipv4: 0.5, kinds: [0.6, 0.75, 0.9, 0.95] };

/** Attacking addresses in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32. */
function attackers(rng: Rng, count: number, ipv4: number): string[] {
  const seen = new Set<string>(LEGIT.map((l) => l.ip));
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  while (seen.size < count + LEGIT.length) {
    seen.add(
      rng.chance(ipv4)
        ? `${rng.pick(nets)}.${rng.between(1, 254)}`
        : `2001:db8:${rng.hex(4).replace(/^0+/, '') || '0'}::${rng.hex(3).replace(/^0+/, '') || '1'}`,
    );
  }
  return [...seen].slice(LEGIT.length);
}

/** One connection or job: its lines, each without the "date host " prefix. */
type Episode = string[];

class AuthLogModel {
  private pid = 4000;
  private session = 100;
  private readonly attackers: string[];
  private readonly sshHash: string;

  constructor(
    private readonly rng: Rng,
    private readonly shape: AttackShape = AUTH_LOG_SHAPE,
  ) {
    this.attackers = attackers(rng, shape.attackers, shape.ipv4);
    this.sshHash = 'SHA256:' + Buffer.from(rng.hex(64), 'hex').toString('base64').slice(0, 43);
  }

  private nextPid(): number {
    this.pid += this.rng.between(1, 40);
    if (this.pid > 4_000_000) this.pid = 1000;
    return this.pid;
  }

  /** Heavy hitters first: a few addresses make most of the noise, as in real logs. */
  private attacker(): string {
    return this.attackers[Math.floor(this.attackers.length * this.rng.next() ** 2.5)]!;
  }

  episode(upgraded: boolean): Episode {
    const r = this.rng.next();
    if (r < 0.8) return this.attack(upgraded);
    if (r < 0.92) return this.cron();
    if (r < 0.97) return this.login(upgraded);
    return this.su();
  }

  private attack(upgraded: boolean): Episode {
    const { rng } = this;
    const d = `${upgraded ? 'sshd-session' : 'sshd'}[${this.nextPid()}]: `;
    const ip = this.attacker();
    const port = rng.between(1024, 65535);
    const at = `${ip} port ${port}`;
    const kind = rng.next();
    const lines: string[] = [];
    const [invalid, guessed, probed, keyProbe] = this.shape.kinds;
    if (kind < invalid) {
      // An invalid user tries passwords.
      const u = rng.pick(INVALID_USERS);
      lines.push(`${d}Invalid user ${u} from ${at}`);
      const tries = rng.chance(0.7) ? 1 : rng.between(2, 6);
      for (let i = 0; i < tries; i++) {
        lines.push(`${d}pam_unix(sshd:auth): check pass; user unknown`);
        lines.push(
          `${d}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`,
        );
        lines.push(`${d}Failed password for invalid user ${u} from ${at} ssh2`);
      }
      if (tries > 1)
        lines.push(
          `${d}PAM ${tries - 1} more authentication failure${tries > 2 ? 's' : ''}; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}`,
        );
      if (rng.chance(0.6)) {
        lines.push(`${d}Received disconnect from ${at}:11: Bye Bye [preauth]`);
        lines.push(`${d}Disconnected from invalid user ${u} ${at} [preauth]`);
      } else lines.push(`${d}Connection closed by invalid user ${u} ${at} [preauth]`);
    } else if (kind < guessed) {
      // An existing account (mostly root) is guessed.
      const u = rng.pick(REAL_SYSTEM_USERS);
      const tries = rng.chance(0.7) ? 1 : rng.between(2, 6);
      for (let i = 0; i < tries; i++) {
        lines.push(
          `${d}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`,
        );
        lines.push(`${d}Failed password for ${u} from ${at} ssh2`);
      }
      if (tries > 1)
        lines.push(
          `${d}PAM ${tries - 1} more authentication failure${tries > 2 ? 's' : ''}; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${u}`,
        );
      lines.push(`${d}Received disconnect from ${at}:11: Bye Bye [preauth]`);
      lines.push(`${d}Disconnected from authenticating user ${u} ${at} [preauth]`);
    } else if (kind < probed) {
      // A scanner probes a user name and leaves.
      const u = rng.pick(INVALID_USERS);
      lines.push(`${d}Invalid user ${u} from ${at}`);
      lines.push(`${d}Connection closed by invalid user ${u} ${at} [preauth]`);
    } else if (kind < keyProbe) {
      // A key probe for root.
      lines.push(`${d}Connection closed by authenticating user root ${at} [preauth]`);
    } else {
      lines.push(`${d}Connection closed by ${at} [preauth]`);
    }
    return lines;
  }

  private login(upgraded: boolean): Episode {
    const { rng } = this;
    const who = rng.pick(LEGIT);
    const pid = this.nextPid();
    const d = `${upgraded ? 'sshd-session' : 'sshd'}[${pid}]: `;
    const port = rng.between(1024, 65535);
    const at = `${who.ip} port ${port}`;
    const session = ++this.session;
    const lines = [
      `${d}Accepted publickey for ${who.user} from ${at} ssh2: ED25519 ${this.sshHash}`,
      `${d}pam_unix(sshd:session): session opened for user ${who.user}(uid=${who.uid}) by ${who.user}(uid=0)`,
      `systemd-logind[612]: New session ${session} of user ${who.user}.`,
    ];
    for (let i = rng.int(4); i > 0; i--) {
      lines.push(
        `sudo:   ${who.user} : TTY=pts/${session % 8} ; PWD=/home/${who.user} ; USER=root ; COMMAND=${rng.pick(SUDO_COMMANDS)}`,
      );
      lines.push(
        `sudo: pam_unix(sudo:session): session opened for user root(uid=0) by ${who.user}(uid=${who.uid})`,
      );
      lines.push(`sudo: pam_unix(sudo:session): session closed for user root`);
    }
    lines.push(`${d}Received disconnect from ${at}:11: disconnected by user`);
    lines.push(`${d}Disconnected from user ${who.user} ${at}`);
    lines.push(`${d}pam_unix(sshd:session): session closed for user ${who.user}`);
    lines.push(
      `systemd-logind[612]: Session ${session} logged out. Waiting for processes to exit.`,
    );
    lines.push(`systemd-logind[612]: Removed session ${session}.`);
    return lines;
  }

  private cron(): Episode {
    const d = `CRON[${this.nextPid()}]: `;
    const user = this.rng.chance(0.8) ? 'root(uid=0)' : 'www-data(uid=33)';
    return [
      `${d}pam_unix(cron:session): session opened for user ${user} by (uid=0)`,
      `${d}pam_unix(cron:session): session closed for user ${user.slice(0, user.indexOf('('))}`,
    ];
  }

  private su(): Episode {
    const d = `su[${this.nextPid()}]: `;
    return [
      `${d}(to postgres) root on pts/0`,
      `${d}pam_unix(su-l:session): session opened for user postgres(uid=110) by deploy(uid=0)`,
      `${d}pam_unix(su-l:session): session closed for user postgres`,
    ];
  }
}

/** The realistic auth.log: connections interleave, time only moves forward. */
export async function writeAuthLog(path: string, opts: GenerateOptions): Promise<number> {
  const rng = new Rng(opts.seed);
  const model = new AuthLogModel(rng);
  const host = opts.host ?? 'web1';
  const out = new LineWriter(path);
  const active: { lines: Episode; next: number }[] = [];
  let concurrency = 3;
  let t = opts.start;
  let stamp = bsdTime(t);
  for (let n = 0; n < opts.lines; n++) {
    if (rng.chance(0.45)) stamp = bsdTime((t += rng.between(1, 3)));
    if (rng.chance(0.001)) concurrency = rng.between(1, 8);
    while (active.length < concurrency) {
      active.push({ lines: model.episode(n > opts.lines * 0.4), next: 0 });
    }
    const i = rng.int(active.length);
    const ep = active[i]!;
    if (out.write(`${stamp} ${host} ${ep.lines[ep.next++]}`)) await out.flush();
    if (ep.next === ep.lines.length) active.splice(i, 1);
  }
  await out.close();
  return out.lines;
}

/** "2024-11-01T00:00:09.123456+00:00": rsyslog's RFC 3339 high-precision time, in UTC. */
export function isoTime(seconds: number, micros: number): string {
  const d = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${d}.${String(micros).padStart(6, '0')}+00:00`;
}

/** One line of a program no sshd rule reads (the message after "host "). */
function noise(rng: Rng): string {
  const r = rng.next();
  const ip = `${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.between(1, 254)}`;
  if (r < 0.35)
    return `kernel: [${rng.between(1000, 999999)}.${String(rng.int(1_000_000)).padStart(6, '0')}] [UFW BLOCK] IN=eth0 OUT= MAC=${rng.hex(12)} SRC=${ip} DST=198.51.100.1 LEN=40 TOS=0x00 PREC=0x00 TTL=${rng.between(30, 250)} ID=${rng.between(1, 65535)} PROTO=TCP SPT=${rng.between(1024, 65535)} DPT=${rng.pick([23, 445, 3389, 5900, 8080])} WINDOW=1024 RES=0x00 SYN URGP=0`;
  if (r < 0.6)
    return `postfix/smtpd[${rng.between(1000, 99999)}]: ${rng.pick(['connect', 'disconnect'])} from unknown[${ip}]${rng.chance(0.5) ? ' ehlo=1 auth=0/1 quit=1 commands=2/3' : ''}`;
  if (r < 0.8)
    return `systemd[1]: ${rng.pick(['Starting', 'Started', 'Finished'])} ${rng.pick(['apt-daily.service', 'logrotate.service', 'man-db.service', 'phpsessionclean.service'])} - ${rng.pick(['Daily apt download activities', 'Rotate log files', 'Daily man-db regeneration', 'Clean php session files'])}.`;
  if (r < 0.92)
    return `nginx: ${ip} - - "GET /${rng.pick(['wp-login.php', '.env', 'index.html', 'admin'])} HTTP/1.1" ${rng.pick([200, 301, 404])} ${rng.between(100, 9000)}`;
  return `dhclient[${rng.between(300, 900)}]: DHCPACK of 198.51.100.1 from 198.51.100.254 (xid=0x${rng.hex(8)})`;
}

/** The second profile (see the top of this file): same model, another shape, ISO times, 30% noise. */
export async function writeMixedAuthLog(path: string, opts: GenerateOptions): Promise<number> {
  const rng = new Rng(opts.seed);
  const model = new AuthLogModel(rng, MIXED_SHAPE);
  const host = opts.host ?? 'mail2';
  const out = new LineWriter(path);
  const active: { lines: Episode; next: number }[] = [];
  let concurrency = 5;
  let micros = opts.start * 1e6;
  for (let n = 0; n < opts.lines; n++) {
    micros += rng.int(400_000);
    const stamp = isoTime(Math.floor(micros / 1e6), micros % 1e6);
    if (rng.chance(0.3)) {
      if (out.write(`${stamp} ${host} ${noise(rng)}`)) await out.flush();
      continue;
    }
    if (rng.chance(0.001)) concurrency = rng.between(2, 12);
    while (active.length < concurrency) active.push({ lines: model.episode(true), next: 0 });
    const i = rng.int(active.length);
    const ep = active[i]!;
    if (out.write(`${stamp} ${host} ${ep.lines[ep.next++]}`)) await out.flush();
    if (ep.next === ep.lines.length) active.splice(i, 1);
  }
  await out.close();
  return out.lines;
}

const PUBLIC_SLASH8 = [45, 61, 91, 103, 116, 185, 193, 211];

/**
 * The i-th of a million distinct public-looking addresses: 60% IPv4 spread over
 * several non-private /8s (host part never .0 or .255), 40% IPv6 each in its own /64
 * of 2001:db8::/32, written as RFC 5952 does. Multiplying by an odd constant modulo
 * 2^16 (or 2^32) is a bijection, so no two addresses collide.
 */
export function distinctAddress(i: number): string {
  if (i % 5 < 3) {
    const j = Math.floor(i / 5) * 3 + (i % 5);
    const m = Math.floor(j / PUBLIC_SLASH8.length); // < 2^16 * 254 per /8
    const mid = Math.imul(Math.floor(m / 254), 0x9e37) & 0xffff;
    return `${PUBLIC_SLASH8[j % PUBLIC_SLASH8.length]}.${mid >>> 8}.${mid & 255}.${1 + (m % 254)}`;
  }
  const j = Math.floor(i / 5) * 2 + (i % 5) - 3;
  const k = Math.imul(j + 1, 0x2545f491) >>> 0;
  const a = (k >>> 16).toString(16);
  const b = (k & 0xffff).toString(16);
  const host = ((j % 4094) + 1).toString(16);
  if (b === '0') return a === '0' ? `2001:db8::${host}` : `2001:db8:${a}::${host}`;
  return `2001:db8:${a}:${b}::${host}`;
}

/** One failure per line, each from an address never seen before in the file. */
export async function writeDistinctFailures(path: string, opts: GenerateOptions): Promise<number> {
  const rng = new Rng(opts.seed);
  const host = opts.host ?? 'web1';
  const out = new LineWriter(path);
  let t = opts.start;
  let stamp = bsdTime(t);
  let pid = 5000;
  for (let n = 0; n < opts.lines; n++) {
    if (rng.chance(0.1)) stamp = bsdTime((t += 1));
    pid = pid > 4_000_000 ? 1000 : pid + rng.between(1, 9);
    const at = `${distinctAddress(n)} port ${rng.between(1024, 65535)}`;
    const d = `${stamp} ${host} sshd-session[${pid}]: `;
    const kind = rng.next();
    const line =
      kind < 0.5
        ? `${d}Failed password for invalid user ${rng.pick(INVALID_USERS)} from ${at} ssh2`
        : kind < 0.8
          ? `${d}Failed password for root from ${at} ssh2`
          : `${d}Invalid user ${rng.pick(INVALID_USERS)} from ${at}`;
    if (out.write(line)) await out.flush();
  }
  await out.close();
  return out.lines;
}
