/**
 * A fail2ban-server the bench may start and stop freely: its own conf dir (the
 * system's filter.d linked in), socket, pidfile, database and log, one sshd jail
 * on the given file, and a no-op action (a ban runs `true`): nothing touches the
 * firewall or the system's fail2ban.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const F2B_FILTER_DIR = '/etc/fail2ban/filter.d';

export interface PrivateFail2ban {
  /** Its log file, where "Jail 'sshd' started" and "[sshd] Ban ADDR" appear. */
  log: string;
  /** fail2ban-server's arguments (foreground, this conf, socket and pidfile). */
  args: string[];
}

export interface JailSettings {
  backend: 'polling' | 'pyinotify' | 'auto';
  maxretry: number;
  findtimeSeconds: number;
}

/** Whether the system's fail2ban filters are there to link in. */
export const fail2banFiltersInstalled = () => existsSync(join(F2B_FILTER_DIR, 'sshd.conf'));

/** Writes the configuration under `dir`, for a jail on `logPath`. */
export function privateFail2ban(dir: string, logPath: string, jail: JailSettings): PrivateFail2ban {
  const conf = join(dir, 'conf');
  mkdirSync(join(conf, 'action.d'), { recursive: true });
  symlinkSync(F2B_FILTER_DIR, join(conf, 'filter.d'));
  const log = join(dir, 'f2b.log');
  const sock = join(dir, 'f2b.sock');
  const pid = join(dir, 'f2b.pid');
  writeFileSync(
    join(conf, 'fail2ban.conf'),
    [
      '[Definition]',
      'loglevel = INFO',
      `logtarget = ${log}`,
      'syslogsocket = auto',
      'allowipv6 = auto',
      `socket = ${sock}`,
      `pidfile = ${pid}`,
      `dbfile = ${join(dir, 'f2b.sqlite3')}`,
      'dbpurgeage = 1d',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(conf, 'action.d', 'noop.conf'),
    [
      '[Definition]',
      'actionstart =',
      'actionstop =',
      'actioncheck =',
      'actionban = true',
      'actionunban = true',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(conf, 'jail.conf'),
    [
      '[DEFAULT]',
      'usedns = no',
      '[sshd]',
      'enabled = true',
      'filter = sshd',
      `logpath = ${logPath}`,
      `backend = ${jail.backend}`,
      `maxretry = ${jail.maxretry}`,
      `findtime = ${jail.findtimeSeconds}`,
      'bantime = 600',
      'action = noop',
      '',
    ].join('\n'),
  );
  writeFileSync(log, '');
  return { log, args: ['-f', '-x', '-c', conf, '-s', sock, '-p', pid] };
}
