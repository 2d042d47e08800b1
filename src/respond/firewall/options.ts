/** Options every program-driving backend takes. */
import type { Millis } from '../../domain.js';
import { createRunner, programs, type ExecOptions, type Programs, type Runner } from './exec.js';

export interface BackendOptions {
  /** How commands run (namespace prefix, time limit). Ignored when `runner` is given. */
  exec?: ExecOptions;
  /** Runs the commands; tests wrap the default one to count or record them. */
  runner?: Runner;
  /** Program paths. */
  programs?: Partial<Programs>;
  /** The clock `expiresAt` is converted against (default Date.now). */
  now?: () => Millis;
}

export interface Resolved {
  runner: Runner;
  programs: Programs;
  now: () => Millis;
}

export function resolveOptions(backend: string, options: BackendOptions = {}): Resolved {
  const p = programs(options.programs);
  return {
    runner: options.runner ?? createRunner(backend, { ipPath: p.ip, ...(options.exec ?? {}) }),
    programs: p,
    now: options.now ?? Date.now,
  };
}
