/**
 * With no source configured, Sheriff reads what the machine has: Debian and
 * Ubuntu's /var/log/auth.log, the RHEL family's /var/log/secure, else the
 * systemd journal's sshd units.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SourceConfig } from './config.js';

export interface MachineProbe {
  exists(path: string): boolean;
  /** Whether a program is on PATH. */
  hasProgram(name: string): boolean;
}

export const realMachine: MachineProbe = {
  exists: existsSync,
  hasProgram: (name) =>
    (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, name))),
};

export const AUTH_LOGS = ['/var/log/auth.log', '/var/log/secure'];

/** The sources to read when the config names none, or an empty list when the machine has none. */
export function autoSources(machine: MachineProbe = realMachine): SourceConfig[] {
  for (const path of AUTH_LOGS) {
    if (machine.exists(path))
      return [{ type: 'file', path, pollInterval: 1000, startAtBeginning: false }];
  }
  const journalRunning =
    machine.exists('/run/systemd/journal/socket') || machine.exists('/var/log/journal');
  if (journalRunning && machine.hasProgram('journalctl'))
    return [{ type: 'journald', units: ['ssh.service', 'sshd.service'], journalctl: 'journalctl' }];
  return [];
}
