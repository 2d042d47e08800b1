/**
 * With no source configured, Sheriff reads what the machine has: Debian and
 * Ubuntu's /var/log/auth.log, the RHEL family's /var/log/secure, else the
 * systemd journal's sshd units when journald runs. When none is there, or the
 * journal holds no sshd line, the caller says so loudly (`SourceWarning`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SourceConfig } from './config.js';
import { DEFAULT_PROGRAMS, DEFAULT_UNITS, journalMatches } from './journald.js';

export interface MachineProbe {
  exists(path: string): boolean;
  /** Whether a program is on PATH. */
  hasProgram(name: string): boolean;
  /** Whether the journal holds at least one line of these units or programs. */
  journalHasLines(units: readonly string[], programs: readonly string[]): boolean;
}

/**
 * This machine, with the probed paths (and the journal) under `root`:
 * SHERIFF_PROBE_ROOT lets a test point the detection at another tree.
 */
export function machineAt(root = process.env.SHERIFF_PROBE_ROOT ?? '/'): MachineProbe {
  return {
    exists: (path) => existsSync(join(root, path)),
    hasProgram: (name) =>
      (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name))),
    journalHasLines: (units, programs) => {
      try {
        const out = execFileSync(
          'journalctl',
          [
            ...(root === '/' ? [] : [`--root=${root}`]),
            '--quiet',
            '--no-pager',
            '--lines=1',
            '--output=cat',
            ...journalMatches(units, programs),
          ],
          { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] },
        );
        return out.trim() !== '';
      } catch {
        // A journal journalctl cannot read is one Sheriff cannot read either.
        return false;
      }
    },
  };
}

export const AUTH_LOGS = ['/var/log/auth.log', '/var/log/secure'];
/** journald's socket: only a running journald adds lines (a /var/log/journal alone is old files). */
export const JOURNAL_SOCKET = '/run/systemd/journal/socket';

/** Why the automatic choice reads nothing (yet): said at start and in `sheriff status`. */
export type SourceWarning = { code: 'none-found' } | { code: 'journal-empty' };

export interface AutoChoice {
  sources: SourceConfig[];
  warning: SourceWarning | null;
}

/** The sources to read when the config names none; an empty list when the machine has none. */
export function autoSources(machine: MachineProbe = machineAt()): AutoChoice {
  for (const path of AUTH_LOGS) {
    if (machine.exists(path))
      return {
        sources: [{ type: 'file', path, pollInterval: 1000, startAtBeginning: false }],
        warning: null,
      };
  }
  if (machine.exists(JOURNAL_SOCKET) && machine.hasProgram('journalctl'))
    return {
      sources: [{ type: 'journald', units: DEFAULT_UNITS, journalctl: 'journalctl' }],
      warning: machine.journalHasLines(DEFAULT_UNITS, DEFAULT_PROGRAMS)
        ? null
        : { code: 'journal-empty' },
    };
  return { sources: [], warning: { code: 'none-found' } };
}
